/**
 * The aggregate node's figure for `npm run bench`: 1,000,000 GL lines summed
 * into 50,000 groups (exact decimals, count, EUR sum) in one engine run, in
 * its own process so its peak RSS is its own. The lines are made as they are
 * read (never held), traces are counted and dropped, and the 50,000 group
 * records go to a JSON Lines file: what is measured is the engine folding,
 * merging and emitting groups. Prints one JSON line.
 *
 * No heap flag: the process gets V8's default heap, as `ledgerflow` does.
 *
 *   node --import tsx test/bench/aggregate-bench.ts [lines = 1000000] [groups = 50000]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { createReferenceData } from '../../nodes/reference-data.ts';
import { standardFunctions } from '../../nodes/expression/functions.ts';
import { createFileSink } from '../../runtime/connectors/files.ts';
import { prepareFlow } from '../../runtime/engine/prepare-flow.ts';
import { runFlow, type GivenRecord } from '../../runtime/engine/run-flow.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { MemoryLedger } from '../runtime/engine/engine-fixtures.ts';
import { peakRssMb } from './peak-rss.ts';

const evaluators = createEvaluatorRegistry();

const LINES = Number(process.argv[2] ?? 1_000_000);
const GROUPS = Number(process.argv[3] ?? 50_000);

const FLOW: FlowDocument = {
  id: 'bench-aggregate', name: 'Aggregate GL lines', recordKey: 'id', businessKey: 'id',
  amount: { value: 'amount', currency: 'currency' },
  nodes: [
    { id: 'lines', type: 'source.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
    {
      id: 'sum', type: 'transform.aggregate', typeVersion: 1, position: { x: 200, y: 0 }, config: {
        groupBy: [{ field: 'cell', expression: 'cell' }, { field: 'currency', expression: 'currency' }],
        measures: [{ field: 'amount', op: 'sum', expression: 'amount' }, { field: 'amountEur', op: 'sum', expression: 'amountEur' }, { field: 'lines', op: 'count' }],
      },
    },
    { id: 'cells', type: 'target.file', typeVersion: 1, position: { x: 400, y: 0 }, config: { path: 'cells.jsonl', format: 'jsonl', idempotencyKey: "cell & '/' & currency" } },
  ],
  edges: [{ id: 'a', source: 'lines', target: 'sum' }, { id: 'b', source: 'sum', target: 'cells' }],
};

function* glLines(): Generator<GivenRecord> {
  for (let i = 1; i <= LINES; i++) {
    const cents = ((i * 7919) % 9_999_999) - 2_000_000;
    const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
    yield { data: { id: `JE-${i}`, cell: `C${i % GROUPS}`, currency: 'EUR', amount, amountEur: amount } };
  }
}

const dir = await mkdtemp(join(tmpdir(), 'lf-agg-bench-'));
try {
  const evaluator = evaluators.for(FLOW);
  const reference = createReferenceData({});
  const flow = prepareFlow(FLOW, { catalog, evaluator, reference, functions: standardFunctions(reference) });
  const files = createFileSink(dir);
  let traces = 0;
  const started = performance.now();
  const result = await runFlow({
    runId: 'bench', flow, input: { kind: 'records', records: glLines() }, ledger: new MemoryLedger(),
    traces: { write: (t) => { traces += t.length; }, flush: async () => {} },
    connections: { sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); } },
    files, digest: (s) => createHash('sha256').update(s).digest('hex'),
  });
  const seconds = (performance.now() - started) / 1000;
  await files.close();
  const sumStats = result.nodeStats.find((s) => s.nodeId === 'sum');
  console.log(JSON.stringify({
    lines: LINES, groups: sumStats?.out ?? 0, status: result.status, seconds,
    linesPerSec: LINES / seconds, maxRssMb: peakRssMb(), traces,
    delivered: result.counts.delivered, error: result.error?.message,
  }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
