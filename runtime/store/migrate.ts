/**
 * Versioned migrations: `migrations/NNNN_name.sql`, applied in order, each in
 * its own transaction, recorded in `schema_migrations`. Several processes may
 * start at once against one Postgres: a session advisory lock lets one of them
 * migrate while the others wait, then find nothing left to do.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Db } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** The migrations shipped with the store, in order. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    migrations.push({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(new URL(file, dir), 'utf8'),
    });
  }
  return migrations;
}

/** A 63-bit advisory lock key per schema, so test schemas do not wait on each other. */
function lockKey(schema: string): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`ledgerflow-migrate:${schema}`).digest('hex').slice(0, 16)}`)).toString();
}

/**
 * Applies the migrations not yet recorded. `schema`, when given, is created
 * first (under the same lock, since `create schema if not exists` races too).
 * Returns the versions it applied.
 */
export async function migrate(db: Db, options: { schema?: string; migrations?: Migration[] } = {}): Promise<number[]> {
  const migrations = options.migrations ?? await loadMigrations();
  const key = lockKey(options.schema ?? 'public');
  return db.session(async (conn) => {
    await conn.query('select pg_advisory_lock($1::bigint)', [key]);
    try {
      if (options.schema) await conn.exec(`create schema if not exists ${options.schema}`);
      await conn.exec(`create table if not exists schema_migrations (
        version    integer primary key,
        name       text not null,
        applied_at timestamptz(3) not null default now()
      )`);
      const done = new Set((await conn.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await conn.transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
        });
        applied.push(m.version);
      }
      return applied;
    } finally {
      await conn.query('select pg_advisory_unlock($1::bigint)', [key]);
    }
  });
}
