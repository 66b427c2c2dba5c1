/**
 * Reference data managed through the API: an admin loads CSV/JSON files as
 * versions of a set (composite keys, effective dates, one-to-many), every
 * change audited; a flow's reference problems are listed before deploy and
 * refuse it; a run reads one version of each set and records which.
 * On PGlite and, with TEST_DATABASE_URL, on Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { apiBackends } from './api-backends.ts';
import { createHarness, type Harness } from './harness.ts';

const RATES_V1 = 'entity,code,rate,from,to\nNL01,S,21,2020-01-01,2025-12-31\nNL01,S,22,2026-01-01,\nDE01,S,19,2020-01-01,\n';
const RATES_V2 = 'entity,code,rate,from,to\nNL01,S,21,2020-01-01,2025-12-31\nNL01,S,23,2026-01-01,\nDE01,S,19,2020-01-01,\n';

/** Invoices get the VAT rate of their entity and tax code valid on their date; an unknown pair is quarantined. */
function vatFlow(declaredKey: string[] = ['entity', 'code']): FlowDocument {
  return {
    id: 'vat-invoices',
    name: 'VAT on invoices',
    businessKey: 'ref',
    referenceData: { rates: { stored: 'vat-rates', key: declaredKey } },
    nodes: [
      { id: 'in', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
      { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 200, y: 0 }, config: { expression: '$merge([$, { "rate": $ref("rates", [entity, code], date).rate }])' } },
      { id: 'check', type: 'validate.record', typeVersion: 1, position: { x: 400, y: 0 }, config: { rules: [], references: [{ id: 'known-rate', set: 'rates', value: '[entity, code]', at: 'date', message: '', severity: 'error', field: 'code' }] } },
      { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 600, y: 0 }, config: { path: 'vat.jsonl', format: 'jsonl', idempotencyKey: 'ref' } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'map' },
      { id: 'e2', source: 'map', target: 'check' },
      { id: 'e3', source: 'check', sourceHandle: 'valid', target: 'out' },
    ],
  };
}

const invoices = (suffix: string) => JSON.stringify([
  { ref: `A-${suffix}`, entity: 'NL01', code: 'S', date: '2025-06-30' },
  { ref: `B-${suffix}`, entity: 'NL01', code: 'S', date: '2026-02-01' },
  { ref: `C-${suffix}`, entity: 'FR01', code: 'S', date: '2026-02-01' },
]);

const upload = (content: string, more: object = {}) => ({ key: ['entity', 'code'], validFrom: 'from', validTo: 'to', fileName: 'rates.csv', content, ...more });

const backends = apiBackends('lf_refdata');

