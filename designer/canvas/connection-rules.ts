/**
 * Which connections the canvas accepts. The same rules the runtime checks in
 * validate-flow.ts, applied while dragging so a bad edge is never drawn:
 * no cycles, ports must exist on both nodes, no duplicate edges.
 */
import { inputPorts, outputPorts, type PortDeclaration } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { resolveNodeConfig } from '../../nodes/node-config.ts';
import { DEFAULT_IN_PORT, DEFAULT_OUT_PORT, type FlowDocument, type FlowEdge, type FlowNode } from '../../nodes/flow-document.ts';

export interface ConnectionCandidate {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

export type ConnectionVerdict = { ok: true } | { ok: false; reason: string };

/** True when an edge source → target would close a cycle (target already reaches source). */
export function wouldCreateCycle(edges: readonly Pick<FlowEdge, 'source' | 'target'>[], source: string, target: string): boolean {
  if (source === target) return true;
  const outgoing = new Map<string, string[]>();
  for (const e of edges) {
    const list = outgoing.get(e.source);
    if (list) list.push(e.target);
    else outgoing.set(e.source, [e.target]);
  }
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === source) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of outgoing.get(id) ?? []) stack.push(next);
  }
  return false;
}

/** The input and output ports of a node, as its type declares them for its config. */
export function portsOf(node: FlowNode, catalog: NodeCatalog): { inputs: PortDeclaration[]; outputs: PortDeclaration[] } {
  const decl = catalog.get(node.type);
  if (!decl) return { inputs: [], outputs: [] };
  const resolved = resolveNodeConfig(decl, node);
  const config = resolved.ok ? resolved.config : (decl.defaults as Record<string, unknown>);
  let outputs: PortDeclaration[];
  let inputs: PortDeclaration[];
  try {
    outputs = outputPorts(decl, config);
    inputs = inputPorts(decl, config);
  } catch {
    outputs = [];
    inputs = [];
  }
  return { inputs, outputs };
}

/** Decides whether a connection may be made, and says why not. */
export function checkConnection(doc: FlowDocument, c: ConnectionCandidate, catalog: NodeCatalog): ConnectionVerdict {
  const from = doc.nodes.find((n) => n.id === c.source);
  const to = doc.nodes.find((n) => n.id === c.target);
  if (!from || !to) return { ok: false, reason: 'Both ends must be nodes of this flow' };
  if (from.id === to.id) return { ok: false, reason: 'A node cannot feed itself' };
  const outPort = c.sourceHandle ?? DEFAULT_OUT_PORT;
  const inPort = c.targetHandle ?? DEFAULT_IN_PORT;
  const fromPorts = portsOf(from, catalog);
  const toPorts = portsOf(to, catalog);
  if (fromPorts.outputs.length === 0) return { ok: false, reason: `${label(from, catalog)} has no output: nothing leaves it` };
  if (!fromPorts.outputs.some((p) => p.id === outPort)) return { ok: false, reason: `${label(from, catalog)} has no output '${outPort}'` };
  if (toPorts.inputs.length === 0) return { ok: false, reason: `${label(to, catalog)} is a source: nothing can flow into it` };
  if (!toPorts.inputs.some((p) => p.id === inPort)) return { ok: false, reason: `${label(to, catalog)} has no input '${inPort}'` };
  const duplicate = doc.edges.some(
    (e) => e.source === from.id && e.target === to.id && (e.sourceHandle ?? DEFAULT_OUT_PORT) === outPort && (e.targetHandle ?? DEFAULT_IN_PORT) === inPort,
  );
  if (duplicate) return { ok: false, reason: 'These ports are already connected' };
  if (wouldCreateCycle(doc.edges, from.id, to.id)) return { ok: false, reason: 'This connection would make a loop: records would circle forever' };
  return { ok: true };
}

function label(node: FlowNode, catalog: NodeCatalog): string {
  return `'${node.label || catalog.get(node.type)?.title || node.id}'`;
}
