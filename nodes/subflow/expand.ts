/**
 * Replaces each `subflow` node of a (validated) flow by its pinned inner
 * nodes, ids namespaced `<subflow node>/<inner node>`, and wires the edges
 * that entered or left the sub-flow node to the inner nodes its inputs and
 * outputs name. The engine prepares the result, so traces, lineage and
 * statistics name every inner node. Pure and browser-safe.
 */
import { DEFAULT_IN_PORT, edgeSourcePort, type FlowDocument, type FlowEdge, type FlowNode } from '../flow-document.ts';
import { SUBFLOW_TYPE, type SubflowConfig } from './subflow.ts';

/** The id an inner node of sub-flow node `subflowNodeId` has once expanded. */
export const innerNodeId = (subflowNodeId: string, innerId: string) => `${subflowNodeId}/${innerId}`;

export const hasSubflows = (doc: Pick<FlowDocument, 'nodes'>) => doc.nodes.some((n) => n.type === SUBFLOW_TYPE);

type End = { node: string; port?: string };

/** The flow with its sub-flow nodes expanded (the document itself when it has none). */
export function expandSubflows(doc: FlowDocument): FlowDocument {
  if (!hasSubflows(doc)) return doc;
  const subflows = new Map<string, SubflowConfig>();
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  for (const node of doc.nodes) {
    if (node.type !== SUBFLOW_TYPE) {
      nodes.push(node);
      continue;
    }
    const c = node.config as unknown as SubflowConfig;
    subflows.set(node.id, c);
    const prefix = node.label || c.name;
    for (const inner of c.nodes) {
      nodes.push({
        ...inner,
        id: innerNodeId(node.id, inner.id),
        label: `${prefix} › ${inner.label || inner.id}`,
        position: { x: node.position.x + inner.position.x, y: node.position.y + inner.position.y },
      } as FlowNode);
    }
    for (const e of c.edges) edges.push({ ...e, id: innerNodeId(node.id, e.id), source: innerNodeId(node.id, e.source), target: innerNodeId(node.id, e.target) });
  }
  const fromEnds = (e: FlowEdge): End[] => {
    const c = subflows.get(e.source);
    if (!c) return [{ node: e.source, port: e.sourceHandle }];
    const port = edgeSourcePort(e);
    return (c.outputs.find((o) => o.id === port)?.sources ?? []).map((s) => ({ node: innerNodeId(e.source, s.node), port: s.port }));
  };
  const toEnds = (e: FlowEdge): End[] => {
    const c = subflows.get(e.target);
    if (!c) return [{ node: e.target, port: e.targetHandle }];
    const port = e.targetHandle ?? DEFAULT_IN_PORT;
    return (c.inputs.find((i) => i.id === port)?.targets ?? []).map((t) => ({ node: innerNodeId(e.target, t.node), port: t.port }));
  };
  for (const e of doc.edges) {
    const pairs = fromEnds(e).flatMap((from) => toEnds(e).map((to) => ({ from, to })));
    pairs.forEach(({ from, to }, i) => {
      edges.push({
        id: pairs.length === 1 ? e.id : `${e.id}#${i + 1}`,
        source: from.node, ...(from.port ? { sourceHandle: from.port } : {}),
        target: to.node, ...(to.port ? { targetHandle: to.port } : {}),
      });
    });
  }
  return { ...doc, nodes, edges };
}
