/** The database rate limiter: slots of one key are handed out 1/rate apart across limiter instances (processes); keys are independent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import { databaseRateLimiter } from '../../../runtime/store/rate-limit-slots.ts';
import type { Store } from '../../../runtime/store/store.ts';

let store: Store;
beforeAll(async () => { store = await openPgliteStore({}); });
afterAll(() => store.close());

async function slots(key: string) {
  const { rows } = await store.sql.query<{ at: unknown }>('select extract(epoch from next_free_at) * 1000 as at from rate_limit_slots where key = $1', [key]);
  return rows.length ? Number(rows[0].at) : null;
}

describe('databaseRateLimiter', () => {
  it('moves a key\'s next free slot on by 1/rate for every request, whichever limiter instance takes it', async () => {
    // Two instances stand for two worker processes: they share nothing but the table.
    const a = databaseRateLimiter(store.sql);
    const b = databaseRateLimiter(store.sql);
    const before = Date.now();
    await a.acquire('test/erp', 10);
    const first = (await slots('test/erp'))!;
    await Promise.all([b.acquire('test/erp', 10), a.acquire('test/erp', 10), b.acquire('test/erp', 10)]);
    // Four requests at 10/s: never closer than 100 ms apart, so the last waited at least 300 ms.
    expect(Date.now() - before).toBeGreaterThanOrEqual(299);
    expect((await slots('test/erp'))! - first).toBeGreaterThanOrEqual(299);
    expect(await slots('prod/erp')).toBeNull(); // another environment: its own quota
  });

  it('takes no slot without a limit, and stops waiting when aborted', async () => {
    const limiter = databaseRateLimiter(store.sql);
    await limiter.acquire('test/none', 0);
    expect(await slots('test/none')).toBeNull();
    await limiter.acquire('test/slow', 1);
    const abort = new AbortController();
    const waiting = limiter.acquire('test/slow', 1, abort.signal); // its slot is a second away
    abort.abort(new Error('run cancelled'));
    await expect(waiting).rejects.toThrow('run cancelled');
  });
});
