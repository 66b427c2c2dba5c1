import { assert, describe, expect, it } from 'vitest';
import { bindingProblem, createConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import type { SqlClient } from '../../../nodes/define-node.ts';
import { FlowError } from '../../../nodes/errors.ts';

const embedded: SqlClient = {
  query: async <R,>() => ({ rows: [{ embedded: true }] as R[] }),
  transaction: async (fn) => fn(embedded),
};

describe('createConnectionResolver', () => {
  const resolver = createConnectionResolver(
    {
      ledger: { kind: 'postgres', url: 'embedded' },
      erp_api: { kind: 'http', baseUrl: 'https://erp.example/api', headers: { Authorization: 'Bearer x' }, rateLimitPerSecond: 5 },
      nowhere: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' },
      broken: { kind: 'http', baseUrl: 'ftp://x' },
    },
    { embedded: (name) => (name === 'ledger' ? embedded : assert.fail(`asked for ${name}`)) },
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

  it('embedded maps to the connection\'s own embedded database', async () => {
    expect(resolver.sql('ledger')).toBe(embedded);
    expect(await resolver.sql('ledger').query('SELECT 1')).toEqual({ rows: [{ embedded: true }] });
  });

  it('refuses a url pointing at the store\'s own database, naming the connection', () => {
    const store = 'postgres://lf@127.0.0.1:5432/ledgerflow';
    const guarded = createConnectionResolver({
      sneaky: { kind: 'postgres', url: 'postgres://analyst:x@localhost/ledgerflow?sslmode=disable' },
      socket: { kind: 'postgres', url: 'postgres://lf@/ledgerflow?host=/run/postgresql' },
      other: { kind: 'postgres', url: 'postgres://lf@127.0.0.1:5432/erp' },
      otherPort: { kind: 'postgres', url: 'postgres://lf@127.0.0.1:5433/ledgerflow' },
    }, { storeUrl: store });
    for (const name of ['sneaky', 'socket']) {
      const err = (() => { try { guarded.sql(name); } catch (e) { return e as FlowError; } })();
      expect(err).toBeInstanceOf(FlowError);
      expect(err!.errorClass).toBe('permanent');
      expect(err!.message).toContain(`connection '${name}' points at Ledgerflow's own store database`);
    }
    expect(() => guarded.sql('other')).not.toThrow();
    expect(() => guarded.sql('otherPort')).not.toThrow();
    expect(bindingProblem('x', { kind: 'postgres', url: 'postgresql://u@127.0.0.1/ledgerflow' }, store)).toMatch(/store database/);
    expect(bindingProblem('x', { kind: 'postgres', url: 'embedded' }, store)).toBeNull();
    return guarded.close();
  });

  it('gives http settings, as a copy', () => {
    const conn = resolver.http('erp_api');
    expect(conn).toEqual({ baseUrl: 'https://erp.example/api', headers: { Authorization: 'Bearer x' }, rateLimitPerSecond: 5, waitForSlot: expect.any(Function) });
    conn.headers.Authorization = 'changed';
    expect(resolver.http('erp_api').headers.Authorization).toBe('Bearer x');
  });

  it('holds an http connection to its maxConcurrent requests in flight (one place taken, the next waits for its release)', async () => {
    const limited = createConnectionResolver({ api: { kind: 'http', baseUrl: 'https://api.example', maxConcurrent: 1 } }, { rateScope: 'test' });
    const conn = limited.http('api');
    expect(conn.maxConcurrent).toBe(1);
    const first = await conn.holdInFlight!();
    let second = false;
    const waiting = conn.holdInFlight!().then((release) => { second = true; return release; });
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    await first();
    await (await waiting)();
    expect(second).toBe(true);
    expect(bindingProblem('x', { kind: 'http', baseUrl: 'https://a.example', maxConcurrent: 0 })).toBe("connection 'x': maxConcurrent must be a whole number ≥ 1");
    expect(bindingProblem('x', { kind: 'http', baseUrl: 'https://a.example', maxConcurrent: 2.5 })).toMatch(/maxConcurrent/);
    expect(bindingProblem('x', { kind: 'http', baseUrl: 'https://a.example', maxConcurrent: 4 })).toBeNull();
  });

  it('refuses the wrong kind and bad settings', () => {
    expect(() => resolver.sql('erp_api')).toThrow("connection 'erp_api' is a http connection, but this node needs a postgres or mysql connection");
    expect(() => resolver.http('ledger')).toThrow('needs a http connection');
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
