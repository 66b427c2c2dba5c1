/**
 * Runs started on the command line go the server's way: a use case of
 * runtime/app queues the run (split job → chunk jobs), and a worker in this
 * process, with the command's connections, output folder and chunk size,
 * works it. The command waits for the run to end and reports the stored run,
 * so a run from the CLI is the same as one from the API: same rows, traces,
 * ledger claims and audit entries. On Postgres, other workers may take chunks too.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { UseCaseDeps } from '../app/app-deps.ts';
import { startQueue } from '../queue/start-queue.ts';
import { isTerminal } from '../engine/run-types.ts';
import type { Database } from '../store/database.ts';
import type { RunRow } from '../store/store.ts';
import type { CommandContext } from './commands.ts';
import { localWorkerSetup, type CommandSetting } from './environment.ts';

export interface LocalQueue {
  /** What the use cases need: the database and the launcher of this queue. */
  deps: UseCaseDeps;
  /** Resolves with the run once it has ended (succeeded, with exceptions, failed or cancelled). */
  finished(runId: string): Promise<RunRow>;
}

export interface LocalQueueOptions {
  /** A connections file (default: settings, then embedded databases for Postgres connections). */
  connections?: string;
  out?: string;
  /** The flow's folder: its example `setup.sql` is applied to embedded databases. */
  dir?: string | null;
  /** Source records per chunk (default 500). */
  chunkSize?: number;
}

/** Attempts after the first of a job the command's worker fails. */
const CLI_RETRY_LIMIT = 2;

/** How often the run is looked at besides the worker's word (another process may finish it). */
const POLL_MS = 250;

/** Runs `fn` with a queue and an in-process worker for the flow's runs; stops both after. */
export async function withLocalQueue<T>(
  database: Database, doc: FlowDocument, options: LocalQueueOptions, where: CommandSetting & Pick<CommandContext, 'evaluators'>, fn: (queue: LocalQueue) => Promise<T>,
): Promise<T> {
  const setup = await localWorkerSetup(database, doc, options, where);
  const ended = new Set<string>();
  let wake = () => {};
  let queue;
  try {
    queue = await startQueue({
      database, evaluators: where.evaluators, connectionsFor: setup.connectionsFor, files: setup.files, fetch: setup.fetch,
      // Retried twice, within seconds (the server: seven times over minutes): a command someone waits for
      // fails promptly when a source or database is down; run it again, or let `serve` run it unattended.
      tuning: { retryLimit: CLI_RETRY_LIMIT, ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) },
      // Nothing else is queued from this process: jobs need not wait for intake.
      intakePriorityMs: 0,
      onRunFinished: (run) => {
        ended.add(run.id);
        wake();
      },
    });
  } catch (err) {
    await setup.files.close();
    throw err;
  }
  const finished = async (runId: string): Promise<RunRow> => {
    for (;;) {
      const run = await database.store.getRun(runId);
      if (!run) throw new Error(`run ${runId} disappeared while it ran`);
      if (isTerminal(run.status)) return run;
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, ended.has(runId) ? 0 : POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolveWait();
        };
      });
    }
  };
  try {
    return await fn({ deps: { database, launcher: queue.launcher }, finished });
  } finally {
    await queue.stop();
    await setup.files.close();
  }
}
