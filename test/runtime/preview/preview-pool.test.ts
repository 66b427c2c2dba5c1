/**
 * The preview pool: jobs run in worker threads; a worker over its memory cap
 * or wall-clock limit is terminated and replaced, and only its job fails.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { PreviewPool } from '../../../runtime/preview/preview-pool.ts';
import type { PreviewJob } from '../../../runtime/preview/preview-job.ts';

function flow(expression: string, evaluator: 'reference' | 'compiled' = 'compiled'): FlowDocument {
  return {
    id: 'preview', name: 'Preview', evaluator,
    nodes: [
      { id: 'in', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
      { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: { expression } },
      { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 400, y: 0 }, config: { path: 'out.jsonl', format: 'jsonl', idempotencyKey: 'ref' } },
    ],
    edges: [{ id: 'e1', source: 'in', target: 'map' }, { id: 'e2', source: 'map', target: 'out' }],
  } as FlowDocument;
}

function testRun(expression: string, records: unknown[] = [{ ref: 'R-1' }], evaluator: 'reference' | 'compiled' = 'compiled'): PreviewJob {
  return {
    kind: 'test-run', doc: flow(expression, evaluator), evaluator: evaluator === 'compiled' ? 'compiled' : 'jsonata', reference: {},
    input: { kind: 'records', records }, captureOutputs: 10, maxTraces: 10, timeoutMs: 60_000,
  };
}

const pool = new PreviewPool({ size: 1, memoryMb: 64 });
afterAll(() => pool.close());

describe('preview pool', () => {
  it('runs a test run in a worker; a warm worker answers in tens of milliseconds', async () => {
    const first = (await pool.run(testRun('{ "ref": ref, "n": 1 }'), 60_000)) as { counts: { delivered: number } };
    expect(first.counts.delivered).toBe(1);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await pool.run(testRun('{ "ref": ref, "n": 2 }'), 60_000);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`warm preview latency (ms): ${times.map((t) => t.toFixed(1)).join(', ')}`);
    expect(times[2]).toBeLessThan(500);
  });

  it('terminates a worker past the wall-clock limit and replaces it', async () => {
    const restarts = pool.restarts;
    const records = Array.from({ length: 20_000 }, (_, i) => ({ ref: `R-${i}` }));
    await expect(pool.run(testRun('{ "ref": ref, "s": $sum([1..2000]) }', records), 50)).rejects.toMatchObject({ status: 422, message: expect.stringContaining("ran longer than the preview's limit") });
    expect(pool.restarts).toBe(restarts + 1);
    expect(((await pool.run(testRun('{ "ref": ref }'), 60_000)) as { status: string }).status).toBe('succeeded');
  });

  it('terminates a worker over its memory cap (the API process is untouched) and replaces it', async () => {
    const restarts = pool.restarts;
    // A small sample whose expression builds 20,000 numbers per record: far more than 64 MB over 2,000 records.
    const records = Array.from({ length: 2_000 }, (_, i) => ({ ref: `R-${i}` }));
    await expect(pool.run(testRun('{ "ref": ref, "n": [1..20000] }', records), 120_000)).rejects.toMatchObject({ status: 422, message: expect.stringContaining('memory limit of 64 MB') });
    expect(pool.restarts).toBe(restarts + 1);
    expect(((await pool.run(testRun('{ "ref": ref }'), 60_000)) as { status: string }).status).toBe('succeeded');
  }, 120_000);

  it('refuses an input too large for a worker before posting it, naming the sizes', async () => {
    const restarts = pool.restarts;
    // 100,000 records of 200 characters: about 21 MB serialised, over a 64 MB worker's 16 MB input limit.
    const records = Array.from({ length: 100_000 }, (_, i) => ({ ref: `R-${i}`, text: 'x'.repeat(200) }));
    await expect(pool.run(testRun('{ "ref": ref }', records), 60_000)).rejects.toMatchObject({
      status: 422, message: expect.stringMatching(/input is [\d.]+ MB, more than the preview's input limit of 16\.0 MB/),
    });
    expect(pool.restarts).toBe(restarts);
    expect(((await pool.run(testRun('{ "ref": ref }'), 60_000)) as { status: string }).status).toBe('succeeded');
  }, 120_000);
});
