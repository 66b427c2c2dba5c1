/** Adds a node using the latest version of a stored sub-flow, declaring the connections its nodes use that the flow lacks. */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { connectionsUsed, innerNodes } from '../../nodes/subflow/definition.ts';
import { subflowNode } from '../../nodes/subflow/group.ts';
import type { SubflowDefinition } from '../../nodes/subflow/subflow.ts';
import { errorMessage, type ApiClient } from '../api-client.ts';
import { connectionKindsOf } from '../panels/connection-kinds.ts';
import type { DesignerStore } from '../store/designer-store.ts';

/** The flow's connections plus those `definition`'s nodes (nested sub-flows' too) name and the flow does not declare (kind from the node type). */
export function withConnectionsOf(doc: FlowDocument, definition: SubflowDefinition): FlowDocument['connections'] {
  const connections = { ...doc.connections };
  for (const name of connectionsUsed(definition)) {
    if (connections[name]) continue;
    const node = innerNodes(definition).find((n) => n.config.connection === name);
    const kind = node ? connectionKindsOf(node.type)?.[0] : undefined;
    if (kind) connections[name] = { kind };
  }
  return Object.keys(connections).length ? connections : doc.connections;
}

export async function addSubflow(store: DesignerStore, api: ApiClient, name: string, position: { x: number; y: number }): Promise<void> {
  try {
    const { subflow } = await api.subflow(name);
    const definition = subflow.definition as unknown as SubflowDefinition;
    const s = store.getState();
    let id = '';
    s.change((d) => {
      const node = subflowNode(d, subflow.name, subflow.version, definition, position);
      id = node.id;
      return { ...d, connections: withConnectionsOf(d, definition), nodes: [...d.nodes, node] };
    });
    s.select([id], []);
  } catch (err) {
    store.getState().notify('error', `Could not add sub-flow ${name}: ${errorMessage(err)}`);
  }
}
