/**
 * Issue 12 point 9b: every operation of the OpenAPI document gets generated
 * hostile requests — NUL bytes, huge strings, deep nesting, wrong types,
 * broken JSON, the schema's own field names with the wrong values — and
 * never answers 500 or more; the app still answers afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../harness.ts';
import { harnessWithOperations, type DocumentedOperation as Operation } from './documented-operations.ts';

const REQUESTS_PER_OPERATION = 33;

const HUGE = 'x'.repeat(300_000);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }).map((s) => `${s}\u0000${s}`) },
  { weight: 3, arbitrary: fc.constantFrom('\u0000', '', ' ', '..', '%2e%2e', '%00', '%', '\\', '/', '//evil', 'payments', 'dev', 'prod', '1', '-1', '1e309', 'NaN',
    '{{secret:token}}', '$length($pad("x", 400000000))', "' or 1=1; drop table users; --", '__proto__', 'constructor', '\uD800', '\uFFFF', '😀'.repeat(50)) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(Number.MAX_SAFE_INTEGER * 4));
const KEYS = ['document', 'environment', 'version', 'name', 'username', 'password', 'role', 'ids', 'reason', 'records', 'input', 'content', 'contentBase64',
  'nodes', 'edges', 'id', 'type', 'config', 'expression', 'cron', 'timezone', 'intervalSeconds', 'enabled', 'settings', 'secrets', 'kind', 'against', 'message', '__proto__'];
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 4 })),
})).v;

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** A body for `op`: its own field names with hostile values, any JSON, or text that is not JSON at all. */
function bodies(op: Operation): fc.Arbitrary<{ body: string; type: string }> {
  const json = (v: fc.Arbitrary<unknown>) => v.map((b) => ({ body: JSON.stringify(b) ?? 'null', type: 'application/json' }));
  const ownFields = op.fields.length ? fc.record(Object.fromEntries(op.fields.map((f) => [f, value])), { requiredKeys: [] }) : fc.object();
  return fc.oneof(
    { weight: 4, arbitrary: json(ownFields) },
    { weight: 2, arbitrary: json(value) },
    { weight: 1, arbitrary: fc.constantFrom(deep(20_000), deepObject(5_000), '{"a":', '{"a":"\\u0000"}', '\u0000', '[1,2,', '{"document":{"nodes":"\u0000"}}', '{"name":"a\u0000b","username":"\u0000","reason":"\u0000","message":"\u0000"}', `{"name":"${HUGE}"}`).map((body) => ({ body, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 50 }), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1')).map(([body, type]) => ({ body, type })) },
  );
}

/** Percent-encoding that also sends lone surrogates, as the invalid UTF-8 bytes %ED%A0%80. */
const enc = (s: string) => [...s].map((ch) => { try { return encodeURIComponent(ch); } catch { return '%ED%A0%80'; } }).join('');

/** Path and query from hostile values (NUL bytes arrive as %00). */
function urls(op: Operation): fc.Arbitrary<string> {
  const pathNames = op.params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = op.params.filter((p) => p.in === 'query').map((p) => p.name);
  const part = fc.oneof({ weight: 1, arbitrary: fc.constantFrom('payments', '1', 'dev') }, { weight: 3, arbitrary: text.filter((s) => s.length > 0 && s.length < 5_000) });
  return fc.record({
    path: fc.tuple(...pathNames.map(() => part)),
    query: fc.dictionary(fc.oneof(fc.constantFrom(...(queryNames.length ? queryNames : ['x'])), fc.string({ maxLength: 5 })), fc.oneof(text, fc.constant('')), { maxKeys: 3 }),
  }).map(({ path, query }) => {
    let i = 0;
    const filled = op.path.replace(/\{\w+\}/g, () => enc(path[i++] as string));
    const qs = Object.entries(query).map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&');
    return qs ? `${filled}?${qs}` : filled;
  });
}

let h: Harness;
let operations: Operation[];

beforeAll(async () => {
  ({ h, operations } = await harnessWithOperations());
}, 120_000);
afterAll(() => h.close());

describe('fuzzing every route', () => {
  it('generated hostile requests never get a 5xx, and the server keeps answering', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const op of operations) {
      const requests = fc.sample(fc.record({ url: urls(op), body: bodies(op), who: fc.oneof({ weight: 6, arbitrary: fc.constant('admin') }, { weight: 3, arbitrary: fc.constantFrom('analyst', 'operator', null) }) }), { numRuns: REQUESTS_PER_OPERATION, seed: 12 });
      for (const { url, body, who } of requests) {
        const withBody = op.method !== 'GET';
        const res = await h.call(who as 'admin' | null, op.method, url, withBody ? body.body : undefined, withBody ? { 'content-type': body.type } : {}).catch((err: Error) => ({ status: 599, body: null, err }));
        sent++;
        if (res instanceof Response) {
          if (res.status >= 500) failures.push(`${op.method} ${url.slice(0, 120)} as ${who}: ${res.status} ${(await res.text()).slice(0, 200)} ← ${body.body.slice(0, 120)}`);
          else await res.body?.cancel();
        } else failures.push(`${op.method} ${url.slice(0, 120)}: threw ${(res as { err: Error }).err.message}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(2_000);
    expect((await h.app.request('/healthz')).status).toBe(200);
    expect((await h.call('admin', 'GET', '/api/flows')).status).toBe(200);
  }, 300_000);
});
