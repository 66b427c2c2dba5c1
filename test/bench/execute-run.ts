/**
 * The benchmark's engine run: the whole flow in this one process (runFlow),
 * traces to the store, without the queue's split and chunk jobs, so the
 * engine's own cost is measured apart from the queue's. Runs in production
 * (API, CLI, triggers) all go through the queue (runtime/queue).
 */
import type { ConnectionResolver, FileSink, ReferenceData } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/catalog.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { standardFunctions } from '../../nodes/expression/functions.ts';
import { toFlowError } from '../../nodes/errors.ts';
import { prepareFlow } from '../../runtime/engine/prepare-flow.ts';
import { runFlow, type RunInput, type RunResult } from '../../runtime/engine/run-flow.ts';
import type { RunRow, Store } from '../../runtime/store/store.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { ReconciliationBuilder } from '../../runtime/engine/reconcile.ts';
import { runtimeFetch } from '../../runtime/connectors/http-client.ts';
import { deletePartials, groupSpillOf } from '../../runtime/store/aggregate-partials-repo.ts';
import { sha256 } from '../../runtime/queue/split-job.ts';
import type { ReferenceVersions } from '../../runtime/store/reference-sets.ts';

const evaluators = createEvaluatorRegistry();

export interface RunServiceDeps {
  store: Store;
  catalog: NodeCatalog;
  connections: ConnectionResolver;
  files: FileSink;
  /** Default: the runtime's HTTP client (see `runtimeFetch`). */
  fetch?: typeof fetch;
  /** Called once the run row exists, before the flow runs (e.g. its audit entry). */
  onRunCreated?: (run: RunRow) => Promise<void>;
}

export interface StartRunRequest {
  doc: FlowDocument;
  version: number | null;
  environment?: string | null;
  trigger: string;
  triggerRef?: string | null;
  input: RunInput;
  reference: ReferenceData;
  /** The stored reference data versions `reference` holds, recorded on the run. */
  referenceVersions?: ReferenceVersions | null;
  replayOf?: string | null;
  dryRun?: boolean;
  chunkSize?: number;
  signal?: AbortSignal;
  runId?: string;
}

export async function executeRun(deps: RunServiceDeps, req: StartRunRequest): Promise<{ run: RunRow; result: RunResult }> {
  const { store } = deps;
  const run = await store.createRun({
    id: req.runId, flowId: req.doc.id, version: req.version, environment: req.environment ?? null,
    trigger: req.trigger, triggerRef: req.triggerRef ?? null, replayOf: req.replayOf ?? null, referenceVersions: req.referenceVersions ?? null,
  });
  await deps.onRunCreated?.(run);
  await store.setRunStatus(run.id, 'running');
  const environment = req.environment ?? 'local';
  let result: RunResult;
  try {
    const evaluator = evaluators.for(req.doc);
    const flow = prepareFlow(req.doc, {
      catalog: deps.catalog, evaluator, reference: req.reference, functions: standardFunctions(req.reference), environment: req.environment,
    });
    const sourceId = req.input.sourceNodeId ?? flow.sources[0].id;
    const watermark = (await store.getWatermark(req.doc.id, sourceId, environment)) ?? undefined;
    const traces = store.openTraceSink({ runId: run.id, flowId: req.doc.id, version: req.version, environment: req.environment ?? null });
    result = await runFlow({
      runId: run.id, flow, input: req.input, ledger: store.ledger, state: store.keyedState, traces,
      connections: deps.connections, files: deps.files, fetch: deps.fetch ?? runtimeFetch(), digest: sha256,
      watermark, dryRun: req.dryRun, chunkSize: req.chunkSize, signal: req.signal,
      groupSpill: groupSpillOf(store.sql, run.id),
    });
    await deletePartials(store.sql, run.id);
    await store.addNodeStats(run.id, result.nodeStats);
    if (result.status !== 'failed' && result.status !== 'cancelled' && !req.dryRun) {
      for (const w of result.watermarks) await store.setWatermark(req.doc.id, w.nodeId, environment, w.value);
    }
  } catch (err) {
    // The flow could not even start (invalid flow, unknown connection): nothing was read.
    const error = toFlowError(err, 'permanent').toJSON();
    const reconciliation = new ReconciliationBuilder().toReconciliation();
    result = { status: 'failed', counts: reconciliation.counts, reconciliation, nodeStats: [], error, watermarks: [] };
  }
  await store.finishRun(run.id, { status: result.status, counts: result.counts, reconciliation: result.reconciliation, error: result.error ?? null });
  return { run: (await store.getRun(run.id))!, result };
}
