import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../designer/api-client.ts';
import { rereadSample } from '../../../designer/samples/load-sample.ts';
import { createDesignerStore } from '../../../designer/store/designer-store.ts';
import { validateOnMainThread } from '../../../designer/store/main-thread-validator.ts';
import { sampleFlow } from '../flow-fixture.ts';

const CSV = 'invoice;amount\nINV-1;10.00\nINV-2;20.50\n';

function storeWithUpload() {
  const store = createDesignerStore({ problemsDelayMs: 0, validate: validateOnMainThread });
  store.getState().loadDocument(sampleFlow());
  // As parsed with the flow's first settings (comma-separated): one column named "invoice;amount".
  store.getState().addSample({
    id: 'upload:invoices.csv', name: 'invoices.csv', origin: 'upload', sourceNodeId: 'read',
    records: [{ 'invoice;amount': 'INV-1;10.00' }, { 'invoice;amount': 'INV-2;20.50' }], total: 2, content: { name: 'invoices.csv', content: CSV },
  });
  return store;
}

const noApi = {} as ApiClient;

describe('a loaded sample follows its source\'s settings', () => {
  it('reads an upload again with the source\'s new separator, keeping it selected', async () => {
    const store = storeWithUpload();
    const read = store.getState().document!.nodes.find((n) => n.id === 'read')!;
    store.getState().updateNodeConfig('read', { ...read.config, csv: { delimiter: ';' } });
    await rereadSample(store, noApi, 'flow', store.getState().samples[0]);
    const sample = store.getState().samples[0];
    expect(store.getState().activeSampleId).toBe('upload:invoices.csv');
    expect(sample.records).toEqual([{ invoice: 'INV-1', amount: '10.00' }, { invoice: 'INV-2', amount: '20.50' }]);
    expect(store.getState().notices.at(-1)?.message).toMatch(/read again with the new source settings: 2 records/);
  });

  it('says so when the document cannot be read with the new settings, and shows no stale records', async () => {
    const store = storeWithUpload();
    const read = store.getState().document!.nodes.find((n) => n.id === 'read')!;
    store.getState().updateNodeConfig('read', { ...read.config, format: 'xml' });
    await rereadSample(store, noApi, 'flow', store.getState().samples[0]);
    expect(store.getState().samples[0]).toMatchObject({ records: [], total: 0 });
    expect(store.getState().notices.at(-1)).toMatchObject({ kind: 'error', message: expect.stringMatching(/invoices\.csv cannot be read with the new source settings/) });
  });
});
