/**
 * A lookup feeding a match: each invoice line's PO line is fetched from the ERP's table by a
 * `transform.lookup` (one Postgres query per chunk for its keys) and enters the match's order
 * side, while the invoice line itself enters the invoice side and goods receipts the receipt side
 * (all from one file, routed by type). Through the durable queue, on PGlite and (with
 * TEST_DATABASE_URL) Postgres, with one job loop and with two: matched lines posted with exact
 * totals, exceptions quarantined with their rules, lines whose PO is not in the ERP or whose
 * receipt is late held; the late receipts release theirs the next day. Exceptions replayed from
 * the dead-letter list are judged against the line as it is then: those whose missing receipt was
 * posted since are matched and posted once, the others quarantined again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import { replayDeadLetters } from '../../../runtime/app/dead-letters.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { backendNames, jsonlInput, openBackend, waitForRun, type OpenedBackend } from '../../runtime/queue/queue-fixtures.ts';
import { centsText } from './match-data.ts';
import { quarantineReasons } from './match-fixtures.ts';

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });
const key = ['poNumber', '$string(poLine)'];

/** Receipts and invoices → (invoices) lookup of their PO line in erp_po_line → match → AP / held. */
const flow: FlowDocument = {
  id: 'lookup-match', name: 'Invoices matched against PO lines looked up in the ERP',
  recordKey: "docType & ':' & docNo & '/' & $string(line)", businessKey: 'docNo',
  connections: { db: { kind: 'postgres' } },
  nodes: [
    node('docs', 'source.webhook', {}, 0),
    node('by-type', 'route.condition', { routes: [{ port: 'gr', condition: "docType = 'GR'" }, { port: 'inv', condition: "docType = 'INV'" }], defaultPort: null }, 200),
    node('po-lookup', 'transform.lookup', {
      source: 'postgres', connection: 'db', matchColumn: 'po_key', key: "poNumber & '/' & $string(poLine)", into: 'po', onMissing: 'default', default: '{}',
      query: "select po_number || '/' || line_no as po_key, po_number, line_no, unit_price::text as unit_price from erp_po_line where po_number || '/' || line_no = any($1)",
    }, 400),
    // Not on any PO in the ERP (found as {}): nothing goes to the order side, the invoice line waits, held.
    node('po-line', 'transform.jsonata', { expression: '$exists(po.po_number) ? po', fanOut: false }, 600),
    node('match', 'transform.match', {
      stateName: 'erp-match',
      order: { key: ['po_number', '$string(line_no)'] },
      receipt: { key, quantity: 'quantity', id: "docNo & '/' & $string(line)" },
      invoice: { key, quantity: 'quantity', id: "docNo & '/' & $string(line)" },
      rules: [
        { name: 'price-tolerance', expression: "$decCmp($decAbs($decSub(unitPrice, $order.unit_price)), $decMul($order.unit_price, '0.02')) <= 0", message: 'Unit price {{unitPrice}} is more than 2% from the PO price {{$order.unit_price}}' },
        { name: 'quantity-received', expression: '$decCmp($quantity, $decSub($received, $invoiced)) <= 0', message: '{{$quantity}} invoiced, {{$decSub($received, $invoiced)}} received and not yet invoiced' },
      ],
      into: 'match',
    }, 800),
    node('to-ap', 'transform.jsonata', { expression: '{ "invoiceNo": docNo, "lineNo": line, "quantity": quantity, "unitPrice": unitPrice, "amount": $decMul(quantity, unitPrice) }', fanOut: false }, 1000),
    node('ap', 'target.postgres', {
      connection: 'db', table: 'lm_ap_line', mode: 'insert', keyColumns: ['invoice_no', 'line_no'], batchSize: 100, idempotencyKey: "invoiceNo & '/' & $string(lineNo)",
      columns: { invoice_no: 'invoiceNo', line_no: 'lineNo', quantity: 'quantity', unit_price: 'unitPrice', amount: 'amount' },
    }, 1200),
    node('held', 'target.postgres', {
      connection: 'db', table: 'lm_held', mode: 'upsert', keyColumns: ['invoice_no', 'line_no'], batchSize: 100, idempotencyKey: "docNo & '/' & $string(line)",
      columns: { invoice_no: 'docNo', line_no: 'line', waiting_for: "=$join(match.waitingFor, ', ')" },
    }, 1000),
  ],
  edges: [
    { id: 'e1', source: 'docs', target: 'by-type' },
    { id: 'e2', source: 'by-type', sourceHandle: 'gr', target: 'match', targetHandle: 'receipt' },
    { id: 'e3', source: 'by-type', sourceHandle: 'inv', target: 'po-lookup' },
    { id: 'e4', source: 'by-type', sourceHandle: 'inv', target: 'match', targetHandle: 'invoice' },
    { id: 'e5', source: 'po-lookup', sourceHandle: 'found', target: 'po-line' },
    { id: 'e7', source: 'po-line', target: 'match', targetHandle: 'order' },
    { id: 'e8', source: 'match', sourceHandle: 'matched', target: 'to-ap' },
    { id: 'e9', source: 'to-ap', target: 'ap' },
    { id: 'e10', source: 'match', sourceHandle: 'unmatched', target: 'held' },
  ],
};

