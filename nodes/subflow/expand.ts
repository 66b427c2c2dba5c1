/**
 * Replaces each `subflow` node of a (validated) flow by its pinned inner
 * nodes, ids namespaced `<subflow node>/<inner node>`, and wires the edges
 * that entered or left the sub-flow node to the inner nodes its inputs and
 * outputs name. A sub-flow may use another one: its pinned copy carries the
 * inner sub-flow's pinned copy, expanded the same way (`outer/inner/node`).
 * The engine prepares the result, so traces, lineage and statistics name
 * every inner node. Pure and browser-safe.
 */
import { DEFAULT_IN_PORT, edgeSourcePort, type FlowDocument, type FlowEdge, type FlowNode } from '../flow-document.ts';
import { FlowError } from '../errors.ts';
import { SUBFLOW_TYPE, type SubflowConfig } from './subflow.ts';

/** How deep sub-flows may use one another (a flow's sub-flow is depth 1). */
export const MAX_SUBFLOW_DEPTH = 5;

/** The id an inner node of sub-flow node `subflowNodeId` has once expanded. */
export const innerNodeId = (subflowNodeId: string, innerId: string) => `${subflowNodeId}/${innerId}`;

export const hasSubflows = (doc: Pick<FlowDocument, 'nodes'>) => doc.nodes.some((n) => n.type === SUBFLOW_TYPE);

/**
 * Why using sub-flow `name` inside the sub-flows `chain` (outermost first)
 * cannot be expanded: it uses itself, or it is nested too deep; null when it can.
 */
export function nestingProblem(chain: readonly string[], name: string): { code: 'cycle' | 'too-deep'; message: string } | null {
  if (chain.includes(name)) {
    const path = [...chain.slice(chain.indexOf(name)), name].join(' → ');
    return { code: 'cycle', message: `Sub-flow '${name}' uses itself: ${path}. A sub-flow cannot contain itself, directly or through another sub-flow.` };
  }
  if (chain.length >= MAX_SUBFLOW_DEPTH) {
    return { code: 'too-deep', message: `Sub-flows are nested more than ${MAX_SUBFLOW_DEPTH} deep: ${[...chain, name].join(' → ')}. Flatten one of them.` };
  }
  return null;
}

type End = { node: string; port?: string };

interface Expanded {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Where records entering `node` by `port` go once expanded. */
  entering(node: string, port: string | undefined): End[];
  /** Where records leaving `node` by `port` come from once expanded. */
  leaving(node: string, port: string | undefined): End[];
}

/** A graph with its sub-flow nodes expanded, recursively; `chain` names the sub-flows it sits in. */
function expandGraph(graph: { nodes: FlowNode[]; edges: FlowEdge[] }, chain: readonly string[]): Expanded {
  const inner = new Map<string, { config: SubflowConfig; expanded: Expanded }>();
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  for (const node of graph.nodes) {
    if (node.type !== SUBFLOW_TYPE) {
      nodes.push(node);
      continue;
    }
    const c = node.config as unknown as SubflowConfig;
    const problem = nestingProblem(chain, c.name);
    if (problem) throw new FlowError('permanent', `Node '${node.id}': ${problem.message}`, { nodeId: node.id, code: 'SUBFLOW_NESTING' });
    const expanded = expandGraph({ nodes: c.nodes as FlowNode[], edges: c.edges }, [...chain, c.name]);
    inner.set(node.id, { config: c, expanded });
    const prefix = node.label || c.name;
    for (const x of expanded.nodes) {
      nodes.push({
        ...x,
        id: innerNodeId(node.id, x.id),
        label: `${prefix} › ${x.label || x.id}`,
        position: { x: node.position.x + x.position.x, y: node.position.y + x.position.y },
      } as FlowNode);
    }
    for (const x of expanded.edges) edges.push({ ...x, id: innerNodeId(node.id, x.id), source: innerNodeId(node.id, x.source), target: innerNodeId(node.id, x.target) });
  }
  const namespaced = (id: string, ends: End[]) => ends.map((x) => ({ ...x, node: innerNodeId(id, x.node) }));
  const leaving = (node: string, port: string | undefined): End[] => {
    const s = inner.get(node);
    if (!s) return [{ node, port }];
    const out = s.config.outputs.find((o) => o.id === (port ?? 'out'))?.sources ?? [];
    return namespaced(node, out.flatMap((x) => s.expanded.leaving(x.node, x.port)));
  };
  const entering = (node: string, port: string | undefined): End[] => {
    const s = inner.get(node);
    if (!s) return [{ node, port }];
    const into = s.config.inputs.find((i) => i.id === (port ?? DEFAULT_IN_PORT))?.targets ?? [];
    return namespaced(node, into.flatMap((x) => s.expanded.entering(x.node, x.port)));
  };
  for (const e of graph.edges) {
    const from = inner.has(e.source) ? leaving(e.source, edgeSourcePort(e)) : [{ node: e.source, port: e.sourceHandle }];
    const pairs = from.flatMap((f) => entering(e.target, e.targetHandle).map((to) => ({ from: f, to })));
    pairs.forEach(({ from: f, to }, i) => {
      edges.push({
        id: pairs.length === 1 ? e.id : `${e.id}#${i + 1}`,
        source: f.node, ...(f.port ? { sourceHandle: f.port } : {}),
        target: to.node, ...(to.port ? { targetHandle: to.port } : {}),
      });
    });
  }
  return { nodes, edges, entering, leaving };
}

/** The flow with its sub-flow nodes expanded, nested ones too (the document itself when it has none). */
export function expandSubflows(doc: FlowDocument): FlowDocument {
  if (!hasSubflows(doc)) return doc;
  const { nodes, edges } = expandGraph(doc, []);
  return { ...doc, nodes, edges };
}
