/**
 * Issue 12, points 4 and 5, through the API: hostile expressions in test runs
 * and runs, huge flow documents and NUL bytes. The API must answer every one
 * (no crash, no freeze, no 500) and stay usable afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { FLOW_LIMITS } from '../../../nodes/flow-limits.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;

/** JSON records → one mapping (`expression`) → a JSONL file. */
function mappingFlow(id: string, expression: string, evaluator?: 'reference' | 'compiled'): FlowDocument {
  return {
    id,
    name: `Hostile ${id}`,
    businessKey: 'ref',
    ...(evaluator ? { evaluator } : {}),
    nodes: [
      { id: 'in', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
      { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: { expression } },
      { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 400, y: 0 }, config: { path: 'out.jsonl', format: 'jsonl', idempotencyKey: 'ref' } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'map' },
      { id: 'e2', source: 'map', target: 'out' },
    ],
  } as FlowDocument;
}

async function testRun(flowId: string, expression: string, records: unknown[], evaluator?: 'reference' | 'compiled') {
  const started = performance.now();
  const res = await h.call('analyst', 'POST', `/api/flows/${flowId}/test-run`, { document: mappingFlow(flowId, expression, evaluator), records });
  return { res, body: await res.json(), ms: performance.now() - started };
}

async function stillServes(): Promise<void> {
  const out = await testRun('bombs', '{ "ref": ref, "n": $length(ref) }', [{ ref: 'OK-1' }]);
  expect(out.res.status).toBe(200);
  expect(out.body.counts).toMatchObject({ read: 1, delivered: 1 });
}

beforeAll(async () => {
  h = await createHarness();
  await h.json('analyst', 'POST', '/api/flows', { document: mappingFlow('bombs', '{ "ref": ref }') }, 201);
});
afterAll(() => h.close());

describe('expression bombs in test runs (evaluated in the preview worker)', () => {
  it.each(['compiled', 'reference'] as const)('$pad to 400 million characters dead-letters the record with the output limit named (%s)', async (evaluator) => {
    const { res, body } = await testRun('bombs', '{ "ref": ref, "n": $length($pad("x", 400000000)) }', [{ ref: 'B-1' }], evaluator);
    expect(res.status).toBe(200);
    expect(body.counts).toMatchObject({ read: 1, delivered: 0 });
    expect(JSON.stringify(body.records)).toContain('output size limit');
    await stillServes();
  });

  it('a catastrophic regex answers at once', async () => {
    const { res, body, ms } = await testRun('bombs', '{ "ref": ref, "m": $match(ref, /^(a+)+$/) }', [{ ref: `${'a'.repeat(30)}b` }]);
    expect(res.status).toBe(200);
    expect(body.counts).toMatchObject({ read: 1, delivered: 1 });
    expect(ms).toBeLessThan(5000);
  });

  it('a regex the linear engine cannot run is a flow problem (422), not a hang', async () => {
    const { res, body } = await testRun('bombs', '{ "ref": $replace(ref, /a(?=b)/, "x") }', [{ ref: 'ab' }]);
    expect(res.status).toBe(422);
    expect(JSON.stringify(body.problems)).toContain('linear-time engine');
  });

  it('$join over millions of items stops at the output limit', async () => {
    const { res, body } = await testRun('bombs', '{ "ref": ref, "s": $join($map([1..3000000], function($v) { "abcd" })) }', [{ ref: 'J-1' }]);
    expect(res.status).toBe(200);
    expect(body.counts).toMatchObject({ read: 1, delivered: 0 });
    expect(JSON.stringify(body.records)).toMatch(/output size limit|ran longer than 1000 ms/);
  });

  it('mapping tests run in the worker too', async () => {
    const doc = { ...mappingFlow('bombs', '{ "ref": ref, "n": $length($pad("x", 400000000)) }'), tests: [{ name: 'bomb', node: 'map', input: { ref: 'T-1' }, expected: { ref: 'T-1' } }] };
    const out = await h.json('analyst', 'POST', '/api/flows/bombs/mapping-tests/run', { document: doc });
    expect(out.results[0]).toMatchObject({ name: 'bomb', passed: false });
    expect(out.results[0].error).toContain('output size limit');
    await stillServes();
  });
});

