/**
 * The three-way-match example end to end through the durable queue, on PGlite and (with
 * TEST_DATABASE_URL) Postgres, with one job loop and with two: about 1,300 PO lines, 2,500 goods
 * receipts and 1,400 invoice lines (seeded). Day 1 posts the matched invoice lines to AP, quarantines
 * the exceptions with their reasons and holds the invoices whose receipts come late; day 2 brings
 * those receipts and releases them; day 2 again changes nothing. Counts, quantities and amounts are
 * exactly those computed independently here (integer cents).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RuleFailure } from '../../../nodes/errors.ts';
import { DELIVERY_MARKER_TABLE } from '../../../nodes/target/delivery-markers.ts';
import type { LineState } from '../../../nodes/transform/match-lines.ts';
import { loadExamples } from '../../../runtime/api/bootstrap.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { backendNames, openBackend, waitForRun, type OpenedBackend } from '../../runtime/queue/queue-fixtures.ts';
import { centsText, DEFAULT_COUNTS, generateMatchData, NO_PO_LINES } from './match-data.ts';
import { ExpectedMatch } from './match-expected.ts';

const data = generateMatchData();
const expected = new ExpectedMatch();
const day1 = expected.day(data.day1);
const day2 = expected.day(data.day2);

describe('generated three-way-match data', () => {
  it('has every case, and the expectations follow from them', () => {
    const c = DEFAULT_COUNTS;
    expect(data.poLines.length).toBe(Object.values(c).reduce((a, b) => a + b, 0));
    expect(data.receipts.length).toBeGreaterThan(data.poLines.length * 1.5);
    expect(data.invoices.length).toBe(data.poLines.length + c.split + c.over + NO_PO_LINES);
    // Every late line is held on day 1 and released into AP on day 2; never-received lines stay held.
    expect(day1).toMatchObject({ held: c.late + c.never, noPo: NO_PO_LINES, released: 0 });
    expect(day1.exceptions).toEqual({ 'price-tolerance': c.price, 'quantity-received': c.short + c.over, 'price-tolerance+quantity-received': c.both });
    expect(day1.posted).toBe(c.exact + c.tolerance + 2 * c.split + c.over);
    expect(day2).toMatchObject({ released: c.late, posted: c.late, held: 0, exceptions: {} });
    expect(expected.heldNow.size).toBe(c.never);
    expect(generateMatchData().day1).toBe(data.day1);
  });
});

let flowsDir = '';
beforeAll(async () => {
  flowsDir = await mkdtemp(join(tmpdir(), 'lf-3wm-'));
  await cp(resolve(import.meta.dirname, '../../../flows/three-way-match'), join(flowsDir, 'three-way-match'), { recursive: true });
});
afterAll(() => rm(flowsDir, { recursive: true, force: true }));

for (const backend of backendNames()) {
  describe(`three-way match through the queue on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await loadExamples(b.database, { dir: flowsDir, environment: 'test' });
      // The `ap` database outlives a reused store: start from empty tables and no delivery markers.
      const ap = targetDatabase(b.database, 'ap');
      await ap.query('truncate ap_invoice_line, ap_invoice_held');
      const markers = await ap.query<{ t: unknown }>('select to_regclass($1)::text as t', [DELIVERY_MARKER_TABLE]);
      if (markers.rows[0].t) await ap.query(`truncate ${DELIVERY_MARKER_TABLE}`);
    }, 300_000);

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    }, 300_000);

    for (const loops of [1, 2]) {
      it(`posts, quarantines, holds and releases exactly as expected, each once, with ${loops} job loop(s)`, async () => {
        queue = await startQueue({ database: b.database, tuning: { chunkSize: 250 }, concurrency: loops });
        const run = async (name: string, text: string, status: string) => {
          const queued = await queue!.launcher.enqueue({
            flowId: 'three-way-match', version: 1, environment: 'test', trigger: 'manual', requestedBy: 'tester',
            input: { kind: 'document', name, bytes: new TextEncoder().encode(text) },
          });
          const done = await waitForRun(b.store, queued.id, 600_000);
          expect(done.error?.message).toBeUndefined();
          expect(done.status).toBe(status);
          return done;
        };

        const first = await run('procurement-2026-12-03.jsonl', data.day1, 'completed_with_exceptions');
        await expectAp(day1.posted, day1.postedQty, day1.postedCents);
        await expectWaiting(day1.held);
        const reasons = await quarantineReasons(b.store, first.id);
        expect(reasons).toEqual({ ...day1.exceptions, 'no-po': day1.noPo });

        await run('procurement-2026-12-04.jsonl', data.day2, 'succeeded');
        await expectAp(day1.posted + day2.posted, day1.postedQty + day2.postedQty, day1.postedCents + day2.postedCents);
        await expectWaiting(expected.heldNow.size);

        // The receipts re-sent: counted once, nothing released or posted again.
        // (Nothing is delivered: the run asks for a look, as any run that delivers nothing.)
        const again = await run('procurement-2026-12-04.jsonl', data.day2, 'completed_with_exceptions');
        expect(again.counts).toMatchObject({ delivered: 0, quarantined: 0 });
        await expectAp(day1.posted + day2.posted, day1.postedQty + day2.postedQty, day1.postedCents + day2.postedCents);

        // The keyed state agrees, line by line: what was received, and invoiced into AP.
        const keys = [...expected.lines.keys()];
        const state = await b.store.keyedState.read('test/three-way-match', keys);
        const wrong = keys.filter((k) => {
          const line = state.get(k) as LineState | undefined;
          const want = expected.lines.get(k)!;
          return !line || BigInt(line.received) !== want.received || BigInt(line.invoiced) !== want.invoiced || line.held.length !== want.held.length;
        });
        expect(wrong.slice(0, 5)).toEqual([]);
      }, 900_000);
    }

    async function expectAp(lines: number, qty: bigint, amountCents: bigint) {
      const { rows } = await targetDatabase(b.database, 'ap').query<{ n: unknown; qty: unknown; amount: unknown; wrong: unknown }>(
        `select count(*) as n, coalesce(sum(quantity), 0)::numeric(18,0)::text as qty, coalesce(sum(amount), 0)::text as amount,
                count(*) filter (where amount <> quantity * unit_price) as wrong from ap_invoice_line`);
      expect({ n: Number(rows[0].n), qty: String(rows[0].qty), amount: String(rows[0].amount), wrong: Number(rows[0].wrong) })
        .toEqual({ n: lines, qty: String(qty), amount: centsText(amountCents), wrong: 0 });
    }

    async function expectWaiting(n: number) {
      const { rows } = await targetDatabase(b.database, 'ap').query<{ n: unknown }>('select count(*) as n from ap_invoice_waiting');
      expect(Number(rows[0].n)).toBe(n);
    }
  });
}

/** The run's quarantined records by reason: the failed rules of each exception, or no PO number. */
async function quarantineReasons(store: Store, runId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor: string | undefined;
  do {
    const page = await store.listDeadLetters({ runId }, { limit: 500, cursor });
    for (const d of page.items) {
      const failures = (d.error as { failures?: RuleFailure[] }).failures;
      const reason = failures?.length ? failures.map((f) => f.rule).join('+') : d.error.field === '/invoice/key/0' ? 'no-po' : d.error.message;
      out[reason] = (out[reason] ?? 0) + 1;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
