/** `validate`, `run`, `replay` and `nodes`. */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import { validateFlow, type FlowProblem } from '../../nodes/validate-flow.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { nodeTypeDeclarations } from '../app/node-types.ts';
import { fileInput, loadFlowFile, loadReferenceData, storeFileReferenceData } from '../flow-files.ts';
import { ensureVersion } from '../flow-versions.ts';
import { REPLAY_REFERENCES, type ReplayReference } from '../replay.ts';
import { startVersionRun } from '../app/runs.ts';
import { replayDeadLetters } from '../app/dead-letters.ts';
import { ReconciliationBuilder } from '../engine/reconcile.ts';
import type { Database } from '../store/database.ts';
import { checkSample, type SampleWarning } from '../sample-check.ts';
import type { RunRow } from '../store/store.ts';
import { CliError } from './cli-error.ts';
import type { CommandContext, CommandDefinition } from './commands.ts';
import { withDatabase } from './environment.ts';
import { withLocalQueue } from './local-queue.ts';
import { countsLine, nodeStatsText, reconciliationText, table } from './format.ts';

/** Exit codes of `run` and `replay`: 0 succeeded, 3 completed with exceptions, 2 failed. */
/** `--reference as-it-was|current` of the replay commands. */
export function replayReferenceOption(value: unknown): ReplayReference {
  if (value === undefined) return 'current';
  if ((REPLAY_REFERENCES as readonly unknown[]).includes(value)) return value as ReplayReference;
  throw new CliError(`--reference must be 'as-it-was' (the reference data when the records failed) or 'current' (re-evaluate with today's), not '${String(value)}'`, 64);
}

export function exitCodeOf(status: string): number {
  return status === 'succeeded' ? 0 : status === 'completed_with_exceptions' ? 3 : 2;
}

function problemsText(file: string, problems: FlowProblem[]): string {
  return [`${file}: ${problems.length} problem(s)`, ...problems.map((p) => `  ${p.nodeId ? `[${p.nodeId}] ` : ''}${p.path || '/'}: ${p.message}${p.position !== undefined ? ` (at position ${p.position})` : ''}`)].join('\n');
}

async function loadValidFlow(ctx: CommandContext, file: string, exitCode: number): Promise<{ doc: FlowDocument; dir: string }> {
  const { doc, dir } = await loadFlowFile(file);
  const problems = validateFlow(doc, catalog, ctx.evaluators.for(doc));
  if (problems.length) {
    if (ctx.values.json) ctx.out(JSON.stringify({ valid: false, problems }, null, 2));
    throw new CliError(`${problemsText(file, problems)}\nThe flow was not run.`, exitCode);
  }
  return { doc, dir };
}

/** The stored run's summary, as `run`, `replay` and `dlq replay` print it. */
export async function storedRunSummary(database: Database, run: RunRow) {
  const reconciliation = run.reconciliation ?? new ReconciliationBuilder().toReconciliation();
  const counts = run.counts;
  return {
    runId: run.id, flowId: run.flowId, version: run.version, status: run.status,
    counts: { read: counts.read, delivered: counts.delivered, quarantined: counts.quarantined, deadLettered: counts.deadLettered, duplicate: counts.duplicate, filtered: counts.filtered, aggregated: counts.aggregated ?? 0 },
    reconciliation, nodes: await database.store.getNodeStats(run.id), ...(run.error ? { error: run.error } : {}),
  };
}

async function printRun(ctx: CommandContext, database: Database, run: RunRow, doc: FlowDocument) {
  const summary = await storedRunSummary(database, run);
  if (ctx.values.json) {
    ctx.out(JSON.stringify(summary, null, 2));
    return;
  }
  const labels = new Map(doc.nodes.map((n) => [n.id, n.label ?? catalog.get(n.type)?.title ?? n.type]));
  ctx.out(`Run ${run.id} of flow ${run.flowId} (version ${run.version ?? '-'}): ${run.status}`);
  ctx.out(`  ${countsLine(run.counts, summary.reconciliation)}`);
  if (run.error) ctx.out(`  error: ${run.error.message}`);
  if (summary.nodes.length) ctx.out(nodeStatsText(summary.nodes, labels).replace(/^/gm, '  '));
  ctx.out(reconciliationText(summary.reconciliation).replace(/^/gm, '  '));
  if (run.counts.quarantined + run.counts.deadLettered > 0) {
    ctx.out(`  See the exceptions with: ledgerflow trace ${run.id}   Replay after a fix: ledgerflow replay ${run.id} --flow <fixed-flow-file>`);
  }
}

