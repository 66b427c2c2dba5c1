import { describe, expect, it } from 'vitest';
import { createConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import type { SqlClient } from '../../../nodes/define-node.ts';
import { FlowError } from '../../../nodes/errors.ts';

const embedded: SqlClient = {
  query: async <R,>() => ({ rows: [{ embedded: true }] as R[] }),
  transaction: async (fn) => fn(embedded),
};

describe('createConnectionResolver', () => {
  const resolver = createConnectionResolver(
    {
      store: { kind: 'postgres', url: 'embedded' },
      erp_api: { kind: 'http', baseUrl: 'https://erp.example/api', headers: { Authorization: 'Bearer x' }, rateLimitPerSecond: 5 },
      nowhere: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' },
      broken: { kind: 'http', baseUrl: 'ftp://x' },
    },
    { embeddedSql: embedded },
  );

  it('an unknown name is a permanent error naming the connection', () => {
    let error: unknown;
    try {
      resolver.sql('erp');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlowError);
    expect((error as FlowError).errorClass).toBe('permanent');
    expect((error as FlowError).message).toBe("connection 'erp' is not configured for this environment");
    expect(() => resolver.http('toString')).toThrow("connection 'toString' is not configured");
  });

  it('embedded maps to the store database', async () => {
    expect(resolver.sql('store')).toBe(embedded);
    expect(await resolver.sql('store').query('SELECT 1')).toEqual({ rows: [{ embedded: true }] });
  });

  it('gives http settings, as a copy', () => {
    const conn = resolver.http('erp_api');
    expect(conn).toEqual({ baseUrl: 'https://erp.example/api', headers: { Authorization: 'Bearer x' }, rateLimitPerSecond: 5 });
    conn.headers.Authorization = 'changed';
    expect(resolver.http('erp_api').headers.Authorization).toBe('Bearer x');
  });

  it('refuses the wrong kind and bad settings', () => {
    expect(() => resolver.sql('erp_api')).toThrow("connection 'erp_api' is a http connection, but this node needs a postgres connection");
    expect(() => resolver.http('store')).toThrow('needs a http connection');
    expect(() => resolver.http('broken')).toThrow('baseUrl starting with http');
  });

  it('opens a pool once per name, lazily, and closes it', async () => {
    const first = resolver.sql('nowhere');
    expect(resolver.sql('nowhere')).toBe(first);
    const err = await first.query('SELECT 1').catch((e) => e);
    expect(err.errorClass).toBe('transient');
    await resolver.close();
    expect(resolver.sql('nowhere')).not.toBe(first); // a new pool after close
    await resolver.close();
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('reaches a real Postgres', async () => {
    const real = createConnectionResolver({ erp: { kind: 'postgres', url: process.env.TEST_DATABASE_URL! } });
    try {
      expect((await real.sql('erp').query<{ n: number }>('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }]);
    } finally {
      await real.close();
    }
  });
});
