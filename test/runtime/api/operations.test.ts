/**
 * The operator's side: runs and their records, dead letters (replay,
 * discard, audited), health figures, probes, metrics; plus the generated
 * OpenAPI document, the reference page and the designer at `/`.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, paymentsFlow, paymentsInput, PAYMENTS_TABLE, type Harness } from './harness.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

let h: Harness;
let runId: string;
let designerDir: string;

beforeAll(async () => {
  designerDir = await mkdtemp(join(tmpdir(), 'lf-designer-'));
  await mkdir(join(designerDir, 'assets'));
  await writeFile(join(designerDir, 'index.html'), '<!doctype html><title>Ledgerflow designer</title><div id="root"></div>');
  await writeFile(join(designerDir, 'assets', 'app-1234.js'), 'console.log("designer")');
  h = await createHarness({ designerDir });
  await targetDatabase(h.database, 'ledger').query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  await h.json('admin', 'PUT', '/api/connections/dev/ledger', { kind: 'postgres', settings: { embedded: true } });
  await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 1 }, 201);
  ({ runId } = await h.json('operator', 'POST', '/api/flows/payments/runs', {
    environment: 'dev', input: { name: 'p.json', content: paymentsInput([{ ref: 'INV-1', amount: 5, iban: 'DE89370400440532013000' }, { ref: 'INV-2', amount: -5 }, { ref: 'INV-3', amount: 0 }]) },
  }, 202));
});
afterAll(async () => {
  await h.close();
  await rm(designerDir, { recursive: true, force: true });
});

describe('runs', () => {
  it('lists runs with counts by status and filters', async () => {
    const page = await h.json('operator', 'GET', '/api/runs?flow=payments&hasExceptions=true');
    expect(page.items.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect(page.statusCounts.completed_with_exceptions).toBe(1);
    expect((await h.json('operator', 'GET', '/api/runs?status=failed')).items).toEqual([]);
  });

  it('shows a run with node stats, version and timeline', async () => {
    const detail = await h.json('operator', 'GET', `/api/runs/${runId}`);
    expect(detail.run.counts).toMatchObject({ read: 3, delivered: 1, quarantined: 2 });
    expect(detail.version.version).toBe(1);
    // Through the queue (as in production): its one chunk is on the timeline too.
    expect(detail.timeline.map((t: { event: string }) => t.event)).toEqual(['queued', 'started', expect.stringMatching(/^chunk \d+ done$/), 'completed_with_exceptions']);
    expect(detail.nodes.find((n: { nodeId: string }) => n.nodeId === 'check')).toMatchObject({ in: 3, out: 1, invalid: 2 });
  });

  it('lists records, finds one by business key, masks sensitive fields', async () => {
    const q = await h.json('operator', 'GET', `/api/runs/${runId}/records?outcome=quarantined`);
    expect(q.items.map((t: { businessKey: string }) => t.businessKey).sort()).toEqual(['INV-2', 'INV-3']);
    const found = await h.json('operator', 'GET', '/api/search?businessKey=INV-1');
    expect(found.items).toHaveLength(1);
    // The start of a key, in any case, finds every record whose key begins so.
    const byPrefix = await h.json('operator', 'GET', '/api/search?businessKey=inv-');
    expect(new Set(byPrefix.items.map((t: { businessKey: string }) => t.businessKey))).toEqual(new Set(['INV-1', 'INV-2', 'INV-3']));
    const trace = await h.json('operator', 'GET', `/api/runs/${runId}/records/${found.items[0].lineageKey}`);
    expect(JSON.stringify(trace)).not.toContain('DE89370400440532013000');
    expect((await h.call('operator', 'GET', `/api/runs/${runId}/records/999`)).status).toBe(404);
  });

  it('cancelling a finished run: 409', async () => {
    expect((await h.call('operator', 'POST', `/api/runs/${runId}/cancel`)).status).toBe(409);
  });
});

describe('dead letters', () => {
  it('lists open dead letters with counts by class', async () => {
    const page = await h.json('operator', 'GET', '/api/dead-letters?flow=payments');
    expect(page.items).toHaveLength(2);
    expect(page.countsByClass).toMatchObject({ validation: 2, mapping: 0 });
  });

  it('discards with a reason (audited); discarding again: 409; unknown: 404', async () => {
    const { items } = await h.json('operator', 'GET', '/api/dead-letters?flow=payments');
    const inv3 = items.find((d: { businessKey: string }) => d.businessKey === 'INV-3');
    expect(await h.json('operator', 'POST', '/api/dead-letters/discard', { ids: [inv3.id], reason: 'zero-amount test record' })).toEqual({ discarded: 1 });
    expect((await h.store.getDeadLetter(inv3.id))).toMatchObject({ status: 'discarded', statusReason: 'zero-amount test record' });
    expect((await h.call('operator', 'POST', '/api/dead-letters/discard', { ids: [inv3.id], reason: 'again' })).status).toBe(409);
    expect((await h.call('operator', 'POST', '/api/dead-letters/discard', { ids: [123456], reason: 'x' })).status).toBe(404);
    const audit = await h.json('admin', 'GET', `/api/audit?entity=dead-letter&entityId=${inv3.id}`);
    expect(audit.items[0]).toMatchObject({ actor: 'operator', action: 'dead-letter.discarded', before: { status: 'open' }, after: { status: 'discarded', statusReason: 'zero-amount test record' } });
  });

  it('replays against the deployed version after a fix (202, run id, dead letter marked replayed)', async () => {
    // The fix: v2 accepts negative amounts as credit notes.
    const fixed = paymentsFlow();
    fixed.nodes[2].config = { rules: [{ id: 'not-zero', expression: 'amount != 0', message: 'amount must not be zero', severity: 'error', field: 'amount' }] };
    await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: fixed });
    await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'credit notes' }, 201);
    await h.json('analyst', 'POST', '/api/flows/payments/deployments', { environment: 'dev', version: 2 }, 201);
    const replay = await h.json('operator', 'POST', '/api/dead-letters/replay', { runId, against: 'deployed' }, 202);
    const run = (await h.store.getRun(replay.runId))!;
    expect(run).toMatchObject({ trigger: 'replay', version: 2, replayOf: runId });
    expect(run.counts.delivered).toBe(1);
    const open = await h.json('operator', 'GET', '/api/dead-letters?flow=payments&status=open');
    expect(open.items).toEqual([]);
    expect((await h.call('operator', 'POST', '/api/dead-letters/replay', { runId, against: 'deployed' })).status).toBe(409);
    expect((await h.call('operator', 'POST', '/api/dead-letters/replay', { against: 'deployed' })).status).toBe(400);
  });

  it('lists dead letters without their unmasked source record', async () => {
    const page = await h.json('operator', 'GET', '/api/dead-letters?flow=payments&status=replayed');
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).not.toHaveProperty('sourceRecord');
    expect(page.items[0]).toMatchObject({ businessKey: 'INV-2', status: 'replayed' });
  });

  it('replaying a replayed dead letter again by id is idempotent: a duplicate, still one row', async () => {
    const { items } = await h.json('operator', 'GET', '/api/dead-letters?flow=payments&status=replayed');
    const again = await h.json('operator', 'POST', '/api/dead-letters/replay', { ids: [items[0].id], against: 'deployed' }, 202);
    const run = (await h.store.getRun(again.runId))!;
    expect(run.counts).toMatchObject({ read: 1, delivered: 0, duplicate: 1 });
    const { rows } = await targetDatabase(h.database, 'ledger').query<{ n: unknown }>("select count(*) as n from api_payments where ref = 'INV-2'");
    expect(Number(rows[0].n)).toBe(1);
    const records = await h.json('operator', 'GET', `/api/runs/${again.runId}/records`);
    expect(records.items[0]).toMatchObject({ businessKey: 'INV-2', outcome: 'duplicate' });
    const discarded = (await h.json('operator', 'GET', '/api/dead-letters?flow=payments&status=discarded')).items[0];
    expect((await h.call('operator', 'POST', '/api/dead-letters/replay', { ids: [discarded.id], against: 'deployed' })).status).toBe(409);
  });

  it('the original run\'s timeline ends with its replays', async () => {
    const detail = await h.json('operator', 'GET', `/api/runs/${runId}`);
    const events = detail.timeline.map((t: { event: string }) => t.event);
    expect(events[0]).toBe('queued');
    expect(detail.timeline[0].detail).toContain('manual: p.json');
    expect(events).toContain('replayed');
    expect(events.indexOf('completed_with_exceptions')).toBeLessThan(events.indexOf('replayed'));
  });
});

describe('health and probes', () => {
  it('/healthz and /readyz answer without credentials', async () => {
    expect(await (await h.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await h.app.request('/readyz')).json()).toEqual({ status: 'ready', database: 'ok', queue: 'ok' });
  });

  it('/readyz says which part is down (503)', async () => {
    const down = await createHarness({ queueReady: async () => { throw new Error('pg-boss not started'); } });
    try {
      const res = await down.app.request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ database: 'ok', queue: 'unreachable: pg-boss not started' });
    } finally {
      await down.close();
    }
  });

  it('health figures and Prometheus metrics', async () => {
    const health = await h.json('operator', 'GET', '/api/health');
    expect(health.throughput.runs).toBeGreaterThanOrEqual(2);
    expect(health.throughput.recordsRead).toBeGreaterThanOrEqual(4);
    expect(health.aging.openDeadLetters).toBe(0);
    const res = await h.app.request('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const metrics = await res.text();
    expect(metrics).toMatch(/^ledgerflow_runs_last_hour \d+$/m);
    expect(metrics).toContain('# TYPE ledgerflow_queue_depth gauge');
    // Counted where the work happens (a worker; this app's launcher runs in-line, so they are declared and empty).
    expect(metrics).toContain('# TYPE ledgerflow_records_total counter');
    expect(metrics).toContain('# TYPE ledgerflow_http_target_request_duration_seconds histogram');
    // Every API answer carries a request id, the caller's when it sent a sane one.
    const flows = await h.call('operator', 'GET', '/api/flows', undefined, { 'X-Request-Id': 'ops-check-1' });
    expect(flows.headers.get('x-request-id')).toBe('ops-check-1');
    expect((await h.call(null, 'GET', '/api/flows')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('health over a window: hourly throughput, failures by class, sync latency, dead letters by age', async () => {
    const health = await h.json('operator', 'GET', '/api/health?hours=24');
    expect(health.throughput.hourly).toHaveLength(24);
    const hourly = health.throughput.hourly as { read: number; exceptions: number }[];
    expect(hourly.reduce((a, b) => a + b.read, 0)).toBe(health.throughput.recordsRead);
    expect(hourly.at(-1)!.exceptions).toBeGreaterThanOrEqual(2);
    expect(health.failureRate.byClass.find((c: { errorClass: string }) => c.errorClass === 'validation').records).toBeGreaterThanOrEqual(2);
    expect(health.aging.buckets.map((b: { label: string }) => b.label)).toEqual(['under 1 h', '1 h – 1 d', '1 – 7 d', 'over 7 d']);
    expect(health.latency).toHaveProperty('syncSecondsP95');
    expect((await h.call('operator', 'GET', '/api/health?hours=0')).status).toBe(400);
    const metrics = await (await h.app.request('/metrics')).text();
    expect(metrics).toMatch(/^ledgerflow_records_failed_last_hour\{error_class="validation"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^ledgerflow_dead_letters_open_by_age\{age="under 1 h"\} 0$/m);
  });

  it('daily reconciliation per flow and environment, summed exactly in SQL', async () => {
    const { items } = await h.json('operator', 'GET', '/api/reconciliation/daily?flow=payments');
    expect(items).toHaveLength(1);
    const day = items[0];
    expect(day).toMatchObject({ flowId: 'payments', environment: 'dev', day: new Date().toISOString().slice(0, 10), closes: true });
    expect(day.runs).toBe(day.replayRuns + 1);
    // The first run read 3 (5, -5, 0 EUR); each replay re-read INV-2 (-5 EUR).
    expect(day.counts.read).toBe(3 + day.replayRuns);
    expect(day.totals.read.EUR).toBe((0 - 5 * day.replayRuns).toFixed(2)); // at EUR's two minor units
    expect((await h.json('operator', 'GET', '/api/reconciliation/daily?flow=nope')).items).toEqual([]);
  });
});

describe('OpenAPI document, reference page and designer', () => {
  it('generates OpenAPI 3.1 from the route definitions, with roles and schemas', async () => {
    const doc = await h.json(null, 'GET', '/api/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(40);
    const approve = doc.paths['/api/promotions/{id}/approve'].post;
    expect(approve.description).toContain('**Roles:** admin');
    expect(approve.responses['403'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    expect(doc.paths['/hooks/{flowId}/{environment}'].post.security).toEqual([]);
    expect(doc.components.schemas.FlowDocument.required).toEqual(['id', 'name', 'nodes', 'edges']);
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'lf_session' });
  });

  it('renders a readable reference page, grouped by tag, without external resources', async () => {
    const res = await h.app.request('/api/docs');
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const tag of ['Auth', 'Flows', 'Deployments', 'Triggers', 'Operations']) expect(html).toContain(`id="tag-${tag}"`);
    expect(html).toContain('/api/flows/{id}/versions');
    expect(html).toContain('id="schema-Problem"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema|ledgerflow)/);
  });

  it('serves the designer at / with index.html for client routes; API 404s stay problems', async () => {
    expect(await (await h.app.request('/')).text()).toContain('Ledgerflow designer');
    expect(await (await h.app.request('/flows/payments/edit')).text()).toContain('Ledgerflow designer');
    const asset = await h.app.request('/assets/app-1234.js');
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await h.app.request('/assets/missing.js')).status).toBe(404);
    expect((await h.app.request('/../../etc/passwd')).status).not.toBe(500);
    const api = await h.app.request('/api/unknown');
    expect(api.headers.get('content-type')).toContain('problem+json');
  });
});
