/**
 * Delivery markers: one row per (scope, idempotency key) in the TARGET
 * database, inserted in the same transaction as the target rows. A batch
 * whose transaction committed has its markers, one that rolled back has none,
 * whatever moment the process died. So a chunk retried after a crash finds
 * the records it already wrote (same claim token: delivered, not written
 * again) and those another run wrote (another token: duplicate), and a run's
 * deliveries can be counted in the target itself for reconciliation.
 *
 * The table is created on first use when the connection's role may; otherwise
 * the database admin creates it with {@link DELIVERY_MARKER_DDL}.
 */
import type { DeliveryClaim, EarlierDelivery, SqlClient } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { classifyPgError } from './sql-errors.ts';
import { textArrayLiteral } from './postgres-statements.ts';

export const DELIVERY_MARKER_TABLE = 'ledgerflow_delivery';

/** What the admin runs in the target database when Ledgerflow's role may not create tables. */
export const DELIVERY_MARKER_DDL = `create table if not exists ${DELIVERY_MARKER_TABLE} (
  scope text not null,
  key text not null,
  run_id text not null,
  claim_token text not null,
  delivered_at timestamptz not null default now(),
  primary key (scope, key)
);
create index if not exists ${DELIVERY_MARKER_TABLE}_run on ${DELIVERY_MARKER_TABLE} (run_id, scope);`;

/** The same table in a MySQL/MariaDB target (`key` is a reserved word there). */
export const DELIVERY_MARKER_DDL_MYSQL = `create table if not exists ${DELIVERY_MARKER_TABLE} (
  scope varchar(255) not null,
  \`key\` varchar(500) not null,
  run_id varchar(100) not null,
  claim_token varchar(100) not null,
  delivered_at timestamp(6) not null default current_timestamp(6),
  primary key (scope, \`key\`),
  key ${DELIVERY_MARKER_TABLE}_run (run_id, scope)
) character set utf8mb4 collate utf8mb4_bin`;

const mysql = (sql: SqlClient) => sql.dialect === 'mysql';

/** Whether the marker table is there (Postgres: to_regclass; MySQL/MariaDB: the current database's catalog). */
async function markerTableExists(sql: SqlClient): Promise<boolean> {
  const { rows } = mysql(sql)
    ? await sql.query<{ found: string | null }>(`select table_name as found from information_schema.tables where table_schema = database() and table_name = $1`, [DELIVERY_MARKER_TABLE])
    : await sql.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [DELIVERY_MARKER_TABLE]);
  return Boolean(rows[0]?.found);
}

const ready = new WeakMap<SqlClient, Promise<void>>();

/** Makes sure the marker table exists, once per connection pool. */
export function ensureMarkerTable(sql: SqlClient, nodeId: string): Promise<void> {
  let done = ready.get(sql);
  if (!done) {
    done = createMarkerTable(sql, nodeId);
    ready.set(sql, done);
    done.catch(() => ready.delete(sql));
  }
  return done;
}

/**
 * True for the error of a marker table dropped after it was checked: the
 * caller forgets the check (see `forgetMarkerTable`) and tries once more.
 */
export function isMissingMarkerTable(err: unknown): boolean {
  const e = err as { details?: { code?: string }; code?: string; message?: string };
  const code = e?.details?.code ?? e?.code;
  return (code === '42P01' || code === '42S02') && String(e?.message).includes(DELIVERY_MARKER_TABLE);
}

/** Forgets that the marker table was found on this connection pool. */
export function forgetMarkerTable(sql: SqlClient): void {
  ready.delete(sql);
}

async function createMarkerTable(sql: SqlClient, nodeId: string): Promise<void> {
  if (await markerTableExists(sql)) return;
  try {
    if (mysql(sql)) await sql.query(DELIVERY_MARKER_DDL_MYSQL);
    else for (const statement of DELIVERY_MARKER_DDL.split(';').map((s) => s.trim()).filter(Boolean)) await sql.query(statement);
  } catch (err) {
    const code = (err as { details?: { code?: string }; code?: string }).details?.code ?? (err as { code?: string }).code;
    // Another process created it at the same moment.
    if (code === '23505' || code === '42P07') return;
    if (code === '42501' || code === '42000') {
      throw new FlowError('permanent', `the target database has no table ${DELIVERY_MARKER_TABLE}, which Ledgerflow needs to write each record exactly once, and this connection may not create it: ask the database admin to create it (see README, "How a run works")`, { nodeId, code: 'DELIVERY_MARKERS_MISSING' });
    }
    throw classifyPgError(err, { table: DELIVERY_MARKER_TABLE, nodeId });
  }
}

const adopted = new WeakMap<SqlClient, Map<string, Promise<void>>>();

/**
 * Moves markers still under the scope they had before migration 0008
 * (`<flow>/<node>`) to the target's scope, once per connection pool and
 * legacy scope: a chunk that wrote before the upgrade and is retried after it
 * finds its markers. Copied first (a key marked under both stays once), then
 * the old rows deleted; a role granted only select and insert (see README)
 * keeps them, which is harmless.
 */
