/** `runs`, `trace` and `find`: what an operator asks, answered from the store. */
import type { RunStatus } from '../engine/run-types.ts';
import type { StoredTrace } from '../store/store.ts';
import { CliError } from './cli-error.ts';
import type { CommandDefinition } from './commands.ts';
import { withDatabase } from './store-env.ts';
import { countsLine, nodeStatsText, reconciliationText, table } from './format.ts';
import { cutNotice, limitOption } from './list-limit.ts';

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

function traceDetail(t: StoredTrace): string {
  const lines = [
    `record ${t.lineageKey} of run ${t.runId} (flow ${t.flowId} v${t.version ?? '-'})`,
    `  business key ${t.businessKey ?? '-'} · source key ${t.sourceKey}`,
    `  outcome ${t.outcome} at ${t.endNode}${t.targetRef ? ` · target ref ${t.targetRef}` : ''}${t.targetStatus ? ` · status ${t.targetStatus}` : ''}${t.idempotencyKey ? ` · idempotency key ${t.idempotencyKey}` : ''}`,
    `  path ${t.path.join(' → ')}`,
  ];
  if (t.error) lines.push(`  error [${t.error.errorClass}] ${t.error.message}`);
  for (const f of t.failures ?? []) lines.push(`  rule ${f.rule} (${f.severity})${f.field ? ` on ${f.field}` : ''}: ${f.message}`);
  for (const r of t.retries ?? []) lines.push(`  attempt ${r.attempt} at ${r.at}: [${r.error.errorClass}] ${r.error.message}`);
  lines.push(`  input  ${JSON.stringify(t.input)}`);
  for (const s of t.steps ?? []) lines.push(`  after ${s.node}: ${JSON.stringify(s.data)}`);
  lines.push(`  output ${JSON.stringify(t.output)}`);
  return lines.join('\n');
}

const traceRow = (t: StoredTrace) => [t.runId, t.lineageKey, t.businessKey ?? '', t.outcome, t.endNode, t.error ? `[${t.error.errorClass}] ${t.error.message}`.slice(0, 80) : t.targetRef ?? ''];

export const OPS_COMMANDS: Record<string, CommandDefinition> = {
  runs: {
    options: { flow: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, exceptions: { type: 'boolean' } },
    async run(ctx) {
      return withDatabase(ctx.settings, async (database) => {
        const { store } = database;
        const filter = { flowId: ctx.values.flow as string | undefined, status: ctx.values.status as RunStatus | undefined, hasExceptions: ctx.values.exceptions ? true : undefined };
        const page = await store.listRuns(filter, { limit: limitOption(ctx.values.limit, 20) });
        if (ctx.values.json) ctx.out(JSON.stringify(page, null, 2));
        else if (!page.items.length) ctx.out('No runs yet. Start one with: ledgerflow run <flow-file> --input <file>');
        else ctx.out(table(['run', 'flow', 'version', 'trigger', 'status', 'read', 'delivered', 'exceptions', 'closes', 'started'],
          page.items.map((r) => [r.id, r.flowId, r.version, r.trigger, r.status, r.counts.read, r.counts.delivered, r.counts.quarantined + r.counts.deadLettered, r.reconciliation ? (r.reconciliation.closes ? 'yes' : 'NO') : '', when(r.startedAt ?? r.createdAt)])));
        const cut = ctx.values.json ? null : await cutNotice(page, (p) => store.listRuns(filter, p), '--flow, --status or --exceptions to narrow');
        if (cut) ctx.out(cut);
        return 0;
      });
    },
  },

  trace: {
    options: { record: { type: 'string' }, json: { type: 'boolean' }, outcome: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx) {
      const runId = ctx.positionals[0];
      if (!runId) throw new CliError('usage: ledgerflow trace <run-id> [--record <key>] [--json]', 64);
      return withDatabase(ctx.settings, async (database) => {
        const { store } = database;
        const run = await store.getRun(runId);
        if (!run) throw new CliError(`run ${runId} does not exist`, 2);
        const record = ctx.values.record as string | undefined;
        if (record) {
          let trace = await store.getTrace(runId, record);
          if (!trace) {
            const found = await store.listTraces(runId, { search: record }, { limit: 2 });
            trace = found.items[0] ?? null;
          }
          if (!trace) throw new CliError(`run ${runId} has no record '${record}' (give a lineage key, source key or business key)`, 2);
          ctx.out(ctx.values.json ? JSON.stringify(trace, null, 2) : traceDetail(trace));
          return 0;
        }
        const stats = await store.getNodeStats(runId);
        const filter = { outcome: ctx.values.outcome as StoredTrace['outcome'] | undefined };
        const traces = await store.listTraces(runId, filter, { limit: limitOption(ctx.values.limit, 50) });
        if (ctx.values.json) {
          ctx.out(JSON.stringify({ run, nodes: stats, records: traces.items }, null, 2));
          return 0;
        }
        ctx.out(`Run ${run.id} of flow ${run.flowId} (version ${run.version ?? '-'}), ${run.trigger}: ${run.status}`);
        ctx.out(`  ${countsLine(run.counts, run.reconciliation)}`);
        if (run.error) ctx.out(`  error: ${run.error.message}`);
        ctx.out(nodeStatsText(stats).replace(/^/gm, '  '));
        ctx.out(reconciliationText(run.reconciliation).replace(/^/gm, '  '));
        ctx.out(table(['run', 'record', 'business key', 'outcome', 'ended at', 'error / target ref'], traces.items.map(traceRow)));
        const cut = await cutNotice(traces, (p) => store.listTraces(runId, filter, p), '--outcome or --record to narrow');
        if (cut) ctx.out(cut);
        return 0;
      });
    },
  },

  find: {
    options: { json: { type: 'boolean' }, limit: { type: 'string' } },
    async run(ctx) {
      const key = ctx.positionals[0];
      if (!key) throw new CliError('usage: ledgerflow find <business-key> [--json]', 64);
      return withDatabase(ctx.settings, async (database) => {
        const { store } = database;
        const found = await store.findByBusinessKey(key, { limit: limitOption(ctx.values.limit, 50) });
        if (ctx.values.json) ctx.out(JSON.stringify(found, null, 2));
        else if (!found.items.length) ctx.out(`No record with business key '${key}'`);
        else ctx.out(table(['run', 'record', 'business key', 'outcome', 'ended at', 'error / target ref'], found.items.map(traceRow)));
        const cut = ctx.values.json ? null : await cutNotice(found, (p) => store.findByBusinessKey(key, p), 'the newest are shown first');
        if (cut) ctx.out(cut);
        return 0;
      });
    },
  },
};
