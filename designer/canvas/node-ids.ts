/** Readable, unique ids for new nodes and edges (`map-2`, `e-read-map`). */
import type { FlowDocument } from '../../nodes/flow-document.ts';

/** A short stem from a type id: `transform.jsonata` → `jsonata`, `target.postgres` → `postgres`. */
export function idStem(type: string): string {
  const last = type.split('.').pop() || 'node';
  return last.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase() || 'node';
}

/** The first `<stem>-<n>` (n ≥ 1) not in `taken`. */
export function uniqueId(stem: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = `${stem}-${n}`;
    if (!taken.has(id)) return id;
  }
}

export function uniqueNodeId(doc: FlowDocument, type: string, extra: ReadonlySet<string> = new Set()): string {
  const taken = new Set([...doc.nodes.map((n) => n.id), ...extra]);
  return uniqueId(idStem(type), taken);
}

export function uniqueEdgeId(doc: FlowDocument, source: string, target: string, extra: ReadonlySet<string> = new Set()): string {
  const taken = new Set([...doc.edges.map((e) => e.id), ...extra]);
  const base = `e-${source}-${target}`;
  return taken.has(base) ? uniqueId(base, taken) : base;
}
