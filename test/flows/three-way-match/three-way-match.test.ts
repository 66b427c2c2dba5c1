/**
 * The three-way-match example end to end through the durable queue, on PGlite and (with
 * TEST_DATABASE_URL) Postgres, with one job loop and with two: about 1,300 PO lines, 2,500 goods
 * receipts and 1,400 invoice lines (seeded). Day 1 posts the matched invoice lines to AP, quarantines
 * the exceptions with their reasons and holds the invoices whose receipts come late; day 2 brings
 * those receipts and releases them; day 2 again changes nothing. Counts, quantities and amounts are
 * exactly those computed independently here (integer cents).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { backendNames, openBackend, waitForRun, type OpenedBackend } from '../../runtime/queue/queue-fixtures.ts';
import { DEFAULT_COUNTS, generateMatchData, NO_PO_LINES } from './match-data.ts';
import { ExpectedMatch } from './match-expected.ts';
import { expectAp, expectLines, expectWaiting, loadThreeWayMatch, quarantineReasons } from './match-fixtures.ts';

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

for (const backend of backendNames()) {
  describe(`three-way match through the queue on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await loadThreeWayMatch(b.database, 'test');
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
        await expectAp(b.database, day1.posted, day1.postedQty, day1.postedCents);
        await expectWaiting(b.database, day1.held);
        const reasons = await quarantineReasons(b.store, first.id);
        expect(reasons).toEqual({ ...day1.exceptions, 'no-po': day1.noPo });

        await run('procurement-2026-12-04.jsonl', data.day2, 'succeeded');
        await expectAp(b.database, day1.posted + day2.posted, day1.postedQty + day2.postedQty, day1.postedCents + day2.postedCents);
        await expectWaiting(b.database, expected.heldNow.size);

        // The receipts re-sent: counted once, nothing released or posted again.
        // (Nothing is delivered: the run asks for a look, as any run that delivers nothing.)
        const again = await run('procurement-2026-12-04.jsonl', data.day2, 'completed_with_exceptions');
        expect(again.counts).toMatchObject({ delivered: 0, quarantined: 0 });
        await expectAp(b.database, day1.posted + day2.posted, day1.postedQty + day2.postedQty, day1.postedCents + day2.postedCents);

        await expectLines(b.store, 'test', expected);
      }, 900_000);
    }
  });
}