for (const backend of backends) {
  describe(`reference data through the API on ${backend.name}`, () => {
    let h: Harness;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const opened = await backend.open();
      cleanup = opened.cleanup;
      h = await createHarness({ database: opened.database });
      await h.json('analyst', 'POST', '/api/flows', { document: vatFlow() }, 201);
      await h.json('analyst', 'POST', '/api/flows/vat-invoices/versions', { message: 'v1' }, 201);
    }, 120_000);
    afterAll(async () => {
      await h?.close();
      await cleanup?.();
    });

    it('lists an unknown set as a problem of the flow, and refuses to deploy it', async () => {
      const { problems } = await h.json('analyst', 'POST', '/api/reference-data/check', { document: vatFlow() });
      expect(problems).toEqual([expect.objectContaining({ path: '/referenceData/rates', message: expect.stringContaining("Reference data set 'vat-rates' (used as 'rates') is not loaded") })]);
      const res = await h.call('analyst', 'POST', '/api/flows/vat-invoices/deployments', { environment: 'dev', version: 1 });
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.detail).toContain("Flow 'vat-invoices' cannot go to dev: 1 reference data problem(s)");
      expect(body.problems[0].path).toBe('/referenceData/rates');
    });

    it('loads a set only for admins, refuses a file with repeated keys and keeps the current version', async () => {
      expect((await h.call('analyst', 'PUT', '/api/reference-data/vat-rates', upload(RATES_V1))).status).toBe(403);
      const first = await h.json('admin', 'PUT', '/api/reference-data/vat-rates', upload(RATES_V1));
      expect(first).toMatchObject({ unchanged: false, version: { set: 'vat-rates', version: 1, keyFields: ['entity', 'code'], validFrom: 'from', validTo: 'to', rowCount: 3, loadedBy: 'admin', sourceName: 'rates.csv' } });
      const clash = await h.call('admin', 'PUT', '/api/reference-data/vat-rates', upload(`${RATES_V1}NL01,S,9,2025-06-01,2026-06-30\n`));
      expect(clash.status).toBe(422);
      expect((await clash.json()).detail).toContain('rows 1 and 4 have the same entity + code "NL01 / S" for overlapping validity periods');
      const noField = await h.call('admin', 'PUT', '/api/reference-data/vat-rates', upload(RATES_V1, { key: ['entity', 'taxcode'] }));
      expect(noField.status).toBe(422);
      expect((await noField.json()).detail).toContain('rates.csv has no field "taxcode"');
      // The same file again: no new version, no audit entry.
      expect(await h.json('admin', 'PUT', '/api/reference-data/vat-rates', upload(RATES_V1))).toMatchObject({ unchanged: true, version: { version: 1 } });
      expect((await h.json('operator', 'GET', '/api/reference-data')).items).toEqual([expect.objectContaining({ set: 'vat-rates', version: 1 })]);
      const audit = await h.json('admin', 'GET', '/api/audit?entity=reference-data');
      expect(audit.items.map((a: { action: string; entityId: string }) => `${a.action} ${a.entityId}`)).toEqual(['reference-data.loaded vat-rates']);
    });

    it('a deployed flow runs with the current version, records it, and the next run reads the replaced one', async () => {
      expect((await h.json('analyst', 'POST', '/api/reference-data/check', { document: vatFlow() })).problems).toEqual([]);
      await h.json('analyst', 'POST', '/api/flows/vat-invoices/deployments', { environment: 'dev', version: 1 }, 201);
      const ratesOf = async (runId: string) => {
        const page = await h.json('operator', 'GET', `/api/runs/${runId}/records`);
        return Object.fromEntries(page.items.map((t: { businessKey: string; outcome: string; output: { rate?: string } | null }) => [t.businessKey, t.outcome === 'delivered' ? t.output?.rate : t.outcome]));
      };
      const first = await h.json('operator', 'POST', '/api/flows/vat-invoices/runs', { environment: 'dev', input: { name: 'i.json', content: invoices('1') } }, 202);
      const run1 = await h.json('operator', 'GET', `/api/runs/${first.runId}`);
      expect(run1.run.referenceVersions).toEqual({ rates: { set: 'vat-rates', version: 1 } });
      expect(await ratesOf(first.runId)).toEqual({ 'A-1': '21', 'B-1': '22', 'C-1': 'quarantined' });

      const replaced = await h.json('admin', 'PUT', '/api/reference-data/vat-rates', upload(RATES_V2, { fileName: 'rates-2026.csv' }));
      expect(replaced.version.version).toBe(2);
      const second = await h.json('operator', 'POST', '/api/flows/vat-invoices/runs', { environment: 'dev', input: { name: 'i.json', content: invoices('2') } }, 202);
      expect((await h.json('operator', 'GET', `/api/runs/${second.runId}`)).run.referenceVersions).toEqual({ rates: { set: 'vat-rates', version: 2 } });
      expect(await ratesOf(second.runId)).toEqual({ 'A-2': '21', 'B-2': '23', 'C-2': 'quarantined' });

      const history = await h.json('operator', 'GET', '/api/reference-data/vat-rates/versions');
      expect(history.versions.map((v: { version: number; sourceName: string }) => `${v.version} ${v.sourceName}`)).toEqual(['2 rates-2026.csv', '1 rates.csv']);
      const v1 = await h.json('operator', 'GET', '/api/reference-data/vat-rates/rows?version=1&limit=2');
      expect(v1).toMatchObject({ version: 1, truncated: true, rows: [{ entity: 'NL01', rate: '21' }, { entity: 'NL01', rate: '22' }] });
      const audit = await h.json('admin', 'GET', '/api/audit?entity=reference-data');
      expect(audit.items[0]).toMatchObject({ action: 'reference-data.replaced', entityId: 'vat-rates', before: { version: 1 }, after: { version: 2, sourceName: 'rates-2026.csv' } });
    }, 240_000);

    it('names a declared key that is not the set\'s, a one-to-many set read as one, and a check of an undeclared set', async () => {
      await h.json('admin', 'PUT', '/api/reference-data/contacts', { key: 'supplier', multiple: true, fileName: 'contacts.json', content: JSON.stringify([{ supplier: 'S1', mail: 'a@x' }, { supplier: 'S1', mail: 'b@x' }]) });
      const doc = vatFlow(['entity']);
      doc.referenceData!.contacts = { stored: 'contacts', key: 'supplier' };
      (doc.nodes[2].config as { references: unknown[] }).references.push({ id: 'vendor', set: 'vendors', value: 'supplier', message: '', severity: 'error' });
      const { problems } = await h.json('analyst', 'POST', '/api/reference-data/check', { document: doc });
      expect(problems.map((p: { path: string }) => p.path)).toEqual(['/referenceData/rates/key', '/referenceData/contacts/multiple', '/nodes/check/config/references/1/set']);
      expect(problems[0].message).toBe("Reference data set 'vat-rates' is keyed by entity + code (version 2), but the flow declares entity.");
    });
  });
}
