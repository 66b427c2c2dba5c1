/**
 * "Save as sub-flow" and "add a sub-flow" on a flow document: the selected
 * nodes become a sub-flow definition whose inputs and outputs are the edges
 * the selection cuts, and the flow gets one `subflow` node in their place,
 * wired where they were. Pure and browser-safe (the designer calls it; tests too).
 */
import { DEFAULT_IN_PORT, edgeSourcePort, type FlowDocument, type FlowEdge, type FlowNode } from '../flow-document.ts';
import { pinnedConfig } from './definition.ts';
import { SUBFLOW_TYPE, type SubflowDefinition, type SubflowInput, type SubflowOutput } from './subflow.ts';

export type Grouping = { ok: true; definition: SubflowDefinition } | { ok: false; reason: string };

const portId = (text: string, prefix: string) => {
  const clean = text.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 56);
  return /^[A-Za-z]/.test(clean) ? clean : `${prefix}-${clean}`;
};

function uniqueIds<T extends { id: string }>(ports: T[]): T[] {
  const seen = new Set<string>();
  return ports.map((p) => {
    let id = p.id;
    for (let n = 2; seen.has(id); n++) id = `${p.id}-${n}`;
    seen.add(id);
    return { ...p, id };
  });
}

const key = (node: string, port: string) => `${node}\u0000${port}`;

/** The edges a selection cuts: coming in (grouped by the outside port feeding them) and going out (by the inside port they leave). */
function cutEdges(doc: FlowDocument, selected: ReadonlySet<string>) {
  const incoming = new Map<string, FlowEdge[]>();
  const outgoing = new Map<string, FlowEdge[]>();
  for (const e of doc.edges) {
    const from = selected.has(e.source);
    const to = selected.has(e.target);
    if (!from && to) {
      const k = key(e.source, edgeSourcePort(e));
      incoming.set(k, [...(incoming.get(k) ?? []), e]);
    } else if (from && !to) {
      const k = key(e.source, edgeSourcePort(e));
      outgoing.set(k, [...(outgoing.get(k) ?? []), e]);
    }
  }
  return { incoming: [...incoming.values()], outgoing: [...outgoing.values()] };
}

/** The sub-flow the selected nodes make, or why they cannot make one. */
export function groupAsSubflow(doc: FlowDocument, selectedIds: readonly string[], isSource: (type: string) => boolean, description?: string): Grouping {
  const selected = new Set(selectedIds);
  const nodes = doc.nodes.filter((n) => selected.has(n.id));
  if (nodes.length === 0) return { ok: false, reason: 'Select the nodes to save as a sub-flow first.' };
  const source = nodes.find((n) => isSource(n.type));
  if (source) return { ok: false, reason: `'${source.label ?? source.id}' is a source: a sub-flow's records come in through its inputs. Leave the source out of the selection.` };
  const { incoming, outgoing } = cutEdges(doc, selected);
  if (incoming.length === 0) return { ok: false, reason: 'Nothing flows into the selected nodes: connect them to the node feeding them first, so the sub-flow has an input.' };

  const inputs: SubflowInput[] = uniqueIds(incoming.map((edges) => ({
    id: incoming.length === 1 ? DEFAULT_IN_PORT : portId(edges[0].target, 'in'),
    targets: edges.map((e) => ({ node: e.target, ...(e.targetHandle && e.targetHandle !== DEFAULT_IN_PORT ? { port: e.targetHandle } : {}) })),
  })));
  const outPorts = outgoing.map((edges) => edgeSourcePort(edges[0]));
  const outputs: SubflowOutput[] = uniqueIds(outgoing.map((edges, i) => ({
    id: outgoing.length === 1 ? 'out' : outPorts.filter((p) => p === outPorts[i]).length === 1 && outPorts[i] !== 'out' ? portId(outPorts[i], 'out') : portId(`${edges[0].source}-${outPorts[i]}`, 'out'),
    sources: [{ node: edges[0].source, ...(edges[0].sourceHandle ? { port: edges[0].sourceHandle } : {}) }],
  })));
  const minX = Math.min(...nodes.map((n) => n.position.x));
  const minY = Math.min(...nodes.map((n) => n.position.y));
  return {
    ok: true,
    definition: {
      ...(description ? { description } : {}),
      inputs,
      outputs,
      nodes: nodes.map((n) => ({ ...n, position: { x: n.position.x - minX, y: n.position.y - minY } })),
      edges: doc.edges.filter((e) => selected.has(e.source) && selected.has(e.target)),
    },
  };
}

function uniqueId(stem: string, taken: ReadonlySet<string>): string {
  const base = stem.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'subflow';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A `subflow` node pinning `version` of `name`, with an id not taken in `doc`. */
export function subflowNode(doc: FlowDocument, name: string, version: number, definition: SubflowDefinition, position: { x: number; y: number }): FlowNode {
  return {
    id: uniqueId(name, new Set(doc.nodes.map((n) => n.id))), type: SUBFLOW_TYPE, typeVersion: 1, position, label: name,
    config: pinnedConfig(name, version, definition) as unknown as Record<string, unknown>,
  };
}

/**
 * The flow with the selected nodes replaced by a node using `version` of
 * sub-flow `name` (their grouping is `definition`): each cut edge now ends or
 * starts at the sub-flow node's port.
 */
export function replaceWithSubflow(doc: FlowDocument, selectedIds: readonly string[], name: string, version: number, definition: SubflowDefinition): FlowDocument {
  const selected = new Set(selectedIds);
  const kept = doc.nodes.filter((n) => !selected.has(n.id));
  const first = doc.nodes.filter((n) => selected.has(n.id));
  const position = { x: Math.min(...first.map((n) => n.position.x)), y: Math.min(...first.map((n) => n.position.y)) };
  const node = subflowNode({ ...doc, nodes: kept }, name, version, definition, position);
  const { incoming, outgoing } = cutEdges(doc, selected);
  const edges = doc.edges.filter((e) => !selected.has(e.source) && !selected.has(e.target));
  const taken = new Set(edges.map((e) => e.id));
  const add = (e: Omit<FlowEdge, 'id'>) => {
    const id = uniqueId(`e-${e.source}-${e.target}`, taken);
    taken.add(id);
    edges.push({ id, ...e });
  };
  incoming.forEach((group, i) => {
    add({ source: group[0].source, ...(group[0].sourceHandle ? { sourceHandle: group[0].sourceHandle } : {}), target: node.id, targetHandle: definition.inputs[i].id });
  });
  outgoing.forEach((group, i) => {
    for (const target of new Set(group.map((e) => `${e.target}\u0000${e.targetHandle ?? ''}`))) {
      const [t, handle] = target.split('\u0000');
      add({ source: node.id, sourceHandle: definition.outputs[i].id, target: t, ...(handle ? { targetHandle: handle } : {}) });
    }
  });
  return { ...doc, nodes: [...kept, node], edges };
}