/** 300 PO lines: every tenth received only the next day, every tenth (+1) invoiced 5% over price, every tenth (+2) received one short. */
const LINES = 300;
const NOT_ON_PO = 4;
const poLines = Array.from({ length: LINES }, (_, i) => ({
  po: `PO-${String(Math.floor(i / 3) + 1).padStart(4, '0')}`, line: (i % 3) + 1, qty: BigInt(2 + (i % 50)), cents: BigInt(1000 + i * 37),
  kind: (['late', 'price', 'short'] as const)[i % 10] ?? 'exact',
}));
const price = (cents: bigint) => centsText(cents);
const receiptsOf = (l: (typeof poLines)[number], i: number) => {
  const qty = l.kind === 'short' ? l.qty - 1n : l.qty;
  const first = i % 4 === 0 ? qty / 2n : qty;
  const parts = first === qty ? [qty] : [first, qty - first];
  return parts.map((q, p) => ({ docType: 'GR', docNo: `GR-${i + 1}`, line: p + 1, poNumber: l.po, poLine: l.line, quantity: String(q) }));
};
const invoiceOf = (l: (typeof poLines)[number], i: number) => ({
  docType: 'INV', docNo: `INV-${i + 1}`, line: 1, poNumber: l.po, poLine: l.line, quantity: String(l.qty),
  unitPrice: price(l.kind === 'price' ? (l.cents * 105n) / 100n : l.cents),
});
const day1 = [
  ...poLines.flatMap((l, i) => [invoiceOf(l, i), ...(l.kind === 'late' ? [] : receiptsOf(l, i))]),
  ...Array.from({ length: NOT_ON_PO }, (_, k) => ({ docType: 'INV', docNo: `INV-X${k}`, line: 1, poNumber: 'PO-9999', poLine: k + 1, quantity: '1', unitPrice: '10.00' })),
];
const day2 = poLines.flatMap((l, i) => (l.kind === 'late' ? receiptsOf(l, i) : []));
const sumOf = (kind: string) => poLines.filter((l) => l.kind === kind).reduce((a, l) => ({ n: a.n + 1, cents: a.cents + l.qty * l.cents }), { n: 0, cents: 0n });

