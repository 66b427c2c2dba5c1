import { describe, expect, it } from 'vitest';
import { createMetrics, measuredFetch } from '../../../runtime/observability/metrics.ts';
import { createHealthSampler } from '../../../runtime/observability/health-sampler.ts';
import { serveMetrics } from '../../../runtime/observability/metrics-server.ts';

describe('metrics', () => {
  it('each set of metrics has its own registry: two apps in one process do not clash', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.runs.inc({ status: 'succeeded' });
    expect(await a.registry.metrics()).toMatch(/^ledgerflow_runs_finished_total\{status="succeeded"\} 1$/m);
    expect(await b.registry.metrics()).not.toMatch(/ledgerflow_runs_finished_total\{/);
  });

  it('times HTTP target requests by host and status class, and failures without an answer', async () => {
    const metrics = createMetrics();
    const stub = (async (input: string | URL | Request) => {
      if (String(input).includes('down')) throw new TypeError('fetch failed');
      return new Response('{}', { status: String(input).endsWith('/missing') ? 404 : 201 });
    }) as typeof fetch;
    const timed = measuredFetch(stub, metrics);
    await timed('https://erp.example.com/api/invoices', { method: 'POST' });
    await timed(new URL('https://erp.example.com/api/missing'));
    await expect(timed('https://down.example.com/x')).rejects.toThrow('fetch failed');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledgerflow_http_target_request_duration_seconds_count\{host="erp.example.com",status="2xx"\} 1$/m);
    expect(text).toMatch(/^ledgerflow_http_target_request_duration_seconds_count\{host="erp.example.com",status="4xx"\} 1$/m);
    expect(text).toMatch(/^ledgerflow_http_target_request_duration_seconds_count\{host="down.example.com",status="error"\} 1$/m);
  });

  it('the database-wide sample is refreshed at most once per interval, however often it is scraped', async () => {
    let samples = 0;
    let clock = 0;
    const sampler = createHealthSampler(async () => { samples++; }, { maxAgeMs: 15_000, now: () => clock });
    await Promise.all([sampler.fresh(), sampler.fresh(), sampler.fresh()]);
    expect(samples).toBe(1);
    clock = 14_999;
    await sampler.fresh();
    expect(samples).toBe(1);
    clock = 15_000;
    await sampler.fresh();
    expect(samples).toBe(2);
  });

  it('a failed sample is reported and retried at the next scrape', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let samples = 0;
    const sampler = createHealthSampler(async () => { samples++; if (fail) throw new Error('database down'); }, { maxAgeMs: 60_000, onError: (e) => errors.push(e) });
    await sampler.fresh();
    fail = false;
    await sampler.fresh();
    await sampler.fresh();
    expect(samples).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('a worker serves its own registry at /metrics on a port of its own', async () => {
    const metrics = createMetrics();
    metrics.records.inc({ flow: 'f', outcome: 'delivered' }, 3);
    const server = await serveMetrics(metrics.registry, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^ledgerflow_records_total\{flow="f",outcome="delivered"\} 3$/m);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
