/**
 * The records that reach a node when a sample record enters the flow,
 * computed in the browser with the upstream nodes' own `create()`/`process()`
 * (the runtime's code), so an expression previews on what it will really see.
 */
import type { ProcessBehaviour } from '../../nodes/define-node.ts';
import { DEFAULT_OUT_PORT, type FlowDocument, type FlowNode } from '../../nodes/flow-document.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { resolveNodeConfig } from '../../nodes/node-config.ts';
import { evaluator, functions, PREVIEW_BINDINGS, referenceData } from '../expression-runtime.ts';

export type NodeInput =
  | { ok: true; records: unknown[]; path: string[]; notes: string[] }
  | { ok: false; message: string };

const behaviours = new WeakMap<FlowNode, ProcessBehaviour | Error>();
const PASS_VALID: ProcessBehaviour = { process: (data) => [{ port: 'valid', data }] };

function behaviourOf(node: FlowNode, catalog: NodeCatalog): ProcessBehaviour | Error {
  const hit = behaviours.get(node);
  if (hit) return hit;
  let made: ProcessBehaviour | Error;
  const decl = catalog.get(node.type);
  try {
    if (!decl) throw new Error(`unknown node type ${node.type}`);
    const resolved = resolveNodeConfig(decl, node);
    if (!resolved.ok) throw new Error(resolved.message);
    made = decl.create(resolved.config, { nodeId: node.id, evaluator, reference: referenceData, functions }) as ProcessBehaviour;
  } catch (err) {
    made = err instanceof Error ? err : new Error(String(err));
  }
  behaviours.set(node, made);
  return made;
}

/** Ancestors of `nodeId` (itself included), for pruning. */
function ancestors(doc: FlowDocument, nodeId: string): Set<string> {
  const seen = new Set<string>([nodeId]);
  const stack = [nodeId];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of doc.edges) if (e.target === id && !seen.has(e.source)) (seen.add(e.source), stack.push(e.source));
  }
  return seen;
}

/** Runs `record` from the source through the nodes upstream of `nodeId`; returns what arrives at it. */
export async function recordsArrivingAt(doc: FlowDocument, nodeId: string, record: unknown, catalog: NodeCatalog, sourceNodeId?: string): Promise<NodeInput> {
  const relevant = ancestors(doc, nodeId);
  const sources = doc.nodes.filter((n) => relevant.has(n.id) && catalog.get(n.type)?.category === 'source');
  const source = sources.find((s) => s.id === sourceNodeId) ?? sources[0];
  if (!source) return { ok: false, message: 'No source leads to this node yet: connect it to see its input.' };
  if (source.id === nodeId) return { ok: true, records: [record], path: [], notes: [] };
  const notes: string[] = [];
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const inbox = new Map<string, unknown[]>();
  const deliver = (from: string, port: string, data: unknown) => {
    for (const e of doc.edges) {
      if (e.source !== from || (e.sourceHandle ?? DEFAULT_OUT_PORT) !== port || !relevant.has(e.target)) continue;
      const list = inbox.get(e.target);
      if (list) list.push(data);
      else inbox.set(e.target, [data]);
    }
  };
  deliver(source.id, DEFAULT_OUT_PORT, record);
  for (const e of doc.edges) if (e.source === source.id && e.sourceHandle && e.sourceHandle !== DEFAULT_OUT_PORT) deliver(source.id, e.sourceHandle, record);
  const path: string[] = [];
  // Process nodes in waves until the target node's inbox is all that is left.
  for (let guard = 0; guard < doc.nodes.length + 1; guard++) {
    const ready = [...inbox.keys()].filter((id) => id !== nodeId && ![...inbox.keys()].some((other) => other !== id && isUpstream(doc, other, id)));
    if (ready.length === 0) break;
    for (const id of ready) {
      const items = inbox.get(id)!;
      inbox.delete(id);
      const node = byId.get(id);
      if (!node) continue;
      let behaviour = behaviourOf(node, catalog);
      if (behaviour instanceof Error && catalog.get(node.type)?.category === 'validate') {
        // Checks never change a record; without their reference data the preview lets records pass.
        notes.push(`The checks of “${node.label ?? node.id}” were skipped in this preview (${behaviour.message}).`);
        behaviour = PASS_VALID;
      }
      if (behaviour instanceof Error) return { ok: false, message: `Node “${node.label ?? node.id}” upstream cannot run: ${behaviour.message}` };
      path.push(id);
      for (const item of items) {
        try {
          for (const out of await behaviour.process(item, PREVIEW_BINDINGS)) deliver(id, out.port, out.data);
        } catch (err) {
          return { ok: false, message: `Node “${node.label ?? node.id}” upstream failed on this record: ${(err as Error).message}` };
        }
      }
    }
  }
  return { ok: true, records: inbox.get(nodeId) ?? [], path, notes };
}

function isUpstream(doc: FlowDocument, a: string, b: string): boolean {
  const stack = [a];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (id === b) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of doc.edges) if (e.source === id) stack.push(e.target);
  }
  return false;
}

/** What a node emits for one input record (its own code), as a mapping test expects it: one record, or a list. */
export async function nodeOutputFor(doc: FlowDocument, nodeId: string, input: unknown, catalog: NodeCatalog): Promise<{ ok: true; output: unknown } | { ok: false; message: string }> {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return { ok: false, message: `No node ${nodeId}` };
  const behaviour = behaviourOf(node, catalog);
  if (behaviour instanceof Error) return { ok: false, message: behaviour.message };
  try {
    const out = (await behaviour.process(input, PREVIEW_BINDINGS)).map((e) => e.data);
    return { ok: true, output: out.length === 1 ? out[0] : out.length === 0 ? undefined : out };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