/** `--chunk-size <n>`: a whole number ≥ 1. */
function chunkSizeOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--chunk-size must be a whole number ≥ 1, not '${String(value)}'`, 64);
  return n;
}

export const FLOW_COMMANDS: Record<string, CommandDefinition> = {
  validate: {
    options: { json: { type: 'boolean' }, sample: { type: 'string', multiple: true } },
    async run(ctx) {
      const file = ctx.positionals[0];
      if (!file) throw new CliError('usage: ledgerflow validate <flow-file> [--sample <file>]… [--json]', 64);
      const { doc, dir } = await loadFlowFile(file);
      const problems = validateFlow(doc, catalog, ctx.evaluators.for(doc));
      // With samples (and a valid flow), paths that match nothing in them are named: warnings, not problems.
      const samples = (ctx.values.sample as string[] | undefined) ?? [];
      const warnings: SampleWarning[] = [];
      if (!problems.length && samples.length) {
        const reference = await loadReferenceData(doc, dir);
        for (const sample of samples) warnings.push(...await checkSample(doc, fileInput(resolve(sample)), { catalog, evaluators: ctx.evaluators, reference }));
      }
      if (ctx.values.json) ctx.out(JSON.stringify({ valid: problems.length === 0, problems, ...(samples.length ? { warnings } : {}) }, null, 2));
      else {
        ctx.out(problems.length ? problemsText(file, problems) : `${file}: valid (${doc.nodes.length} nodes, ${doc.edges.length} edges)`);
        for (const w of warnings) ctx.out(`  warning ${w.code}: ${w.message}`);
      }
      return problems.length ? 1 : 0;
    },
  },

  run: {
    options: {
      input: { type: 'string', short: 'i' }, json: { type: 'boolean' }, connections: { type: 'string' },
      'dry-run': { type: 'boolean' }, out: { type: 'string' }, 'chunk-size': { type: 'string' }, source: { type: 'string' },
    },
    async run(ctx) {
      const file = ctx.positionals[0];
      const input = ctx.values.input as string | undefined;
      if (!file) throw new CliError('usage: ledgerflow run <flow-file> [--input <file>] [--json]', 64);
      const { doc, dir } = await loadValidFlow(ctx, file, 2);
      const chunkSize = chunkSizeOption(ctx.values['chunk-size']);
      return withDatabase(ctx.settings, async (database) => {
        const { store } = database;
        const version = await ensureVersion(store, doc, 'cli', `run from ${file}`);
        await storeFileReferenceData(doc, dir, store);
        const options = { connections: ctx.values.connections as string, out: ctx.values.out as string, dir, chunkSize };
        return withLocalQueue(database, doc, options, ctx, async ({ deps, finished }) => {
          // The file is stored with the run, as an upload to the API is; without --input the source reads by itself (an API, a query) from its watermark.
          const queued = await startVersionRun(deps, {
            flowId: doc.id, version: version.version, environment: null, actor: 'cli',
            input: input ? { name: basename(input), bytes: await readFile(resolve(input)) } : undefined,
            triggerRef: input ? resolve(input) : null,
            sourceNodeId: ctx.values.source as string | undefined, dryRun: Boolean(ctx.values['dry-run']),
          });
          const run = await finished(queued.id);
          await printRun(ctx, database, run, doc);
          return exitCodeOf(run.status);
        });
      });
    },
  },

  replay: {
    options: { record: { type: 'string', multiple: true }, flow: { type: 'string' }, json: { type: 'boolean' }, connections: { type: 'string' }, out: { type: 'string' }, reference: { type: 'string' } },
    async run(ctx) {
      const runId = ctx.positionals[0];
      if (!runId) throw new CliError('usage: ledgerflow replay <run-id> [--record <key>] [--flow <fixed-flow-file>]', 64);
      return withDatabase(ctx.settings, async (database) => {
        const { store } = database;
        const failedRun = await store.getRun(runId);
        if (!failedRun) throw new CliError(`run ${runId} does not exist`, 2);
        let doc: FlowDocument;
        let version: number;
        let dir: string | null = null;
        if (ctx.values.flow) {
          const loaded = await loadValidFlow(ctx, ctx.values.flow as string, 2);
          if (loaded.doc.id !== failedRun.flowId) throw new CliError(`flow file is flow '${loaded.doc.id}' but run ${runId} is of flow '${failedRun.flowId}'`, 2);
          doc = loaded.doc;
          dir = loaded.dir;
          version = (await ensureVersion(store, doc, 'cli', `replay fix from ${ctx.values.flow}`)).version;
          await storeFileReferenceData(doc, loaded.dir, store);
        } else {
          const v = failedRun.version !== null ? await store.getVersion(failedRun.flowId, failedRun.version) : null;
          if (!v) throw new CliError(`run ${runId} has no stored version to replay against; pass --flow <file>`, 2);
          doc = v.document;
          version = v.version;
        }
        const records = ctx.values.record as unknown as string[] | undefined;
        const referenceMode = replayReferenceOption(ctx.values.reference);
        return withLocalQueue(database, doc, { connections: ctx.values.connections as string, out: ctx.values.out as string, dir }, ctx, async ({ deps, finished }) => {
          const queued = await replayDeadLetters(deps, {
            runId, recordKeys: records, against: { version }, reference: referenceMode, defaultEnvironment: null, actor: 'cli',
          });
          const run = await finished(queued.run.id);
          // 'current' is also dated (the moment it was read): only 'as it was' names a past moment.
          if (!ctx.values.json) ctx.out(`Replayed ${queued.letters.length} dead letter(s) of ${runId} against version ${version}, with ${referenceMode === 'as-it-was' ? `the reference data as it was at ${queued.referenceAsOf}` : 'the current reference data'}`);
          await printRun(ctx, database, run, doc);
          return exitCodeOf(run.status);
        });
      });
    },
  },

  nodes: {
    options: { json: { type: 'boolean' } },
    async run(ctx) {
      if (ctx.values.json) {
        ctx.out(JSON.stringify(nodeTypeDeclarations(catalog), null, 2));
      } else {
        ctx.out(table(['type', 'version', 'category', 'title'], catalog.all().map((d) => [d.type, d.version, d.category, d.title])));
      }
      return 0;
    },
  },
};
