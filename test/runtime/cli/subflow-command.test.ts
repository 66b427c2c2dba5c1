/**
 * `ledgerflow subflow save|list|show`: the use cases of runtime/app/subflows.ts
 * from the command line — versions, refusals naming the node, the audit entry by `cli`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import { vatCheckDefinition } from '../../nodes/subflow/subflow-fixtures.ts';
import { cli } from './cli-capture.ts';

let data: string;

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lf-cli-subflow-'));
  process.env.LEDGERFLOW_DATA = data;
  delete process.env.DATABASE_URL;
  await writeFile(join(data, 'v1.json'), JSON.stringify(vatCheckDefinition()));
  await writeFile(join(data, 'v2.json'), JSON.stringify(vatCheckDefinition('$string($round($number(amount), 0))')));
  await writeFile(join(data, 'broken.json'), JSON.stringify(vatCheckDefinition('$round(')));
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

describe('ledgerflow subflow', { timeout: 400_000 }, () => {
  it('saves versions, refuses one with problems, lists and shows a sub-flow', async () => {
    expect(await cli('subflow', 'list')).toMatchObject({ code: 0, out: expect.stringContaining('No sub-flows yet') });
    expect(await cli('subflow', 'save', 'vat-check', join(data, 'v1.json'), '--message', 'first'))
      .toMatchObject({ code: 0, out: 'Saved sub-flow vat-check as version 1 (2 nodes; inputs in; outputs ok, rejected).' });
    expect(await cli('subflow', 'save', 'vat-check', join(data, 'v1.json'))).toMatchObject({ code: 0, out: expect.stringContaining('is unchanged') });
    expect(await cli('subflow', 'save', 'vat-check', join(data, 'v2.json'))).toMatchObject({ code: 0, out: expect.stringContaining('as version 2') });
    const broken = await cli('subflow', 'save', 'vat-check', join(data, 'broken.json'));
    expect(broken.code).not.toBe(0);
    expect(broken.err).toContain("Node 'normalise' (Map (JSONata))");
    expect((await cli('subflow', 'save', 'x')).code).toBe(64);

    expect((await cli('subflow', 'list')).out).toMatch(/vat-check\s+2\s+in\s+ok, rejected\s+2\s+cli/);
    const show = await cli('subflow', 'show', 'vat-check', '--version', '1');
    expect(show.out).toContain('Sub-flow vat-check, version 1 of 2: Rounds the amount and sorts out records without a VAT id');
    expect(show.out).toContain('inputs:  in → normalise');
    expect(show.out).toContain('outputs: ok ← has-vat.ok; rejected ← has-vat.default');
    expect(show.out).toMatch(/has-vat\s+route\.condition/);
    expect(await cli('subflow', 'show', 'nope')).toMatchObject({ code: 2, err: "ledgerflow subflow: There is no sub-flow 'nope'." });

    const store = await openPgliteStore({ dataDir: join(data, 'pgdata') });
    try {
      const audit = await createServiceRepos(store.sql).audit.list({ entity: 'subflow' }, { limit: 10 });
      expect(audit.items.map((a) => `${a.actor} ${a.action} ${a.entityId}`)).toEqual(['cli subflow.saved vat-check@2', 'cli subflow.saved vat-check@1']);
    } finally {
      await store.close();
    }
  });
});
