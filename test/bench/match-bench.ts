/**
 * The match node's figure for `npm run bench`: 100,000 invoice lines matched against 300,000
 * receipt lines (three receipts a PO line, summed exactly; one quantity rule) in one engine run,
 * the keyed state (and the keys spilled beyond the node's limit) in the runtime's store (Postgres from TEST_DATABASE_URL, else the embedded
 * PGlite), traces counted and dropped, matched lines to a JSON Lines file. Prints one JSON line.
 *
 *   node --import tsx test/bench/match-bench.ts [invoice lines = 100000] [receipts a line = 3] [keys in memory = 20000]
 *
 * A smaller third argument (at least 100) makes a small run spill: e.g. `10000 3 1000`.
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
import { openPgliteDatabase, openPostgresDatabase } from '../../runtime/store/open-store.ts';
import { groupSpillOf } from '../../runtime/store/aggregate-partials-repo.ts';
import { MemoryLedger } from '../runtime/engine/engine-fixtures.ts';
import { dropSchemas, freshSchemaName } from '../runtime/queue/queue-fixtures.ts';
import { peakRssMb } from './peak-rss.ts';

const evaluators = createEvaluatorRegistry();

const INVOICES = Number(process.argv[2] ?? 100_000);
const RECEIPTS_A_LINE = Number(process.argv[3] ?? 3);
const KEYS_IN_MEMORY = Number(process.argv[4] ?? 20_000);
const url = process.env.TEST_DATABASE_URL;

const node = (id: string, type: string, x: number, config: Record<string, unknown>) => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });
const FLOW: FlowDocument = {
  id: 'bench-match', name: 'Match invoices to receipts', recordKey: "kind & ':' & id", businessKey: 'po',
  nodes: [
    node('docs', 'source.webhook', 0, {}),
    node('by-kind', 'route.condition', 200, { routes: [{ port: 'gr', condition: "kind = 'GR'" }, { port: 'inv', condition: "kind = 'INV'" }], defaultPort: null }),
    node('match', 'transform.match', 400, {
      stateName: 'bench-match',
      receipt: { key: ['po', 'line'], quantity: 'qty', id: 'id' },
      invoice: { key: ['po', 'line'], quantity: 'qty', id: 'id' },
      rules: [{ name: 'quantity-received', expression: '$decCmp($quantity, $decSub($received, $invoiced)) <= 0', message: '{{$quantity}} over {{$received}}' }],
      maxGroupsInMemory: KEYS_IN_MEMORY,
    }),
    node('ap', 'target.file', 600, { path: 'matched.jsonl', format: 'jsonl', idempotencyKey: 'id' }),
  ],
  edges: [
    { id: 'a', source: 'docs', target: 'by-kind' },
    { id: 'b', source: 'by-kind', sourceHandle: 'gr', target: 'match', targetHandle: 'receipt' },
    { id: 'c', source: 'by-kind', sourceHandle: 'inv', target: 'match', targetHandle: 'invoice' },
    { id: 'd', source: 'match', sourceHandle: 'matched', target: 'ap' },
  ],
};

/** Receipts then invoices, interleaved in blocks so a PO line's records fall in different chunks. */
function* documents(): Generator<GivenRecord> {
  const po = (i: number) => ({ po: `PO-${Math.floor(i / 4)}`, line: (i % 4) + 1 });
  for (let r = 0; r < RECEIPTS_A_LINE; r++) {
    for (let i = 0; i < INVOICES; i++) yield { data: { kind: 'GR', id: `GR-${i}-${r}`, ...po(i), qty: `${(i % 7) + 1}.5` } };
  }
  // Every tenth invoice asks for one unit more than was received: an exception.
  for (let i = 0; i < INVOICES; i++) yield { data: { kind: 'INV', id: `INV-${i}`, ...po(i), qty: `${RECEIPTS_A_LINE * ((i % 7) + 1.5) + (i % 10 === 0 ? 1 : 0)}` } };
}

const schema = url ? freshSchemaName('lf_match_bench') : undefined;
const database = url ? await openPostgresDatabase({ connectionString: url, schema, poolSize: 4 }) : await openPgliteDatabase({});
const dir = await mkdtemp(join(tmpdir(), 'lf-match-bench-'));
try {
  const evaluator = evaluators.for(FLOW);
  const reference = createReferenceData({});
  const flow = prepareFlow(FLOW, { catalog, evaluator, reference, functions: standardFunctions(reference) });
  const files = createFileSink(dir);
  let traces = 0;
  // A run row for the keys spilled beyond the node's limit (aggregate_partials belongs to a run).
  const run = await database.store.createRun({ flowId: FLOW.id, version: null, environment: null, trigger: 'bench', triggerRef: null, replayOf: null, referenceVersions: null });
  const started = performance.now();
  const result = await runFlow({
    runId: run.id, flow, groupSpill: groupSpillOf(database.store.sql, run.id), input: { kind: 'records', records: documents() }, ledger: new MemoryLedger(), state: database.store.keyedState,
    traces: { write: (t) => { traces += t.length; }, flush: async () => {} },
    connections: { sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); } },
    files, digest: (s) => createHash('sha256').update(s).digest('hex'),
  });
  const seconds = (performance.now() - started) / 1000;
  await files.close();
  const match = result.nodeStats.find((s) => s.nodeId === 'match');
  const records = INVOICES * (RECEIPTS_A_LINE + 1);
  console.log(JSON.stringify({
    backend: url ? 'postgres' : 'pglite', invoiceLines: INVOICES, keysInMemory: KEYS_IN_MEMORY, receiptLines: INVOICES * RECEIPTS_A_LINE, status: result.status, seconds,
    recordsPerSec: records / seconds, matched: match?.out ?? 0, exceptions: match?.invalid ?? 0, maxRssMb: peakRssMb(), traces,
    error: result.error?.message,
  }));
} finally {
  await rm(dir, { recursive: true, force: true });
  await database.close();
  if (url && schema) await dropSchemas(url, [schema, `${schema}_jobs`]);
}
