/** `validate`, `run`, `replay` and `nodes`. */
import { resolve } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import { validateFlow, type FlowProblem } from '../../nodes/validate-flow.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { nodeTypeDeclarations } from '../app/node-types.ts';
import { evaluatorFor } from '../evaluators.ts';
import { fileInput, loadFlowFile, loadReferenceData, loadReferenceSets, referenceVersionsOf, storeFileReferenceData } from '../flow-files.ts';
import { ensureVersion } from '../flow-versions.ts';
import { executeRun } from '../run-service.ts';
import { replayDeadLetters, type ReplayReference } from '../replay.ts';
import { checkSample, type SampleWarning } from '../sample-check.ts';
import type { RunRow } from '../store/store.ts';
import type { RunResult } from '../engine/run-flow.ts';
import { CliError } from './cli-error.ts';
import type { CommandContext, CommandDefinition } from './commands.ts';
import { localRunDeps, withDatabase } from './environment.ts';
import { countsLine, nodeStatsText, reconciliationText, table } from './format.ts';

/** Exit codes of `run` and `replay`: 0 succeeded, 3 completed with exceptions, 2 failed. */
/** `--reference as-it-was|current` of the replay commands. */
export function replayReferenceOption(value: unknown): ReplayReference {
  if (value === undefined || value === 'as-it-was' || value === 'current') return (value as ReplayReference | undefined) ?? 'current';
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
  const problems = validateFlow(doc, catalog, evaluatorFor(doc));
  if (problems.length) {
    if (ctx.values.json) ctx.out(JSON.stringify({ valid: false, problems }, null, 2));
    throw new CliError(`${problemsText(file, problems)}\nThe flow was not run.`, exitCode);
  }
  return { doc, dir };
}

function printRun(ctx: CommandContext, run: RunRow, result: RunResult, doc: FlowDocument) {
  const summary = {
    runId: run.id, flowId: run.flowId, version: run.version, status: result.status,
    counts: { read: result.counts.read, delivered: result.counts.delivered, quarantined: result.counts.quarantined, deadLettered: result.counts.deadLettered, duplicate: result.counts.duplicate, filtered: result.counts.filtered },
    reconciliation: result.reconciliation, nodes: result.nodeStats, ...(result.error ? { error: result.error } : {}),
  };
  if (ctx.values.json) {
    ctx.out(JSON.stringify(summary, null, 2));
    return;
  }
  const labels = new Map(doc.nodes.map((n) => [n.id, n.label ?? catalog.get(n.type)?.title ?? n.type]));
  ctx.out(`Run ${run.id} of flow ${run.flowId} (version ${run.version ?? '-'}): ${result.status}`);
  ctx.out(`  ${countsLine(result.counts, result.reconciliation)}`);
  if (result.error) ctx.out(`  error: ${result.error.message}`);
  if (result.nodeStats.length) ctx.out(nodeStatsText(result.nodeStats, labels).replace(/^/gm, '  '));
  ctx.out(reconciliationText(result.reconciliation).replace(/^/gm, '  '));
  if (result.counts.quarantined + result.counts.deadLettered > 0) {
    ctx.out(`  See the exceptions with: ledgerflow trace ${run.id}   Replay after a fix: ledgerflow replay ${run.id} --flow <fixed-flow-file>`);
  }
}

export const FLOW_COMMANDS: Record<string, CommandDefinition> = {
  validate: {
    options: { json: { type: 'boolean' }, sample: { type: 'string', multiple: true } },
    async run(ctx) {
      const file = ctx.positionals[0];
      if (!file) throw new CliError('usage: ledgerflow validate <flow-file> [--sample <file>]… [--json]', 64);
      const { doc, dir } = await loadFlowFile(file);
      const problems = validateFlow(doc, catalog, evaluatorFor(doc));
      // With samples (and a valid flow), paths that match nothing in them are named: warnings, not problems.
      const samples = (ctx.values.sample as string[] | undefined) ?? [];
      const warnings: SampleWarning[] = [];
      if (!problems.length && samples.length) {
        const reference = await loadReferenceData(doc, dir);
        for (const sample of samples) warnings.push(...await checkSample(doc, fileInput(resolve(sample)), { catalog, reference }));
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
      return withDatabase(ctx.settings, async (database) => {
        const { store } = database;
        const version = await ensureVersion(store, doc, 'cli', `run from ${file}`);
        await storeFileReferenceData(doc, dir, store);
        const deps = await localRunDeps(database, doc, { connections: ctx.values.connections as string, out: ctx.values.out as string, dir }, ctx);
        try {
          // The folder's files were just stored: the versions they are now are the ones this run reads.
          const { reference } = await loadReferenceSets(doc, dir, store);
          const referenceVersions = await referenceVersionsOf(doc, store);
          const { run, result } = await executeRun(deps, {
            doc, version: version.version, trigger: 'manual', triggerRef: input ? resolve(input) : null,
            // Without --input the source reads by itself (an API, a database query) from its watermark.
            input: input
              ? { kind: 'document', document: fileInput(resolve(input)), sourceNodeId: ctx.values.source as string | undefined }
              : { kind: 'source', sourceNodeId: ctx.values.source as string | undefined },
            reference, referenceVersions, dryRun: Boolean(ctx.values['dry-run']),
            chunkSize: ctx.values['chunk-size'] ? Number(ctx.values['chunk-size']) : undefined,
          });
          printRun(ctx, run, result, doc);
          return exitCodeOf(result.status);
        } finally {
          await deps.close();
        }
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
        let version: number | null;
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
        const deps = await localRunDeps(database, doc, { connections: ctx.values.connections as string, out: ctx.values.out as string, dir }, ctx);
        try {
          const records = ctx.values.record as unknown as string[] | undefined;
          const referenceMode = replayReferenceOption(ctx.values.reference);
          const { run, result, replayed, referenceAsOf } = await replayDeadLetters(deps, {
            runId, recordKeys: records, against: { doc, version }, referenceMode,
            loadReference: (asOf) => loadReferenceData(doc, dir, store, asOf),
          });
          // 'current' is also dated (the moment it was read): only 'as it was' names a past moment.
          if (!ctx.values.json) ctx.out(`Replayed ${replayed} dead letter(s) of ${runId} against version ${version}, with ${referenceMode === 'as-it-was' ? `the reference data as it was at ${referenceAsOf}` : 'the current reference data'}`);
          printRun(ctx, run, result, doc);
          return exitCodeOf(result.status);
        } finally {
          await deps.close();
        }
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
