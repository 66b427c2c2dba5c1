/**
 * A concurrency limiter kept in the database, so a connection's `maxConcurrent`
 * holds across concurrent runs and every worker process sharing the store.
 * Each request in flight holds one numbered place (1..max) of its key
 * (environment/connection) in `connection_leases`. A place is taken by one
 * atomic insert that only succeeds on a free or expired place; the holder
 * renews its lease while it holds it and deletes it when the answer is in. A
 * worker that crashes stops renewing, so its places free themselves after
 * `leaseMs`. Times are the database's clock.
 */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../../nodes/define-node.ts';
import type { ConcurrencyLimiter } from '../../nodes/target/concurrency-limiter.ts';
import { waitMs } from '../../nodes/target/rate-limiter.ts';

// The first place of 1..max that is free or expired; a concurrent taker of the same place makes the
// conflict's update see a live lease, so one of them gets no row and tries again.
const TAKE_PLACE = `
  insert into connection_leases as l (key, slot, holder, expires_at)
  select $1, s, $2, clock_timestamp() + make_interval(secs => $4::float8)
  from generate_series(1, $3::int) s
  where not exists (select 1 from connection_leases o where o.key = $1 and o.slot = s and o.expires_at > clock_timestamp())
  order by s limit 1
  on conflict (key, slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
    where l.expires_at <= clock_timestamp()
  returning slot`;

const RENEW = 'update connection_leases set expires_at = clock_timestamp() + make_interval(secs => $4::float8) where key = $1 and slot = $2 and holder = $3';
const GIVE_BACK = 'delete from connection_leases where key = $1 and slot = $2 and holder = $3';

export interface ConnectionLeaseOptions {
  /** How long a place stays held without renewal (a crashed holder's places free after this); default 30 s. */
  leaseMs?: number;
  /** Longest pause between attempts while every place is held; default 250 ms. */
  maxPollMs?: number;
}

/** A limiter whose places are rows of `connection_leases` in `db`. */
export function databaseConcurrencyLimiter(db: Pick<SqlClient, 'query'>, options: ConnectionLeaseOptions = {}): ConcurrencyLimiter {
  const leaseMs = options.leaseMs ?? 30_000;
  const maxPollMs = options.maxPollMs ?? 250;
  return {
    async acquire(key, max, signal) {
      if (!max || max <= 0 || !Number.isFinite(max)) return async () => {};
      const holder = randomUUID();
      let pause = 5;
      let slot: number | undefined;
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        const { rows } = await db.query<{ slot: unknown }>(TAKE_PLACE, [key, holder, Math.floor(max), leaseMs / 1000]);
        if (rows.length) {
          slot = Number(rows[0].slot);
          break;
        }
        await waitMs(pause, signal);
        pause = Math.min(maxPollMs, pause * 2);
      }
      // Renew at a third of the lease, so a slow answer never lets the place lapse while it is in flight.
      const renewal = setInterval(() => {
        db.query(RENEW, [key, slot, holder, leaseMs / 1000]).catch(() => {});
      }, Math.max(10, leaseMs / 3));
      renewal.unref?.();
      let held = true;
      return async () => {
        if (!held) return;
        held = false;
        clearInterval(renewal);
        await db.query(GIVE_BACK, [key, slot, holder]);
      };
    },
  };
}
