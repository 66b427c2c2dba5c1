/**
 * Runs a flow without touching the outside world: targets are not written,
 * the idempotency ledger is not consulted, traces stay in memory. Used by the
 * designer's test run, mapping tests, release impact previews and the
 * example-flow golden tests.
 */
import { createHash } from 'node:crypto';
import type { ConnectionResolver, LookupSource, ReferenceData } from '../nodes/define-node.ts';
import { FlowError } from '../nodes/errors.ts';
import { createMemoryKeyedState } from './engine/memory-keyed-state.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import type { NodeCatalog } from '../nodes/node-catalog.ts';
import { standardFunctions } from '../nodes/expression/functions.ts';
import { prepareFlow } from './engine/prepare-flow.ts';
import { runFlow, type RunInput, type RunResult } from './engine/run-flow.ts';
import { NOT_EVALUATED_IN_PREVIEW, type DeadLetterEntry, type IdempotencyLedger, type RecordTrace, type TraceSink } from './engine/run-types.ts';
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';

export interface DryRunResult extends RunResult {
  traces: RecordTrace[];
  deadLetters: DeadLetterEntry[];
}

const NO_LEDGER: IdempotencyLedger = {
  claim: async () => { throw new Error('a dry run never claims idempotency keys'); },
  deliveredUnder: async () => new Map(),
  confirm: async () => {},
  answers: async () => new Map(),
  release: async () => {},
};

const notConnected = (name: string): never => {
  throw new FlowError('permanent', `not evaluated in preview: needs connection '${name}', which this preview does not open (a run of the flow queries it)`, {
    code: NOT_EVALUATED_IN_PREVIEW,
  });
};

/** A dry run's connections when none is handed in: each node asking for one is "not evaluated", naming it. */
const NO_CONNECTIONS: ConnectionResolver = { sql: notConnected, http: notConnected };

export async function dryRunFlow(options: {
  doc: FlowDocument;
  catalog: NodeCatalog;
  evaluator: ExpressionEvaluator;
  reference: ReferenceData;
  input: RunInput;
  /** Output records kept per node (default 100). */
  captureOutputs?: number;
  /** Most traces kept (default 10,000); counts stay exact beyond. */
  maxTraces?: number;
  signal?: AbortSignal;
  /** Connections lookups may read (a preview on the dev environment's); absent: none is opened. Targets are never written. */
  connections?: ConnectionResolver;
  /** Where lookups get rows (a designer test run: the dev environment's connections, through runtime/preview); absent: `connections`. */
  lookups?: LookupSource;
  /** The HTTP client lookups call through (default the global fetch). */
  fetch?: typeof fetch;
}): Promise<DryRunResult> {
  const traces: RecordTrace[] = [];
  const deadLetters: DeadLetterEntry[] = [];
  const maxTraces = options.maxTraces ?? 10_000;
  const sink: TraceSink = {
    write(t, d) {
      for (const x of t) if (traces.length < maxTraces) traces.push(x);
      for (const x of d) if (deadLetters.length < maxTraces) deadLetters.push(x);
    },
    flush: async () => {},
  };
  const flow = prepareFlow(options.doc, {
    catalog: options.catalog, evaluator: options.evaluator, reference: options.reference, functions: standardFunctions(options.reference),
  });
  const result = await runFlow({
    runId: 'dry-run', flow, input: options.input, ledger: NO_LEDGER, traces: sink,
    state: createMemoryKeyedState(),
    connections: options.connections ?? NO_CONNECTIONS,
    lookups: options.lookups,
    files: { append: async () => {} },
    fetch: options.fetch,
    digest: (s) => createHash('sha256').update(s).digest('hex'),
    dryRun: true, captureOutputs: options.captureOutputs ?? 100, signal: options.signal,
  });
  return { ...result, traces, deadLetters };
}
