/**
 * The database concurrency limiter (connection_leases, 0011): at most `max` places of a key are held at once
 * across limiter instances (processes), a released place is taken by a waiter, keys are independent, and a
 * crashed holder's place frees itself when its lease runs out. PGlite, and Postgres when TEST_DATABASE_URL is set.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { databaseConcurrencyLimiter } from '../../../runtime/store/connection-leases.ts';
import type { Release } from '../../../nodes/target/concurrency-limiter.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { storeBackends } from './store-backends.ts';

async function held(store: Store, key: string): Promise<number> {
  const { rows } = await store.sql.query<{ n: unknown }>('select count(*) as n from connection_leases where key = $1 and expires_at > clock_timestamp()', [key]);
  return Number(rows[0].n);
}

async function until(what: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const backend of storeBackends()) {
  describe(`databaseConcurrencyLimiter (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('holds at most max places of a key across instances; a released place goes to a waiter', async () => {
      const store = await backend.open();
      // Two instances on two pools stand for two worker processes: they share nothing but the table.
      const a = databaseConcurrencyLimiter(store.sql, { maxPollMs: 20 });
      const b = databaseConcurrencyLimiter((await backend.openSibling(store)).sql, { maxPollMs: 20 });
      const first = await Promise.all([a.acquire('test/erp', 2), b.acquire('test/erp', 2)]);
      expect(await held(store, 'test/erp')).toBe(2);
      let third: Release | undefined;
      const waiting = a.acquire('test/erp', 2).then((r) => { third = r; });
      const other = await b.acquire('prod/erp', 2); // another environment: its own places
      expect(await held(store, 'prod/erp')).toBe(1);
      expect(third).toBeUndefined(); // both test/erp places are held
      await first[1]();
      await waiting;
      expect(await held(store, 'test/erp')).toBe(2);
      await Promise.all([first[0](), third!(), other()]);
      expect(await held(store, 'test/erp')).toBe(0);
    });

    it('frees a crashed holder\'s place when its lease runs out; takes no place without a limit; stops waiting when aborted', async () => {
      const store = await backend.open();
      // A worker that took the only place and died: nobody renews or deletes its lease.
      await store.sql.query("insert into connection_leases (key, slot, holder, expires_at) values ('test/api', 1, 'crashed', clock_timestamp() + interval '1 second')");
      const limiter = databaseConcurrencyLimiter(store.sql, { leaseMs: 60_000, maxPollMs: 50 });
      const abort = new AbortController();
      const cancelled = limiter.acquire('test/api', 1, abort.signal);
      abort.abort(new Error('run cancelled'));
      await expect(cancelled).rejects.toThrow('run cancelled');
      const release = await limiter.acquire('test/api', 1); // waits out the dead lease
      const { rows } = await store.sql.query<{ holder: string }>("select holder from connection_leases where key = 'test/api'");
      expect(rows.map((r) => r.holder)).not.toContain('crashed');
      await release();
      await (await limiter.acquire('test/none', 0))();
      expect(await held(store, 'test/none')).toBe(0);
    });

    it('renews a held place while its request is in flight, so a slow answer never loses it', async () => {
      const store = await backend.open();
      const limiter = databaseConcurrencyLimiter(store.sql, { leaseMs: 600, maxPollMs: 20 });
      const release = await limiter.acquire('test/slow', 1);
      const { rows } = await store.sql.query<{ at: unknown }>("select extract(epoch from expires_at) * 1000 as at from connection_leases where key = 'test/slow'");
      const firstExpiry = Number(rows[0].at);
      await until(async () => {
        const now = await store.sql.query<{ at: unknown }>("select extract(epoch from expires_at) * 1000 as at from connection_leases where key = 'test/slow'");
        return Number(now.rows[0].at) > firstExpiry;
      });
      await release();
      expect(await held(store, 'test/slow')).toBe(0);
    });
  });
}
