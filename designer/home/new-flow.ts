/**
 * New flow documents: an id from a name, and a starter graph (file → map →
 * file) whose node configs come from the catalog's defaults.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';

/** `AP invoices (EU)` → `ap-invoices-eu`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'flow';
}

export type Starter = 'empty' | 'file-map-file';

export function newFlowDocument(id: string, name: string, starter: Starter, catalog: NodeCatalog): FlowDocument {
  const doc: FlowDocument = { id, name, nodes: [], edges: [] };
  if (starter === 'empty') return doc;
  const node = (nodeId: string, type: string, x: number, config: Record<string, unknown> = {}) => {
    const decl = catalog.get(type);
    if (!decl) throw new Error(`The node type ${type} is not in the catalog`);
    return { id: nodeId, type, typeVersion: decl.version, position: { x, y: 80 }, config: { ...structuredClone(decl.defaults as Record<string, unknown>), ...config } };
  };
  doc.nodes = [
    node('read', 'source.file', 0),
    node('map', 'transform.jsonata', 300),
    node('write', 'target.file', 600, { path: `${id}.jsonl` }),
  ];
  doc.edges = [
    { id: 'e-read-map', source: 'read', sourceHandle: 'out', target: 'map', targetHandle: 'in' },
    { id: 'e-map-write', source: 'map', sourceHandle: 'out', target: 'write', targetHandle: 'in' },
  ];
  return doc;
}
