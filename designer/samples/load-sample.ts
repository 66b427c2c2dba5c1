/** Loading samples into the store: uploads parsed in the browser, stored samples parsed by the server. */
import { catalog } from '../../nodes/catalog.ts';
import { errorMessage, type ApiClient } from '../api-client.ts';
import type { DesignerStore } from '../store/designer-store.ts';
import { sampleOfBytes } from './sample-file.ts';

/** Above this the whole document is not sent with test runs (the parsed records are). */
const MAX_UPLOAD_BYTES = 9 * 1024 * 1024;

function sourceNodeOf(store: DesignerStore, sourceNodeId?: string) {
  const doc = store.getState().document;
  const sources = doc?.nodes.filter((n) => catalog.get(n.type)?.category === 'source') ?? [];
  return sources.find((n) => n.id === sourceNodeId) ?? sources[0];
}

export async function loadUploadedSample(store: DesignerStore, file: File, sourceNodeId?: string): Promise<void> {
  const source = sourceNodeOf(store, sourceNodeId);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The parsers and the expression runtime load with the first upload, not with the flow editor.
    const { parseSample } = await import('./parse-sample.ts');
    const parsed = await parseSample(file.name, bytes, source, catalog);
    const content = bytes.length > MAX_UPLOAD_BYTES ? undefined : sampleOfBytes(file.name, bytes);
    store.getState().addSample({ id: `upload:${file.name}:${file.size}:${file.lastModified}`, name: file.name, origin: 'upload', records: parsed.records, total: parsed.total, sourceNodeId: source?.id, content });
    store.getState().notify('success', `${file.name}: ${parsed.total.toLocaleString()} record${parsed.total === 1 ? '' : 's'} read by the ${parsed.parsedBy}.`);
  } catch (err) {
    store.getState().notify('error', `${file.name} could not be read: ${errorMessage(err)}`);
  }
}

export async function loadStoredSample(store: DesignerStore, api: ApiClient, flowId: string, name: string, sourceNodeId?: string): Promise<void> {
  const source = sourceNodeOf(store, sourceNodeId);
  try {
    const r = await api.parseSample(flowId, { name }, source?.id);
    // Test runs send just the name: the server reads the whole stored document.
    store.getState().addSample({ id: `stored:${name}`, name: name.split('/').pop() ?? name, origin: 'stored', records: r.records, total: r.total, sourceNodeId: source?.id, content: { name } });
  } catch (err) {
    store.getState().notify('error', `The stored sample ${name} could not be loaded: ${errorMessage(err)}`);
  }
}
