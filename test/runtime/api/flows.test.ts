/**
 * Flows, drafts, versions and diffs, import and export; and the bad-input
 * rules: problem documents naming every field or node at fault, 400 for
 * malformed JSON, 413 over the body limit, 404 for unknown ids, and a failed
 * request changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, paymentsFlow, paymentsInput, type Harness } from './harness.ts';

let h: Harness;

async function auditCount(): Promise<number> {
  const { rows } = await h.store.sql.query<{ n: number }>('select count(*)::int as n from audit_log');
  return rows[0].n;
}

beforeAll(async () => { h = await createHarness({ bodyLimitBytes: 64 * 1024 }); });
afterAll(() => h.close());

describe('flows and drafts', () => {
  it('creates a flow (201) and refuses the same id again (409)', async () => {
    const created = await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
    expect(created).toMatchObject({ id: 'payments', latestVersion: null, deployments: { dev: null, test: null, prod: null }, problems: [] });
    expect((await h.call('analyst', 'POST', '/api/flows', { document: paymentsFlow() })).status).toBe(409);
  });

  it('saves a draft with problems and lists every one of them with the node at fault', async () => {
    const doc = paymentsFlow();
    doc.nodes[1].config = { expression: '{ "ref": ref, ' };
    doc.nodes[3].config = { ...doc.nodes[3].config, connection: 'erp' };
    const saved = await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: doc });
    const byNode = saved.problems.map((p: { nodeId: string; path: string }) => `${p.nodeId} ${p.path}`);
    expect(byNode).toEqual(expect.arrayContaining(['map /nodes/1/config/expression', 'post /nodes/3/config/connection']));
    const flow = await h.json('operator', 'GET', '/api/flows/payments');
    expect(flow.problems.length).toBe(saved.problems.length);
  });

  it('will not save a version of a draft with problems (422 listing them)', async () => {
    const res = await h.call('analyst', 'POST', '/api/flows/payments/versions', { message: 'broken' });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.problems.length).toBeGreaterThanOrEqual(2);
    expect(body.problems.every((p: { path: string; message: string }) => p.path && p.message)).toBe(true);
    expect(await h.store.listVersions('payments')).toEqual([]);
  });

  it('saves immutable numbered versions with author, message and content hash', async () => {
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: paymentsFlow() });
    const v1 = await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'first' }, 201);
    expect(v1).toMatchObject({ flowId: 'payments', version: 1, author: 'analyst', message: 'first', hash: expect.stringMatching(/^[0-9a-f]{64}$/), testsPassed: true });
    await expect(h.store.sql.query(`update flow_versions set message = 'x' where flow_id = 'payments'`)).rejects.toThrow(/immutable/);
  });

  it('diffs two versions: config changes, expression line diffs, layout moves apart', async () => {
    const doc = paymentsFlow({ factor: 2 });
    doc.nodes[0].position = { x: 50, y: 80 };
    await h.json('admin', 'PUT', '/api/flows/payments/draft', { document: doc });
    await h.json('admin', 'POST', '/api/flows/payments/versions', { message: 'double' }, 201);
    const diff = await h.json('operator', 'GET', '/api/flows/payments/diff?from=1&to=2');
    expect(diff.from.label).toBe('version 1');
    expect(diff.nodes.map((n: { nodeId: string; kind: string }) => `${n.kind} ${n.nodeId}`)).toContain('changed map');
    expect(diff.layout.map((l: { nodeId: string }) => l.nodeId)).toEqual(['in']);
    expect(diff.summary.layoutOnly).toBe(false);
    const draftDiff = await h.json('operator', 'GET', '/api/flows/payments/diff?from=2&to=draft');
    expect(draftDiff.summary.nodesChanged).toBe(0);
    expect((await h.call('operator', 'GET', '/api/flows/payments/diff?from=1&to=9')).status).toBe(404);
    expect((await h.call('operator', 'GET', '/api/flows/payments/diff?from=x&to=1')).status).toBe(400);
  });

  it('duplicates and deletes a flow that runs nowhere (admin)', async () => {
    await h.json('analyst', 'POST', '/api/flows/payments/duplicate', { id: 'payments-copy', name: 'Copy' }, 201);
    expect((await h.store.getFlow('payments-copy'))!.draft.name).toBe('Copy');
    expect((await h.call('admin', 'DELETE', '/api/flows/payments-copy')).status).toBe(204);
    expect(await h.store.getFlow('payments-copy')).toBeNull();
  });

  it('will not delete a deployed flow (409)', async () => {
    await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
    expect((await h.call('admin', 'DELETE', '/api/flows/payments')).status).toBe(409);
    expect(await h.store.getFlow('payments')).not.toBeNull();
  });

  it('lists and searches flows with their latest version and deployments', async () => {
    const { items } = await h.json('operator', 'GET', '/api/flows?search=ledger');
    expect(items).toEqual([expect.objectContaining({ id: 'payments', latestVersion: 2, deployments: { dev: 1, test: null, prod: null } })]);
    expect((await h.json('operator', 'GET', '/api/flows?search=nomatch')).items).toEqual([]);
  });
});

describe('import and export', () => {
  it('exports the flow file as an attachment, without secrets', async () => {
    const doc = paymentsFlow({ id: 'with-secret' });
    (doc.nodes[3].config as Record<string, unknown>).password = 'hunter2-in-config';
    await h.json('admin', 'POST', '/api/flows', { document: doc }, 201);
    const res = await h.call('operator', 'GET', '/api/flows/with-secret/export');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="with-secret.flow.json"');
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ id: 'with-secret', nodes: expect.any(Array) });
    const v = await h.call('operator', 'GET', '/api/flows/payments/export?version=1');
    expect(JSON.parse(await v.text()).nodes[1].config.expression).toContain('* 1');
  });

  it('imports a valid flow file; an invalid one gets 422 listing every problem and changes nothing', async () => {
    const audits = await auditCount();
    const bad = paymentsFlow({ id: 'imported' });
    bad.nodes[1].type = 'transform.nope';
    bad.edges.push({ id: 'e9', source: 'ghost', target: 'map' });
    const res = await h.call('analyst', 'POST', '/api/flows/import', { document: bad });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['/nodes/1/type', '/edges/3/source']));
    expect(body.problems.find((p: { path: string }) => p.path === '/nodes/1/type').nodeId).toBe('map');
    expect(await h.store.getFlow('imported')).toBeNull();
    expect(await auditCount()).toBe(audits);
    await h.json('analyst', 'POST', '/api/flows/import', { document: paymentsFlow({ id: 'imported' }) }, 201);
    expect((await h.call('analyst', 'POST', '/api/flows/import', { document: paymentsFlow({ id: 'imported' }) })).status).toBe(409);
    await h.json('analyst', 'POST', '/api/flows/import', { document: paymentsFlow({ id: 'imported' }), overwriteDraft: true }, 201);
  });

  it('validates a document without saving it', async () => {
    const { problems } = await h.json('operator', 'POST', '/api/flows/validate', { document: { id: 'x', name: 'x', nodes: [], edges: [] } });
    expect(problems).toEqual([]);
    const bad = await h.json('operator', 'POST', '/api/flows/validate', { document: { id: 'X Y' } });
    expect(bad.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['/name', '/nodes', '/edges']));
  });
});

describe('designing: test runs, samples, mapping tests', () => {
  it('dry-runs the draft on a sample; nothing is written or stored', async () => {
    const before = await h.store.listRuns({}, { limit: 100 });
    const out = await h.json('analyst', 'POST', '/api/flows/payments/test-run', { sample: { name: 's.json', content: paymentsInput([{ ref: 'T-1', amount: 4, iban: 'NO9386011117947' }, { ref: 'T-2', amount: 0 }]) } });
    expect(out.status).toBe('completed_with_exceptions');
    expect(out.counts).toMatchObject({ read: 2, delivered: 1, quarantined: 1 });
    expect(out.outputs.map.map((o: { data: { amount: number } }) => o.data.amount)).toEqual([8, 0]);
    expect(out.records).toHaveLength(2);
    expect(JSON.stringify(out.records)).not.toContain('NO9386011117947');
    expect((await h.store.listRuns({}, { limit: 100 })).items.length).toBe(before.items.length);
  });

  it('parses a sample with the source node (first 1000 and the total); an unreadable one names the line', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({ ref: `R${i}`, amount: i }));
    const parsed = await h.json('analyst', 'POST', '/api/flows/payments/samples/parse', { name: 'big.json', content: JSON.stringify(rows) });
    expect(parsed.total).toBe(1200);
    expect(parsed.records).toHaveLength(1000);
    const bad = await h.call('analyst', 'POST', '/api/flows/payments/samples/parse', { name: 'bad.json', content: '[{"ref": "A",\n  "amount": }]' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).problems[0]).toMatchObject({ nodeId: 'in', message: expect.stringMatching(/line 2/) });
  });

  it('runs the mapping tests of the draft or a given document', async () => {
    const ok = await h.json('analyst', 'POST', '/api/flows/payments/mapping-tests/run', {});
    expect(ok.results).toEqual([expect.objectContaining({ name: 'maps a payment', passed: true })]);
    const broken = await h.json('analyst', 'POST', '/api/flows/payments/mapping-tests/run', { document: paymentsFlow({ breakTest: true }) });
    expect(broken.results[0]).toMatchObject({ passed: false, differences: [{ path: 'amount', kind: 'changed', expected: 11, actual: 10 }] });
  });
});

describe('bad input', () => {
  it('malformed JSON: 400 problem document; nothing changes', async () => {
    const audits = await auditCount();
    const res = await h.call('analyst', 'PUT', '/api/flows/payments/draft', '{"document": {');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ type: expect.any(String), title: 'Bad request', status: 400, detail: expect.stringMatching(/not valid JSON/) });
    expect(await auditCount()).toBe(audits);
  });

  it('a body of the wrong shape: 400 listing every field at fault', async () => {
    const res = await h.call('admin', 'POST', '/api/users', { username: 7, role: 'boss' });
    expect(res.status).toBe(400);
    const paths = (await res.json()).problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['/password', '/role', '/username']);
  });

  it('a body over the limit: 413 and nothing stored', async () => {
    const doc = paymentsFlow({ id: 'huge' });
    doc.description = 'x'.repeat(70 * 1024);
    const res = await h.call('analyst', 'POST', '/api/flows', { document: doc });
    expect(res.status).toBe(413);
    expect((await res.json()).title).toBe('Request body too large');
    expect(await h.store.getFlow('huge')).toBeNull();
  });

  it('a body over the limit without Content-Length (streamed): 413', async () => {
    const big = new TextEncoder().encode(JSON.stringify({ document: { ...paymentsFlow({ id: 'huge2' }), description: 'y'.repeat(70 * 1024) } }));
    const stream = new ReadableStream({ start(c) { c.enqueue(big); c.close(); } });
    const res = await h.app.request('/api/flows', { method: 'POST', headers: { authorization: `Bearer ${h.users.analyst.token}`, 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await h.store.getFlow('huge2')).toBeNull();
  });

  it('the default limit is 10 MB', async () => {
    const plain = await createHarness();
    try {
      const body = JSON.stringify({ document: { ...paymentsFlow({ id: 'ten' }), description: 'z'.repeat(10 * 1024 * 1024) } });
      expect((await plain.call('analyst', 'POST', '/api/flows', body)).status).toBe(413);
      const fits = JSON.stringify({ document: { ...paymentsFlow({ id: 'nine' }), description: 'z'.repeat(9 * 1024 * 1024) } });
      expect((await plain.call('analyst', 'POST', '/api/flows', fits)).status).toBe(201);
    } finally {
      await plain.close();
    }
  });

  it('unknown ids: 404 problem documents saying what is missing', async () => {
    for (const path of ['/api/flows/nope', '/api/flows/nope/versions', '/api/flows/payments/versions/42', '/api/runs/run_nope', '/api/runs/run_nope/records', '/api/nothing-here']) {
      const res = await h.call('admin', 'GET', path);
      expect(res.status, path).toBe(404);
      const body = await res.json();
      expect(body.status).toBe(404);
      expect(body.detail.length).toBeGreaterThan(10);
    }
  });

  it('a bad page cursor: 400, not a crash', async () => {
    expect((await h.call('admin', 'GET', '/api/audit?cursor=garbage')).status).toBe(400);
    expect((await h.call('admin', 'GET', '/api/runs?limit=0')).status).toBe(400);
  });
});

describe('samples uploaded in the designer are stored with the flow', () => {
  it('stores a sample by its file name, lists it in every later session and parses it by name', async () => {
    await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow({ id: 'stored-samples' }) }, 201);
    const csv = 'payment_id,amount\nP-1,10.00\nP-2,20.50\n';
    const stored = await h.json('analyst', 'POST', '/api/flows/stored-samples/samples', { name: 'C:\\exports\\payments.csv', content: csv }, 201);
    expect(stored).toMatchObject({ name: 'payments.csv', size: csv.length });
    await h.json('analyst', 'POST', '/api/flows/stored-samples/samples', { name: 'payments.csv', contentBase64: Buffer.from(`${csv}P-3,1.00\n`).toString('base64') }, 201);
    const { items } = await h.json('operator', 'GET', '/api/flows/stored-samples/samples');
    expect(items.map((i: { name: string; size: number }) => [i.name, i.size])).toEqual([['payments.csv', csv.length + 9]]);
    expect((await h.call('analyst', 'POST', '/api/flows/stored-samples/samples', { name: 'x.csv' })).status).toBe(400);
    expect((await h.call('analyst', 'POST', '/api/flows/stored-samples/samples', { name: 'x.csv', contentBase64: '%%%' })).status).toBe(400);
    expect((await h.call('operator', 'POST', '/api/flows/stored-samples/samples', { name: 'x.csv', content: 'a' })).status).toBe(403);
    expect((await h.call('analyst', 'POST', '/api/flows/nope/samples', { name: 'x.csv', content: 'a' })).status).toBe(404);
  });
});