export function adoptLegacyMarkers(sql: SqlClient, claim: DeliveryClaim): Promise<void> {
  const legacy = claim.legacyScope;
  // Scopes from before migration 0008 predate MySQL/MariaDB targets: nothing to adopt there.
  if (mysql(sql) || !legacy || legacy === claim.scope) return Promise.resolve();
  let byScope = adopted.get(sql);
  if (!byScope) adopted.set(sql, (byScope = new Map()));
  const key = `${legacy}\u0000${claim.scope}`;
  let done = byScope.get(key);
  if (!done) {
    done = (async () => {
      await sql.query(
        `insert into ${DELIVERY_MARKER_TABLE} (scope, key, run_id, claim_token, delivered_at)
         select $2, key, run_id, claim_token, delivered_at from ${DELIVERY_MARKER_TABLE} where scope = $1
         on conflict (scope, key) do nothing`,
        [legacy, claim.scope],
      );
      try {
        await sql.query(`delete from ${DELIVERY_MARKER_TABLE} where scope = $1`, [legacy]);
      } catch (err) {
        const code = (err as { details?: { code?: string }; code?: string }).details?.code ?? (err as { code?: string }).code;
        if (code !== '42501') throw err;
      }
    })();
    byScope.set(key, done);
    done.catch(() => byScope.delete(key));
  }
  return done;
}

/**
 * Inserts the markers of `keys` in the caller's transaction, in one statement.
 * Returns the keys whose marker is new (to be written now) and, for the
 * others, whether this claim or another one wrote them. A marker held by a
 * concurrent, uncommitted transaction makes this wait for it: two attempts of
 * one chunk never both write a record.
 */
export async function insertMarkers(tx: SqlClient, claim: DeliveryClaim, keys: string[]): Promise<{ fresh: Set<string>; earlier: Map<string, EarlierDelivery> }> {
  if (mysql(tx)) return insertMySqlMarkers(tx, claim, keys);
  const { rows } = await tx.query<{ key: string }>(
    `insert into ${DELIVERY_MARKER_TABLE} (scope, key, run_id, claim_token)
     select $1, k, $3, $4 from unnest($2::text[]) as k
     on conflict (scope, key) do nothing
     returning key`,
    [claim.scope, textArrayLiteral(keys), claim.runId, claim.claimToken],
  );
  const fresh = new Set(rows.map((r) => r.key));
  const earlier = new Map<string, EarlierDelivery>();
  if (fresh.size === keys.length) return { fresh, earlier };
  const rest = keys.filter((k) => !fresh.has(k));
  const found = await tx.query<{ key: string; claim_token: string }>(
    `select key, claim_token from ${DELIVERY_MARKER_TABLE} where scope = $1 and key = any($2::text[])`,
    [claim.scope, textArrayLiteral(rest)],
  );
  return whoWrote(found.rows, claim, fresh);
}

function whoWrote(found: { key: string; claim_token: string }[], claim: DeliveryClaim, fresh: Set<string>): { fresh: Set<string>; earlier: Map<string, EarlierDelivery> } {
  const earlier = new Map<string, EarlierDelivery>();
  for (const r of found) earlier.set(r.key, r.claim_token === claim.claimToken ? 'same-claim' : 'other-claim');
  return { fresh, earlier };
}

/**
 * MySQL/MariaDB: one INSERT per key; a key already marked, or held by a
 * concurrent transaction until it commits, is a duplicate (23000), which
 * leaves the transaction open there. Then the owners of the others. (Not
 * INSERT IGNORE: that would also cut a too-long key silently.)
 */
async function insertMySqlMarkers(tx: SqlClient, claim: DeliveryClaim, keys: string[]): Promise<{ fresh: Set<string>; earlier: Map<string, EarlierDelivery> }> {
  const fresh = new Set<string>();
  for (const key of keys) {
    try {
      await tx.query(`insert into ${DELIVERY_MARKER_TABLE} (scope, \`key\`, run_id, claim_token) values ($1, $2, $3, $4)`, [claim.scope, key, claim.runId, claim.claimToken]);
      fresh.add(key);
    } catch (err) {
      if ((err as FlowError).details?.code !== '23000') throw err;
    }
  }
  const rest = keys.filter((k) => !fresh.has(k));
  if (rest.length === 0) return { fresh, earlier: new Map() };
  const found = await tx.query<{ key: string; claim_token: string }>(
    `select \`key\`, claim_token from ${DELIVERY_MARKER_TABLE} where scope = $1 and \`key\` in (${rest.map((_, i) => `$${i + 2}`).join(', ')})`,
    [claim.scope, ...rest],
  );
  return whoWrote(found.rows, claim, fresh);
}

/** Records `runId` delivered into this target, by its markers (none when the table was never created). */
export async function countMarkers(sql: SqlClient, claim: { scope: string; runId: string }): Promise<number> {
  if (!(await markerTableExists(sql))) return 0;
  const { rows } = await sql.query<{ n: unknown }>(
    `select count(*) as n from ${DELIVERY_MARKER_TABLE} where run_id = $1 and scope = $2`,
    [claim.runId, claim.scope],
  );
  return Number(rows[0]?.n ?? 0);
}
