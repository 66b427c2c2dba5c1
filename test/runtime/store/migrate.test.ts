import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { storeBackends } from './store-backends.ts';
import { loadMigrations } from '../../../runtime/store/migrate.ts';
import { openPgliteStore, openPostgresStore, openStore } from '../../../runtime/store/open-store.ts';

// The store's own tables; later migrations (server, queue) add more.
const EXPECTED_TABLES = ['dead_letters', 'flow_versions', 'flows', 'idempotency_ledger', 'node_stats', 'record_traces',
  'reference_data_loads', 'reference_sets', 'runs', 'schema_migrations', 'watermarks'];

describe('migration files', () => {
  it('are numbered without gaps from 0001', async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});

for (const backend of storeBackends()) {
  describe(`migrations on ${backend.name}`, () => {
    afterAll(() => backend.cleanup());

    it('creates the tables and records each migration once, however often it runs', async () => {
      const store = await backend.open();
      await store.migrate();
      await store.migrate();
      const { rows } = await store.sql.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = current_schema() order by table_name`);
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
      const applied = await store.sql.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');
      const files = await loadMigrations();
      expect(applied.rows.map((r) => [Number(r.version), r.name])).toEqual(files.map((m) => [m.version, m.name]));
    });

    it('has the indexes the operator queries rely on', async () => {
      const store = await backend.open();
      const { rows } = await store.sql.query<{ indexname: string }>(
        `select indexname from pg_indexes where schemaname = current_schema() order by indexname`);
      const names = rows.map((r) => r.indexname);
      for (const ix of ['record_traces_business_key_prefix_idx', 'record_traces_run_idx', 'record_traces_run_lineage_idx', 'record_traces_run_outcome_idx',
        'runs_created_idx', 'runs_flow_created_idx', 'runs_status_idx', 'dead_letters_status_flow_idx', 'dead_letters_run_idx']) {
        expect(names).toContain(ix);
      }
      // Migration 0026: no query reads it; every trace row paid for it.
      expect(names).not.toContain('record_traces_business_key_idx');
      // Migration 0028: the outcome index holds a run's exceptions only, not its delivered rows.
      const { rows: [outcomeIdx] } = await store.sql.query<{ indexdef: string }>(
        `select indexdef from pg_indexes where schemaname = current_schema() and indexname = 'record_traces_run_outcome_idx'`);
      expect(outcomeIdx.indexdef).toMatch(/\(run_id, outcome, id\) WHERE \(outcome <> 'delivered'::text\)$/);
    });

    if (backend.name === 'postgres') {
      it('lets several processes start at once against an empty schema', async () => {
        const first = await backend.open();
        const { rows: [{ s }] } = await first.sql.query<{ s: string }>('select current_schema() as s');
        const url = process.env.TEST_DATABASE_URL!;
        const schema = `${s}_race`;
        const opening = await Promise.allSettled(Array.from({ length: 4 }, () => openPostgresStore({ connectionString: url, schema, poolSize: 2 })));
        const stores = opening.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        try {
          expect(opening.filter((o) => o.status === 'rejected')).toEqual([]);
          const { rows } = await stores[0].sql.query<{ n: string }>('select count(*) as n from schema_migrations');
          expect(Number(rows[0].n)).toBe((await loadMigrations()).length);
          // Each store really works in its own schema.
          const other = await stores[1].sql.query<{ s: string }>('select current_schema() as s');
          expect(other.rows[0].s).toBe(schema);
        } finally {
          await Promise.all(stores.map((st) => st.close()));
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`drop schema if exists ${schema} cascade`);
          await client.end();
        }
      });

      it('refuses a schema name that could inject SQL', async () => {
        await expect(openPostgresStore({ connectionString: process.env.TEST_DATABASE_URL!, schema: 'x; drop table y' }))
          .rejects.toThrow(/not allowed/);
      });
    }
  });
}

describe('PGlite data folder', () => {
  it('keeps data across close and reopen, and migrating again changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledgerflow-reopen-'));
    try {
      const first = await openStore({ dataDir: join(dir, 'data') });
      expect(first.kind).toBe('pglite');
      await first.createRun({ id: 'run_keep', flowId: 'f', trigger: 'manual' });
      await first.close();

      const again = await openPgliteStore({ dataDir: join(dir, 'data') });
      try {
        expect((await again.getRun('run_keep'))?.flowId).toBe('f');
        const { rows } = await again.sql.query<{ n: number }>('select count(*)::int as n from schema_migrations');
        expect(rows[0].n).toBe((await loadMigrations()).length);
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