describe('expression bombs in a run', () => {
  // The reference evaluator's array constructor copied the list at every item: this one ran for minutes.
  const constructorBomb = `($a := [1..1000000]; $count([${Array(150).fill('$a').join(', ')}]))`;

  it.each([
    ['compiled', 'run-bombs', '$length($pad("x", 400000000))', /output size limit/],
    ['reference', 'run-bombs-reference', constructorBomb, /output size limit|ran longer than 1000 ms/],
  ] as const)('dead-letters the record as permanent with the limit named; the other records and the worker carry on (%s)', async (evaluator, flowId, bomb, limitNamed) => {
    const doc = mappingFlow(flowId, `{ "ref": ref, "n": ref = "BOMB" ? ${bomb} : 1 }`, evaluator);
    await h.json('analyst', 'POST', '/api/flows', { document: doc }, 201);
    await h.json('analyst', 'POST', `/api/flows/${flowId}/versions`, { message: 'v1' }, 201);
    await h.json('analyst', 'POST', `/api/flows/${flowId}/deployments`, { environment: 'dev', version: 1 }, 201);
    // Keys of their own per case: the ledger belongs to the target, so the other case's records would be duplicates.
    const records = JSON.stringify([{ ref: `${flowId}-OK-1` }, { ref: 'BOMB' }, { ref: `${flowId}-OK-2` }]);
    const { runId } = await h.json('operator', 'POST', `/api/flows/${flowId}/runs`, { environment: 'dev', input: { name: 'r.json', content: records } }, 202);
    const detail = await h.json('operator', 'GET', `/api/runs/${runId}`);
    expect(detail.run.counts).toMatchObject({ read: 3, delivered: 2 });
    const dead = await h.json('operator', 'GET', `/api/runs/${runId}/records?outcome=dead_lettered`);
    expect(dead.items.map((t: { businessKey: string }) => t.businessKey)).toEqual(['BOMB']);
    expect(dead.items[0].error).toMatchObject({ errorClass: 'permanent', nodeId: 'map', code: expect.stringMatching(/^U100[23]$/) });
    expect(dead.items[0].error.message).toMatch(limitNamed);
    const letters = await h.json('operator', 'GET', `/api/dead-letters?flow=${flowId}`);
    expect(letters.items.map((d: { errorClass: string }) => d.errorClass)).toEqual(['permanent']);
  });
});

/**
 * A time limit for work on `body`: 1 s, or more on a machine slowed down now (shared CI) — measured as
 * `parses` times what parsing the body takes at this moment, which keeps the bound linear in its size.
 */
function timeLimitFor(body: string, parses: number): number {
  const started = performance.now();
  JSON.parse(body);
  return Math.max(1000, parses * (performance.now() - started));
}

describe('request limits', () => {
  function hugeFlow(nodes: number, edges: number): FlowDocument {
    const doc = mappingFlow('huge', '{ "ref": ref }');
    for (let i = 0; i < nodes; i++) doc.nodes.push({ id: `n${i}`, type: 'transform.jsonata', typeVersion: 1, position: { x: 0, y: 0 }, config: { expression: 'ref' } });
    for (let i = 0; i < edges; i++) doc.edges.push({ id: `x${i}`, source: 'map', target: `n${i % Math.max(1, nodes)}` });
    return doc;
  }

  it('refuses a flow with 40,000 edges with 413 naming the limit, fast', async () => {
    const body40k = JSON.stringify({ document: hugeFlow(100, 40_000) });
    await h.json('analyst', 'POST', '/api/flows/validate', { document: mappingFlow('warm', 'ref') }); // warm: first request, schemas
    const limit = timeLimitFor(body40k, 10);
    const started = performance.now();
    const res = await h.call('analyst', 'POST', '/api/flows/validate', body40k);
    const body = await res.json();
    expect(res.status).toBe(413);
    expect(body.detail).toContain(`at most ${FLOW_LIMITS.edges.toLocaleString('en-US')} are allowed`);
    expect(body.problems[0].path).toBe('/document/edges');
    expect(performance.now() - started).toBeLessThan(limit);
  });

  it('validates a flow at the limits (2,000 nodes, 5,000 edges) in under a second', async () => {
    // All 5,000 edges leave one node: building its outgoing list used to copy it per edge (quadratic).
    const body = JSON.stringify({ document: hugeFlow(FLOW_LIMITS.nodes - 3, FLOW_LIMITS.edges - 2) });
    await h.json('analyst', 'POST', '/api/flows/validate', body); // warm: schema compilation, first parses
    const limit = timeLimitFor(body, 50);
    const started = performance.now();
    const out = await h.json('analyst', 'POST', '/api/flows/validate', body);
    expect(performance.now() - started).toBeLessThan(limit);
    expect(out.problems.some((p: { code: string }) => p.code === 'too-large')).toBe(false);
  });

  it('refuses an expression over 64 KB and too many nodes when saving a draft', async () => {
    const long = mappingFlow('bombs', `"${'x'.repeat(FLOW_LIMITS.textChars + 1)}"`);
    const res = await h.call('analyst', 'PUT', '/api/flows/bombs/draft', { document: long });
    expect(res.status).toBe(413);
    expect((await res.json()).problems[0]).toMatchObject({ path: '/document/nodes/1/config/expression', nodeId: 'map' });
    expect((await h.call('analyst', 'PUT', '/api/flows/bombs/draft', { document: hugeFlow(FLOW_LIMITS.nodes, 0) })).status).toBe(413);
  });

  it.each([
    ['a path', 'GET', '/api/flows/bo%00mbs', undefined],
    ['a query', 'GET', '/api/runs?flow=%00', undefined],
    ['a JSON body value', 'PUT', '/api/flows/bombs/draft', { document: { ...mappingFlow('bombs', 'ref'), name: 'a\u0000b' } }],
    ['a JSON body key', 'POST', '/api/flows/validate', { document: { 'x\u0000': 1 } }],
    ['a login', 'POST', '/api/auth/login', { username: 'admin\u0000', password: 'x' }],
  ])('answers a NUL byte in %s with a 400 problem', async (_where, method, path, body) => {
    const res = await h.call('analyst', method, path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).detail).toMatch(/NUL character/);
  });

  it('answers a body that is not JSON with 400', async () => {
    const res = await h.call('analyst', 'POST', '/api/flows/validate', '{"document": ');
    expect(res.status).toBe(400);
  });
});
