/**
 * `ledgerflow worker`: a process that takes run and chunk jobs from the queue
 * until it is told to stop (SIGTERM/SIGINT), then finishes the chunks in hand.
 * Start as many as the database can feed, on as many machines as you like.
 * Like `serve`, it binds each run's connections to the settings and secrets
 * stored for the run's environment, so it needs the server's secret key.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlowError } from '../../nodes/errors.ts';
import type { RunRow } from '../store/store.ts';
import { createWorker } from '../queue/worker.ts';
import { createEnvironmentConnections } from '../connectors/environment-connections.ts';
import { createFileSink } from '../connectors/files.ts';
import { parseEnvironments } from '../promotion/environments.ts';
import { createSecretBox, loadSecretKey, type SecretBox } from '../secrets/secret-box.ts';
import { CliError } from './cli-error.ts';
import type { CommandDefinition } from './commands.ts';
import { DEFAULT_DATA_DIR, openStoreFromEnv, type Env } from './environment.ts';
import { countsLine } from './format.ts';

function wholeNumber(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number ≥ 1, not '${value}'`, 64);
  return n;
}

/** One line per finished run, with its throughput. */
export function runLine(run: RunRow): string {
  const seconds = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
  const rate = seconds && seconds > 0 ? ` · ${Math.round(run.counts.read / seconds)} records/s` : '';
  const error = run.error && run.status !== 'succeeded' ? ` · ${run.error.message.split('\n')[0]}` : '';
  return `run ${run.id} ${run.flowId} v${run.version ?? '-'} ${run.status}: ${countsLine(run.counts)}${seconds !== null ? ` · ${seconds.toFixed(1)} s` : ''}${rate}${error}`;
}

/** Stands in for the secret box when this worker has no key: runs needing no secret still work. */
const NO_KEY_BOX: SecretBox = {
  encrypt() {
    throw new Error('This worker has no secret key.');
  },
  decrypt(_boxed, context) {
    // Permanent: retrying on this worker cannot help, so the run fails at once with the reason.
    throw new FlowError('permanent', `The secret for ${context} cannot be read: this worker has no secret key. Start it with LEDGERFLOW_SECRET_KEY set to the server's key (or LEDGERFLOW_DATA pointing at the folder holding its secret.key).`);
  },
};

/**
 * The server's secret key, from LEDGERFLOW_SECRET_KEY or `<LEDGERFLOW_DATA>/secret.key`.
 * Unlike `serve`, a worker never makes a key: one of its own would not open the server's secrets.
 */
export async function workerSecrets(env: Env): Promise<{ box: SecretBox; source: string | null }> {
  const dataDir = resolve(env.LEDGERFLOW_DATA || DEFAULT_DATA_DIR);
  if (!env.LEDGERFLOW_SECRET_KEY && !existsSync(join(dataDir, 'secret.key'))) return { box: NO_KEY_BOX, source: null };
  try {
    const key = await loadSecretKey(env.LEDGERFLOW_SECRET_KEY, dataDir);
    return { box: createSecretBox(key.key), source: key.source };
  } catch (err) {
    throw new CliError(`ledgerflow worker: ${(err as Error).message}`, 78);
  }
}

export const WORKER_COMMANDS: Record<string, CommandDefinition> = {
  worker: {
    options: { concurrency: { type: 'string' }, 'chunk-size': { type: 'string' }, out: { type: 'string' } },
    async run(ctx) {
      const concurrency = wholeNumber(ctx.values.concurrency, 'concurrency', 2);
      const chunkSize = wholeNumber(ctx.values['chunk-size'], 'chunk-size', 500);
      const environments = parseEnvironments(ctx.env.LEDGERFLOW_ENVIRONMENTS);
      const secrets = await workerSecrets(ctx.env);
      const store = await openStoreFromEnv(ctx.env);
      if (store.kind === 'pglite') {
        ctx.err('ledgerflow worker: the embedded database (PGlite) belongs to one process; more workers need a Postgres server (DATABASE_URL). `ledgerflow serve` already runs a worker.');
      }
      if (!secrets.source) {
        ctx.err('ledgerflow worker: no secret key (LEDGERFLOW_SECRET_KEY, or secret.key in LEDGERFLOW_DATA): runs whose connections need a stored secret will fail.');
      }
      const connections = createEnvironmentConnections({ store, secrets: secrets.box, defaultEnvironment: environments[0].name });
      const files = createFileSink(resolve((ctx.values.out as string | undefined) ?? ctx.env.LEDGERFLOW_OUT ?? 'out'));
      const worker = createWorker({
        store, files, concurrency, tuning: { chunkSize }, connectionsFor: connections.connectionsFor,
        onRunFinished: (run) => ctx.out(runLine(run)),
        onError: (err) => ctx.err(`ledgerflow worker: ${err.message}`),
      });
      try {
        await worker.start();
        ctx.out(`ledgerflow worker ${worker.id} started (${store.kind}${ctx.env.LEDGERFLOW_DB_SCHEMA ? `, schema ${ctx.env.LEDGERFLOW_DB_SCHEMA}` : ''}, concurrency ${concurrency})`);
        const signal = await new Promise<string>((done) => {
          process.once('SIGTERM', () => done('SIGTERM'));
          process.once('SIGINT', () => done('SIGINT'));
        });
        ctx.out(`ledgerflow worker ${worker.id}: ${signal}, finishing the chunks in hand…`);
      } finally {
        await worker.stop();
        await files.close();
        await store.close();
      }
      const { chunksDone, recordsDone } = worker.counters();
      ctx.out(`ledgerflow worker ${worker.id} stopped after ${chunksDone} chunk(s), ${recordsDone} record(s)`);
      return 0;
    },
  },
};
