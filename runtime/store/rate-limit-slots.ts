/**
 * A rate limiter kept in the database, so a connection's quota holds across
 * concurrent runs and every worker process sharing the store. One row per
 * key (environment/connection) holds the time of its next free request slot;
 * taking a slot is one atomic upsert that moves it on by 1/rate seconds, and
 * the caller waits until its slot. Times are the database's clock, so workers
 * on machines whose clocks differ still space their requests evenly.
 */
import { waitMs, type RateLimiter } from '../../nodes/target/rate-limiter.ts';
import type { SqlClient } from '../../nodes/define-node.ts';

const TAKE_SLOT = `
  insert into rate_limit_slots as s (key, next_free_at) values ($1, clock_timestamp() + make_interval(secs => $2::float8))
  on conflict (key) do update set next_free_at = greatest(s.next_free_at, clock_timestamp()) + make_interval(secs => $2::float8)
  returning extract(epoch from (s.next_free_at - make_interval(secs => $2::float8) - clock_timestamp())) * 1000 as wait_ms`;

/** A limiter whose slots are rows of `rate_limit_slots` in `db`. */
export function databaseRateLimiter(db: Pick<SqlClient, 'query'>): RateLimiter {
  return {
    async acquire(key, perSecond, signal) {
      if (!perSecond || perSecond <= 0 || !Number.isFinite(perSecond)) return;
      if (signal?.aborted) throw signal.reason;
      const { rows } = await db.query<{ wait_ms: unknown }>(TAKE_SLOT, [key, 1 / perSecond]);
      await waitMs(Number(rows[0].wait_ms), signal);
    },
  };
}
