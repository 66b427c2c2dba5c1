/** `dlq list|replay|discard` and `retention`: the exceptions an operator works, and housekeeping. */
import type { ErrorClass } from '../../nodes/errors.ts';
import { discardDeadLetters, replayDeadLetters } from '../app/dead-letters.ts';
import { applyRetention, retentionPolicy, type RetentionPolicy } from '../app/retention.ts';
import type { DeadLetterRow } from '../store/store.ts';
import { CliError } from './cli-error.ts';
import type { CommandContext, CommandDefinition } from './commands.ts';
import { withDatabase } from './environment.ts';
import { exitCodeOf, replayReferenceOption, storedRunSummary } from './flow-commands.ts';
import { withLocalQueue } from './local-queue.ts';
import { countsLine, table } from './format.ts';
import { cutNotice, limitOption } from './list-limit.ts';

const DAY = 86_400_000;
const age = (iso: string) => {
  const ms = Date.now() - Date.parse(iso);
  return ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < DAY ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / DAY)} d`;
};

const row = (d: DeadLetterRow) => [d.id, d.flowId, d.runId, d.lineageKey, d.businessKey ?? '', d.disposition, d.errorClass, d.error.message.slice(0, 70), age(d.createdAt), d.status];

async function list(ctx: CommandContext) {
  return withDatabase(ctx.settings, async (database) => {
    const { store } = database;
    const filter = {
      flowId: ctx.values.flow as string | undefined, runId: ctx.values.run as string | undefined,
      errorClass: ctx.values.class as ErrorClass | undefined, status: (ctx.values.status as DeadLetterRow['status'] | undefined) ?? 'open',
    };
    const page = await store.listDeadLetters(filter, { limit: limitOption(ctx.values.limit, 50) });
    if (ctx.values.json) ctx.out(JSON.stringify(page, null, 2));
    else if (!page.items.length) ctx.out('No dead letters.');
    else ctx.out(table(['id', 'flow', 'run', 'record', 'business key', 'disposition', 'class', 'error', 'age', 'status'], page.items.map(row)));
    const cut = ctx.values.json ? null : await cutNotice(page, (p) => store.listDeadLetters(filter, p), '--flow, --run or --class to narrow');
    if (cut) ctx.out(cut);
    return 0;
  });
}

async function replay(ctx: CommandContext) {
  const ids = ctx.positionals.slice(1).map(Number);
  const runId = ctx.values.run as string | undefined;
  if (!runId && (!ids.length || ids.some((i) => !Number.isInteger(i)))) throw new CliError('usage: ledgerflow dlq replay <id>… | --run <run-id> [--reference as-it-was|current]', 64);
  return withDatabase(ctx.settings, async (database) => {
    const { store } = database;
    const first = runId ? null : await store.getDeadLetter(ids[0]);
    const run = await store.getRun(runId ?? first?.runId ?? '');
    if (!run) throw new CliError(runId ? `run ${runId} does not exist` : `dead letter ${ids[0]} does not exist`, 2);
    const version = run.version === null ? null : await store.getVersion(run.flowId, run.version);
    if (!version) throw new CliError(`run ${run.id} has no stored version to replay against`, 2);
    const referenceMode = replayReferenceOption(ctx.values.reference);
    return withLocalQueue(database, version.document, { connections: ctx.values.connections as string }, ctx, async ({ deps, finished }) => {
      const queued = await replayDeadLetters(deps, {
        runId, ids: runId ? undefined : ids, against: { version: version.version }, reference: referenceMode, defaultEnvironment: null, actor: 'cli',
      });
      const replayRun = await finished(queued.run.id);
      // Marked when the run finished: replayed, or still open and failed again in it.
      const after = await store.getDeadLetters(queued.letters.map((l) => l.id));
      const resolved = after.filter((d) => d.status === 'replayed' && d.replayRunId === replayRun.id).length;
      const failedAgain = after.filter((d) => d.status === 'open' && d.runId === replayRun.id).length;
      const replayed = queued.letters.length;
      const { counts, reconciliation } = await storedRunSummary(database, replayRun);
      if (ctx.values.json) ctx.out(JSON.stringify({ runId: replayRun.id, replayed, resolved, failedAgain, referenceAsOf: queued.referenceAsOf, status: replayRun.status, counts, reconciliation }, null, 2));
      else ctx.out(`Replayed ${replayed} dead letter(s) against version ${version.version} in run ${replayRun.id} (${referenceMode === 'as-it-was' ? `reference data as it was at ${queued.referenceAsOf}` : 'current reference data'}): ${replayRun.status}; ${resolved} resolved, ${failedAgain} failed again (still open)\n  ${countsLine(counts, reconciliation)}`);
      return exitCodeOf(replayRun.status);
    });
  });
}

async function discard(ctx: CommandContext) {
  const ids = ctx.positionals.slice(1).map(Number);
  const reason = ctx.values.reason as string | undefined;
  if (!ids.length || ids.some((i) => !Number.isInteger(i)) || !reason?.trim()) throw new CliError('usage: ledgerflow dlq discard <id>… --reason "<why>"', 64);
  return withDatabase(ctx.settings, async (database) => {
    // Audited as the API's discard is, with the CLI as the actor.
    await discardDeadLetters({ database }, { ids, reason: reason.trim(), actor: 'cli' });
    ctx.out(ctx.values.json ? JSON.stringify({ discarded: ids }) : `Discarded ${ids.length} dead letter(s): ${reason.trim()}`);
    return 0;
  });
}

export const DLQ_COMMANDS: Record<string, CommandDefinition> = {
  dlq: {
    options: {
      flow: { type: 'string' }, run: { type: 'string' }, class: { type: 'string' }, status: { type: 'string' },
      limit: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' }, connections: { type: 'string' }, reference: { type: 'string' },
    },
    async run(ctx) {
      const sub = ctx.positionals[0];
      if (sub === 'list') return list(ctx);
      if (sub === 'replay') return replay(ctx);
      if (sub === 'discard') return discard(ctx);
      throw new CliError('usage: ledgerflow dlq list|replay|discard …', 64);
    },
  },

  retention: {
    options: { 'snapshot-days': { type: 'string' }, 'lineage-days': { type: 'string' }, json: { type: 'boolean' } },
    async run(ctx) {
      let policy: RetentionPolicy;
      try {
        policy = retentionPolicy(ctx.settings.retention, { snapshotDays: ctx.values['snapshot-days'] as string | undefined, lineageDays: ctx.values['lineage-days'] as string | undefined });
      } catch (err) {
        throw new CliError((err as Error).message, 64);
      }
      return withDatabase(ctx.settings, async (database) => {
        const result = await applyRetention({ store: database.store, audit: database.service.audit }, policy, { actor: 'cli' });
        ctx.out(ctx.values.json ? JSON.stringify(result) : `Removed the snapshots of ${result.snapshotsPruned} trace(s) older than ${policy.snapshotDays} days and ${result.tracesDeleted} trace(s) older than ${policy.lineageDays} days.`);
        return 0;
      });
    },
  },
};
