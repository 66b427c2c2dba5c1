/**
 * `ledgerflow reference load|list|show`: the use cases of runtime/app/reference-sets.ts
 * from the command line — versions, refusals naming the rows, the audit entry by `cli`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import { cli } from './cli-capture.ts';

let data: string;

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lf-cli-reference-'));
  process.env.LEDGERFLOW_DATA = data;
  delete process.env.DATABASE_URL;
  await writeFile(join(data, 'centres.csv'), 'entity,code,name\nNL01,CC-100,Finance\nNL01,CC-200,Sales\nDE01,CC-100,Finanzen\n');
  await writeFile(join(data, 'centres-2.json'), JSON.stringify([{ entity: 'NL01', code: 'CC-100', name: 'Finance & Control' }]));
  await writeFile(join(data, 'dupes.csv'), 'code,name\nCC-1,a\nCC-1,b\n');
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

describe('ledgerflow reference', { timeout: 400_000 }, () => {
  it('loads versions, refuses repeated keys, lists and shows a set', async () => {
    expect(await cli('reference', 'list')).toMatchObject({ code: 0, out: 'No reference data sets yet. Load one with: ledgerflow reference load <set> <file> --key <field>' });
    expect(await cli('reference', 'load', 'cost-centres', join(data, 'centres.csv'), '--key', 'entity,code'))
      .toMatchObject({ code: 0, out: 'Loaded 3 row(s) into reference data set cost-centres as version 1 (keyed by entity + code).' });
    expect(await cli('reference', 'load', 'cost-centres', join(data, 'centres.csv'), '--key', 'entity,code'))
      .toMatchObject({ code: 0, out: expect.stringContaining('is unchanged') });
    expect(await cli('reference', 'load', 'cost-centres', join(data, 'centres-2.json'), '--key', 'entity,code')).toMatchObject({ code: 0, out: expect.stringContaining('as version 2') });
    const dupes = await cli('reference', 'load', 'dupes', join(data, 'dupes.csv'), '--key', 'code');
    expect(dupes).toMatchObject({ code: 2, err: 'ledgerflow reference: Reference data set "dupes": rows 1 and 2 have the same code "CC-1".' });
    expect((await cli('reference', 'load', 'x', join(data, 'centres.csv'))).code).toBe(64);

    const list = await cli('reference', 'list');
    expect(list.out).toMatch(/cost-centres\s+2\s+1\s+entity \+ code\s+centres-2\.json\s+cli/);
    expect(list.out).not.toContain('dupes');
    const show = await cli('reference', 'show', 'cost-centres', '--version', '1', '--rows', '2');
    expect(show.out).toContain('Reference data set cost-centres, version 1 of 2 (keyed by entity + code), 3 row(s)');
    expect(show.out).toContain('… the first 2 of 3 rows');
    expect(show.out).toMatch(/NL01\s+CC-200\s+Sales/);
    expect(await cli('reference', 'show', 'nope')).toMatchObject({ code: 2, err: "ledgerflow reference: There is no reference data set 'nope'." });

    const store = await openPgliteStore({ dataDir: join(data, 'pgdata') });
    try {
      const audit = await createServiceRepos(store.sql).audit.list({ entity: 'reference-data' }, { limit: 10 });
      expect(audit.items.map((a) => `${a.actor} ${a.action} ${a.entityId}`)).toEqual(['cli reference-data.replaced cost-centres', 'cli reference-data.loaded cost-centres']);
    } finally {
      await store.close();
    }
  });
});
