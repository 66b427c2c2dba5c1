import type { FlowDocument } from '../../nodes/flow-document.ts';

/** source → map → validate → (valid) target, with the validate's invalid port unconnected. */
export function sampleFlow(): FlowDocument {
  return {
    id: 'demo',
    name: 'Demo',
    connections: { ap: { kind: 'postgres' } },
    nodes: [
      { id: 'read', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'csv' } },
      { id: 'map', type: 'transform.jsonata', typeVersion: 1, position: { x: 250, y: 0 }, label: 'To AP', config: { expression: '{ "id": ID }' } },
      { id: 'check', type: 'validate.record', typeVersion: 1, position: { x: 500, y: 0 }, config: { rules: [], references: [] } },
      {
        id: 'post', type: 'target.postgres', typeVersion: 1, position: { x: 750, y: 0 },
        config: { connection: 'ap', table: 'ap_invoice', mode: 'insert', columns: { id: 'id' }, idempotencyKey: 'id' },
        retry: { attempts: 3, backoffMs: 100 },
      },
    ],
    edges: [
      { id: 'e1', source: 'read', sourceHandle: 'out', target: 'map', targetHandle: 'in' },
      { id: 'e2', source: 'map', target: 'check' },
      { id: 'e3', source: 'check', sourceHandle: 'valid', target: 'post', targetHandle: 'in' },
    ],
  };
}
