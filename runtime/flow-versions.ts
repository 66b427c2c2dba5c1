/**
 * Runs always reference an immutable version, so lineage can name the exact
 * mapping a record went through. A flow run from a file is saved as a new
 * version only when its content changed since the latest one.
 */
import type { FlowDocument } from '../nodes/flow-document.ts';
import { documentHash } from './store/canonical-json.ts';
import type { Store, VersionRow } from './store/store.ts';

export async function ensureVersion(store: Store, doc: FlowDocument, author: string, message: string): Promise<VersionRow> {
  const hash = documentHash(doc);
  const versions = await store.listVersions(doc.id);
  const latest = versions.reduce<VersionRow | null>((a, v) => (!a || v.version > a.version ? v : a), null);
  if (latest && latest.hash === hash) return latest;
  if (!(await store.getFlow(doc.id))) await store.saveDraft(doc, author);
  return store.saveVersion(doc.id, doc, author, message);
}
