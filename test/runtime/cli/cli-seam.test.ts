/**
 * A run started on the command line is a run like one the API starts: queued
 * by the same use case, split into chunks and worked by a worker (here the
 * command's own), listed and shown by the API with the same fields; a dry run
 * writes no target and claims nothing, and a source that does not exist fails
 * the run naming it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../runtime/store/open-store.ts';
import { createHarness } from '../api/harness.ts';
import { cli } from './cli-capture.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const UBL_FLOW = join(ROOT, 'flows/ubl-invoice-to-ap/flow.json');
const INVOICE = join(ROOT, 'flows/ubl-invoice-to-ap/samples/ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml');
let data: string;

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lf-cli-seam-'));
  process.env.LEDGERFLOW_DATA = data;
  process.env.LEDGERFLOW_OUT = join(data, 'out');
  delete process.env.DATABASE_URL;
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

describe('ledgerflow run goes through the queue, as the API does', { timeout: 600_000 }, () => {
  let dryRunId: string;
  let runId: string;

  it('a dry run stores its run and traces but writes no target and claims no key: the real run after it delivers', async () => {
    const dry = await cli('run', UBL_FLOW, '--input', INVOICE, '--dry-run', '--json');
    expect(dry.code).toBe(0);
    dryRunId = JSON.parse(dry.out).runId;
    const real = await cli('run', UBL_FLOW, '--input', INVOICE, '--json');
    expect(real.code).toBe(0);
    const summary = JSON.parse(real.out);
    runId = summary.runId;
    // Not a duplicate: the dry run delivered nowhere.
    expect(summary.counts).toMatchObject({ read: 1, delivered: 1, duplicate: 0 });
    expect(summary.nodes.map((n: { nodeId: string }) => n.nodeId)).toContain('check-invoice');
  });

  it('a source the flow does not have fails the run, naming it (exit 2)', async () => {
    const r = await cli('run', UBL_FLOW, '--input', INVOICE, '--source', 'no-such-source', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.message).toContain("has no source node 'no-such-source'");
  });

  it('the API lists and shows the CLI run as any queued run: requested by cli, its chunk worked by a worker, node figures stored', async () => {
    const h = await createHarness({ database: await openDatabase({ dataDir: join(data, 'pgdata') }) });
    try {
      const page = await h.json('operator', 'GET', '/api/runs?flow=ubl-invoice-to-ap');
      expect(page.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([dryRunId, runId]));
      const detail = await h.json('operator', 'GET', `/api/runs/${runId}`);
      expect(detail.run).toMatchObject({ id: runId, trigger: 'manual', triggerRef: INVOICE, environment: null, status: 'succeeded', version: 1 });
      expect(detail.nodes.length).toBeGreaterThan(0);
      const events = detail.timeline.map((e: { event: string; detail: string }) => `${e.event}: ${e.detail}`);
      expect(events[0]).toBe(`queued: manual: ${INVOICE} by cli`);
      expect(events).toContainEqual(expect.stringMatching(/^chunk \d+ done: 1 record\(s\) on worker /));
      const records = await h.json('operator', 'GET', `/api/runs/${runId}/records`);
      expect(records.items.some((t: { outcome: string }) => t.outcome === 'delivered')).toBe(true);
    } finally {
      await h.close();
    }
  });
});
