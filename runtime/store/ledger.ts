/**
 * The idempotency ledger: one row per (scope, key) a target may write.
 * States: `pending` (claimed by a token, write in progress or crashed),
 * `delivered` (written; never claimable again), `released` (write failed,
 * free for the next claim). Each call is one statement for the whole batch.
 * Keys are sorted so two concurrent claims lock rows in the same order and
 * cannot deadlock.
 *
 * Per key, an upsert (`insert … on conflict`) costs Postgres about twice a plain
 * insert or update: it probes the primary key before inserting, then inserts the
 * index entry speculatively (or locks the row it found, then updates it). On the
 * embedded PGlite that was ~13 µs a key to claim and ~18 to confirm, against ~7
 * and ~11. So on the embedded database the usual case goes first as the plain statement — a
 * claim of keys never seen as one `insert` (all or nothing: a key already there fails
 * it with a unique violation), a confirm of keys this token holds as one `update` — and only
 * when that does not cover every key does the upsert run, which decides each key
 * exactly as it always did. The ledger runs on the store's own handle, one
 * statement a call outside any transaction, so a failed insert leaves nothing behind.
 */
import type { IdempotencyLedger } from '../engine/run-types.ts';
import type { Db } from './db.ts';
import { textArrayLiteral } from '../../nodes/target/postgres-statements.ts';

function uniqueSorted(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort();
}

/** After a plain claim met a key already there, claims of that scope go straight to the upsert this many times. */
const UPSERT_AFTER_CONFLICT = 16;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '23505';
}

export function createLedger(db: Db): IdempotencyLedger {
  // Scopes whose keys were recently found already claimed (a retry, a replay, a re-run of
  // the same input): their next claims skip the plain insert that would fail again.
  const conflicted = new Map<string, number>();
  return {
    async claim(scope, keys, claimToken) {
      const list = uniqueSorted(keys);
      if (list.length === 0) return new Set();
      // Only on the embedded database: on a server, a claim that meets a key already there (every retry and
      // replay) would write a unique-violation ERROR to the server's log, which operators watch.
      const skips = db.kind === 'pglite' ? conflicted.get(scope) : 0;
      if (skips === undefined) {
        try {
          await db.query(
            `insert into idempotency_ledger (scope, key, state, claim_token)
             select $1, k, 'pending', $3 from unnest($2::text[]) as k`,
            [scope, textArrayLiteral(list), claimToken],
          );
          return new Set(list);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          if (conflicted.size >= 1000) conflicted.clear();
          conflicted.set(scope, UPSERT_AFTER_CONFLICT);
        }
      } else if (db.kind === 'pglite') {
        if (skips <= 1) conflicted.delete(scope);
        else conflicted.set(scope, skips - 1);
      }
      // A row is (re)taken when it was released, or when this token already holds it
      // pending (a retried chunk). Delivered rows and other tokens' pending rows are left alone.
      const { rows } = await db.query<{ key: string }>(
        `insert into idempotency_ledger (scope, key, state, claim_token)
         select $1, k, 'pending', $3 from unnest($2::text[]) as k
         on conflict (scope, key) do update set state = 'pending', claim_token = excluded.claim_token, updated_at = now()
         where idempotency_ledger.state = 'released'
            or (idempotency_ledger.state = 'pending' and idempotency_ledger.claim_token = excluded.claim_token)
         returning key`,
        [scope, textArrayLiteral(list), claimToken],
      );
      return new Set(rows.map((r) => r.key));
    },

    async deliveredUnder(scope, keys, claimToken) {
      const list = uniqueSorted(keys);
      if (list.length === 0) return new Map();
      const { rows } = await db.query<{ key: string; target_ref: string | null }>(
        `select key, target_ref from idempotency_ledger
         where scope = $1 and key = any($2::text[]) and state = 'delivered' and claim_token = $3`,
        [scope, textArrayLiteral(list), claimToken],
      );
      return new Map(rows.map((r) => [r.key, r.target_ref]));
    },

    async confirm(scope, entries, claimToken) {
      const byKey = new Map<string, { ref: string | null; answer: string | null }>();
      for (const e of entries) byKey.set(e.key, { ref: e.ref ?? null, answer: e.answer === undefined ? null : JSON.stringify(e.answer) });
      const list = uniqueSorted(byKey.keys());
      if (list.length === 0) return;
      // Only on the embedded database, which has one connection: this update locks rows in the heap's order, and on
      // a server a concurrent claim of the same keys (by an upsert, in key order) could deadlock with it.
      if (db.kind === 'pglite' && entries.every((e) => e.answer === undefined)) {
        // What the upsert below does to a key this token holds and has not delivered, when there is no answer to keep.
        // Each key's ref is looked up in one jsonb object of the keys and their refs: its arguments are the statement's
        // parameters, so the planner makes it once, before the first row (a join with `unnest` of the refs was planned
        // as a loop over all of them for every row).
        const refs = list.map((k) => byKey.get(k)!.ref);
        const withRefs = refs.some((r) => r !== null);
        const { rowCount } = await db.query(
          `update idempotency_ledger set state = 'delivered',
             target_ref = ${withRefs ? 'jsonb_object($2::text[], $4::text[]) ->> key' : 'null'}, updated_at = now()
           where scope = $1 and key = any($2::text[]) and claim_token = $3 and state <> 'delivered'`,
          withRefs ? [scope, textArrayLiteral(list), claimToken, textArrayLiteral(refs)] : [scope, textArrayLiteral(list), claimToken],
        );
        if (rowCount === list.length) return;
      }
      // Also records keys never claimed (a target that confirms without claiming);
      // a key another token holds is not taken over.
      await db.query(
        `insert into idempotency_ledger (scope, key, state, claim_token, target_ref, target_answer)
         select $1, k, 'delivered', $4, r, a::jsonb from unnest($2::text[], $3::text[], $5::text[]) as e(k, r, a)
         on conflict (scope, key) do update set state = 'delivered', target_ref = excluded.target_ref,
           target_answer = coalesce(excluded.target_answer, idempotency_ledger.target_answer), updated_at = now()
         where idempotency_ledger.claim_token = excluded.claim_token and idempotency_ledger.state <> 'delivered'`,
        [scope, textArrayLiteral(list), textArrayLiteral(list.map((k) => byKey.get(k)!.ref)), claimToken, textArrayLiteral(list.map((k) => byKey.get(k)!.answer))],
      );
    },

    async answers(scope, keys) {
      const list = uniqueSorted(keys);
      if (list.length === 0) return new Map();
      const { rows } = await db.query<{ key: string; target_answer: string }>(
        `select key, target_answer::text as target_answer from idempotency_ledger
         where scope = $1 and key = any($2::text[]) and state = 'delivered' and target_answer is not null`,
        [scope, textArrayLiteral(list)],
      );
      return new Map(rows.map((r) => [r.key, JSON.parse(r.target_answer)]));
    },

    async release(scope, keys, claimToken) {
      const list = uniqueSorted(keys);
      if (list.length === 0) return;
      await db.query(
        `update idempotency_ledger set state = 'released', updated_at = now()
         where scope = $1 and key = any($2::text[]) and claim_token = $3 and state = 'pending'`,
        [scope, textArrayLiteral(list), claimToken],
      );
    },
  };
}