for (const backend of backendNames()) {
  describe(`a lookup feeding a match, through the queue on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      const db = targetDatabase(b.database, 'db');
      await db.query('create table if not exists erp_po_line (po_number text not null, line_no integer not null, unit_price numeric(18,2) not null, primary key (po_number, line_no))');
      await db.query('create table if not exists lm_ap_line (invoice_no text, line_no integer, quantity numeric(18,3) not null, unit_price numeric(18,2) not null, amount numeric(18,2) not null, primary key (invoice_no, line_no))');
      await db.query('create table if not exists lm_held (invoice_no text, line_no integer, waiting_for text not null, primary key (invoice_no, line_no))');
      await db.query('truncate erp_po_line, lm_ap_line, lm_held');
      await db.query(`insert into erp_po_line select * from unnest($1::text[], $2::int[], $3::numeric[])`, [poLines.map((l) => l.po), poLines.map((l) => l.line), poLines.map((l) => price(l.cents))]);
      await b.store.saveDraft(flow, 'tester');
      await b.store.saveVersion(flow.id, flow, 'tester', 'first');
    }, 300_000);

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    }, 300_000);

    for (const loops of [1, 2]) {
      it(`matches against the PO lines looked up, exactly, with ${loops} job loop(s)`, async () => {
        queue = await startQueue({ database: b.database, tuning: { chunkSize: 50 }, concurrency: loops });
        const run = async (records: unknown[]) => {
          const queued = await queue!.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', requestedBy: 'tester', input: jsonlInput(records) });
          const done = await waitForRun(b.store, queued.id, 300_000);
          expect(done.error?.message).toBeUndefined();
          return done;
        };
        const ap = async () => {
          const { rows } = await targetDatabase(b.database, 'db').query<{ n: unknown; amount: unknown; wrong: unknown }>(
            'select count(*) as n, coalesce(sum(amount), 0)::text as amount, count(*) filter (where amount <> quantity * unit_price) as wrong from lm_ap_line');
          return { n: Number(rows[0].n), amount: String(rows[0].amount), wrong: Number(rows[0].wrong) };
        };
        const held = async () => {
          const { rows } = await targetDatabase(b.database, 'db').query<{ waiting_for: string; n: unknown }>('select waiting_for, count(*) as n from lm_held group by 1 order by 1');
          return Object.fromEntries(rows.map((r) => [r.waiting_for, Number(r.n)]));
        };
        const exact = sumOf('exact');
        const late = sumOf('late');

        const first = await run(day1);
        expect(first.status).toBe('completed_with_exceptions');
        expect(await ap()).toEqual({ n: exact.n, amount: centsText(exact.cents), wrong: 0 });
        expect(await held()).toEqual({ 'order, receipt': NOT_ON_PO, receipt: late.n });
        expect(await quarantineReasons(b.store, first.id)).toEqual({ 'price-tolerance': sumOf('price').n, 'quantity-received': sumOf('short').n });
        // Every invoice line has exactly one outcome: the figures close.
        expect(first.reconciliation?.differences ?? []).toEqual([]);
        // One group per PO line (and per line not on a PO), each invoice line in it ending once.
        expect(first.reconciliation?.groups?.counts).toMatchObject({ read: LINES + NOT_ON_PO, delivered: exact.n + late.n + NOT_ON_PO, quarantined: sumOf('price').n + sumOf('short').n });

        const second = await run(day2);
        expect(second.status).toBe('succeeded');
        expect(await ap()).toEqual({ n: exact.n + late.n, amount: centsText(exact.cents + late.cents), wrong: 0 });

        // The late receipts again: counted once, nothing posted twice.
        await run(day2);
        expect(await ap()).toEqual({ n: exact.n + late.n, amount: centsText(exact.cents + late.cents), wrong: 0 });
      }, 600_000);
    }

    it('replays exceptions from the dead-letter list against the line as it is now: corrected ones post once, the others are quarantined again', async () => {
      queue = await startQueue({ database: b.database, tuning: { chunkSize: 50 }, concurrency: 1 });
      const deps = { database: b.database, launcher: queue.launcher };
      const ended = async (id: string) => {
        const done = await waitForRun(b.store, id, 300_000);
        expect(done.error?.message).toBeUndefined();
        return done;
      };
      const run = async (records: unknown[]) => ended((await queue!.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', requestedBy: 'tester', input: jsonlInput(records) })).id);
      const replay = async (req: { runId?: string; ids?: number[] }) => ended((await replayDeadLetters(deps, { ...req, against: { version: 1 }, defaultEnvironment: 'dev', actor: 'tester' })).run.id);
      const ap = async () => {
        const { rows } = await targetDatabase(b.database, 'db').query<{ n: unknown; amount: unknown }>('select count(*) as n, coalesce(sum(amount), 0)::text as amount from lm_ap_line');
        return { n: Number(rows[0].n), amount: String(rows[0].amount) };
      };
      const exact = sumOf('exact');
      const short = sumOf('short');
      const first = await run(day1);
      expect(await ap()).toEqual({ n: exact.n, amount: centsText(exact.cents) });
      const shortLetters = (await b.store.listDeadLetters({ runId: first.id }, { limit: 500 })).items
        .filter((d) => (d.error as { failures?: { rule: string }[] }).failures?.[0].rule === 'quantity-received');
      expect(shortLetters).toHaveLength(short.n);

      // The missing unit of each short line is received (a corrected receipt) in a later run: the exceptions stay decided.
      await run(poLines.flatMap((l, i) => (l.kind === 'short' ? [{ docType: 'GR', docNo: `GR-C${i + 1}`, line: 1, poNumber: l.po, poLine: l.line, quantity: '1' }] : [])));
      expect(await ap()).toEqual({ n: exact.n, amount: centsText(exact.cents) });

      // The day's exceptions replayed: the short lines now match and are posted, the price exceptions are quarantined again.
      const replayed = await replay({ runId: first.id });
      expect(replayed.counts).toMatchObject({ quarantined: 0 });
      expect(replayed.reconciliation?.groups?.counts).toMatchObject({ read: short.n + sumOf('price').n, delivered: short.n, quarantined: sumOf('price').n });
      expect(await ap()).toEqual({ n: exact.n + short.n, amount: centsText(exact.cents + short.cents) });
      expect(await quarantineReasons(b.store, replayed.id)).toEqual({ 'price-tolerance': sumOf('price').n });

      // The short lines' dead letters replayed once more: each is found posted (duplicate), nothing is posted twice.
      const again = await replay({ ids: shortLetters.map((d) => d.id) });
      expect(again.reconciliation?.groups?.counts).toMatchObject({ read: short.n, duplicate: short.n, delivered: 0, quarantined: 0 });
      expect(await ap()).toEqual({ n: exact.n + short.n, amount: centsText(exact.cents + short.cents) });
    }, 600_000);
  });
}
