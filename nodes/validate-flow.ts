/**
 * Checks a flow document and reports every problem at once, each with the node
 * it concerns and a JSON path. The runtime refuses to run a flow with errors;
 * the designer shows the same list in its problems panel.
 */
import { flowSizeProblems } from './flow-limits.ts';
import flowSchema from './flow-document.schema.json' with { type: 'json' };
import type { AnyNodeDeclaration } from './define-node.ts';
import { inputPorts, outputPorts, targetIdempotencyKey } from './define-node.ts';
import { SUBFLOW_TYPE, type SubflowConfig } from './subflow/subflow.ts';
import { nestingProblem } from './subflow/expand.ts';
import type { NodeCatalog } from './node-catalog.ts';
import type { ExpressionEvaluator } from './expression/evaluator.ts';
import type { FlowDocument, FlowEdge, FlowNode } from './flow-document.ts';
import { DEFAULT_IN_PORT, edgeSourcePort } from './flow-document.ts';
import { resolveNodeConfig } from './node-config.ts';
import { declaredSchemaValidator } from './schema-validator.ts';
import { configSchemaKey, FLOW_SCHEMA_KEY } from './schema-keys.ts';

export type FlowProblemCode =
  | 'schema'
  | 'too-large'
  | 'duplicate-id'
  | 'unknown-node-type'
  | 'newer-node-version'
  | 'invalid-config'
  | 'expression-syntax'
  | 'dangling-edge'
  | 'unknown-port'
  | 'cycle'
  | 'no-source'
  | 'unreachable-node'
  | 'unconnected-port'
  | 'missing-idempotency-key'
  | 'unknown-connection';

export interface FlowProblem {
  code: FlowProblemCode;
  message: string;
  /** JSON pointer into the flow document, e.g. `/nodes/2/config/expression`. */
  path: string;
  nodeId?: string;
  edgeId?: string;
  /** Character position within an expression. */
  position?: number;
}

// Compiled (or, in the designer's build, looked up) on first use: importing this module stays cheap.
const validateDocumentFn = () => declaredSchemaValidator(FLOW_SCHEMA_KEY, flowSchema);
const configValidator = (decl: AnyNodeDeclaration) => declaredSchemaValidator(configSchemaKey(decl), decl.configSchema);

/** Validates a config against its node type's schema; problems carry config-relative paths. */
export function validateNodeConfig(decl: AnyNodeDeclaration, config: unknown): { path: string; message: string }[] {
  const validate = configValidator(decl);
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    return { path: `${e.instancePath}${missing}`, message: describeAjvError(e.instancePath + missing, e.message ?? 'is invalid') };
  });
}

function describeAjvError(path: string, message: string): string {
  return path ? `${path.slice(1).replace(/\//g, '.')} ${message}` : message;
}

const FLOW_EXPRESSIONS: [string, (d: FlowDocument) => string | undefined][] = [
  ['/recordKey', (d) => d.recordKey],
  ['/businessKey', (d) => d.businessKey],
  ['/eventTime', (d) => d.eventTime],
  ['/amount/value', (d) => d.amount?.value],
  ['/amount/currency', (d) => d.amount?.currency],
  ['/ordering/key', (d) => d.ordering?.key],
];

export function validateFlow(doc: unknown, catalog: NodeCatalog, evaluator: ExpressionEvaluator): FlowProblem[] {
  // Over the size limits: nothing else is checked (that work is what the limits bound).
  const tooLarge = flowSizeProblems(doc);
  if (tooLarge.length > 0) return tooLarge;
  const problems: FlowProblem[] = [];
  const validateDocument = validateDocumentFn();
  if (!validateDocument(doc)) {
    for (const e of validateDocument.errors ?? []) {
      const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
      const path = e.instancePath + missing;
      const nodeMatch = /^\/nodes\/(\d+)/.exec(path);
      const nodeId = nodeMatch ? (doc as FlowDocument).nodes?.[Number(nodeMatch[1])]?.id : undefined;
      problems.push({ code: 'schema', path, nodeId, message: describeAjvError(path, e.message ?? 'is invalid') });
    }
    // Structural checks below need well-formed nodes and edges.
    const d = doc as Partial<FlowDocument> | null;
    if (!d || !Array.isArray(d.nodes) || !Array.isArray(d.edges)) return problems;
    if (d.nodes.some((n) => !n || typeof n.id !== 'string' || typeof n.type !== 'string')) return problems;
    if (d.edges.some((e) => !e || typeof e.source !== 'string' || typeof e.target !== 'string')) return problems;
  }
  const flow = doc as FlowDocument;

  for (const [path, get] of FLOW_EXPRESSIONS) {
    const expr = get(flow);
    if (expr === undefined) continue;
    const p = evaluator.check(expr);
    if (p) problems.push({ code: 'expression-syntax', path, position: p.position, message: `${path.slice(1).replace('/', '.')}: ${p.message}` });
  }

  const nodesById = checkNodes(flow.nodes, (i) => `/nodes/${i}`, flow, catalog, evaluator, problems);
  problems.push(...checkGraph(flow, nodesById, (i) => `/edges/${i}`));
  for (const entry of nodesById.values()) {
    if (entry.node.type === SUBFLOW_TYPE && entry.config) problems.push(...checkSubflow(entry, flow, catalog, evaluator, []));
  }
  return mostSpecificPerPath(problems);
}

/** Checks each node on its own (type, version, config, expressions, idempotency key, connection); returns them by id. */
function checkNodes(nodes: FlowNode[], pathOf: (index: number) => string, flow: FlowDocument, catalog: NodeCatalog, evaluator: ExpressionEvaluator, problems: FlowProblem[]): Map<string, NodeEntry> {
  const nodesById = new Map<string, NodeEntry>();
  nodes.forEach((node, index) => {
    const path = pathOf(index);
    if (nodesById.has(node.id)) {
      problems.push({ code: 'duplicate-id', path: `${path}/id`, nodeId: node.id, message: `Node id '${node.id}' is used more than once` });
      return;
    }
    const decl = catalog.get(node.type);
    if (!decl) {
      problems.push({ code: 'unknown-node-type', path: `${path}/type`, nodeId: node.id, message: `Node '${node.id}' has unknown type '${node.type}'` });
      nodesById.set(node.id, { node, path });
      return;
    }
    const resolved = resolveNodeConfig(decl, node);
    if (!resolved.ok) {
      problems.push({ code: 'newer-node-version', path: `${path}/typeVersion`, nodeId: node.id, message: resolved.message });
      nodesById.set(node.id, { node, path, decl });
      return;
    }
    const config = resolved.config;
    nodesById.set(node.id, { node, path, decl, config });
    for (const e of validateNodeConfig(decl, config)) {
      problems.push({ code: 'invalid-config', path: `${path}/config${e.path}`, nodeId: node.id, message: `Node '${node.id}' (${decl.title}): ${e.message}` });
    }
    for (const p of decl.check?.(config, evaluator) ?? []) {
      const code: FlowProblemCode = p.position !== undefined || p.code?.startsWith('S') ? 'expression-syntax' : 'invalid-config';
      problems.push({ code, path: `${path}/config${p.path}`, nodeId: node.id, position: p.position, message: `Node '${node.id}' (${decl.title}): ${p.message}` });
    }
    if (decl.category === 'target') {
      const key = targetIdempotencyKey(decl, config);
      if (typeof key !== 'string' || key.trim() === '') {
        problems.push({ code: 'missing-idempotency-key', path: `${path}/config/idempotencyKey`, nodeId: node.id, message: `Target '${node.id}' has no idempotency key: without one a re-run could post the same record twice` });
      }
    }
    const connection = config.connection;
    if (typeof connection === 'string' && connection && !flow.connections?.[connection]) {
      problems.push({ code: 'unknown-connection', path: `${path}/config/connection`, nodeId: node.id, message: `Node '${node.id}' uses connection '${connection}', which the flow does not declare under "connections"` });
    }
  });
  return nodesById;
}

const SPECIFICITY: Partial<Record<FlowProblemCode, number>> = { 'missing-idempotency-key': 3, 'expression-syntax': 2, 'unknown-connection': 2, 'invalid-config': 1 };

/** The schema, the node's own check and the graph check may all notice one mistake: say it once, the most specific way. */
function mostSpecificPerPath(problems: FlowProblem[]): FlowProblem[] {
  const best = new Map<string, number>();
  for (const p of problems) best.set(p.path, Math.max(best.get(p.path) ?? 0, SPECIFICITY[p.code] ?? 0));
  const seen = new Set<string>();
  return problems.filter((p) => {
    const rank = SPECIFICITY[p.code];
    if (rank !== undefined && rank < best.get(p.path)!) return false;
    const key = `${p.code}|${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type NodeEntry = { node: FlowNode; path: string; decl?: AnyNodeDeclaration; config?: Record<string, unknown> };

function checkGraph(flow: Pick<FlowDocument, 'edges'>, nodesById: Map<string, NodeEntry>, edgePath: (index: number) => string): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const outgoing = new Map<string, string[]>();
  const connectedIn = new Set<string>();
  const connectedOut = new Set<string>();
  const edgeIds = new Set<string>();

  flow.edges.forEach((edge, i) => {
    const path = edgePath(i);
    if (edgeIds.has(edge.id)) problems.push({ code: 'duplicate-id', path: `${path}/id`, edgeId: edge.id, message: `Edge id '${edge.id}' is used more than once` });
    edgeIds.add(edge.id);
    const from = nodesById.get(edge.source);
    const to = nodesById.get(edge.target);
    if (!from) problems.push({ code: 'dangling-edge', path: `${path}/source`, edgeId: edge.id, message: `Edge '${edge.id}' starts at node '${edge.source}', which does not exist` });
    if (!to) problems.push({ code: 'dangling-edge', path: `${path}/target`, edgeId: edge.id, message: `Edge '${edge.id}' ends at node '${edge.target}', which does not exist` });
    if (!from || !to) return;
    const port = edgeSourcePort(edge);
    if (from.decl && from.config) {
      const ports = outputPorts(from.decl, from.config).map((p) => p.id);
      if (!ports.includes(port)) {
        problems.push({ code: 'unknown-port', path: `${path}/sourceHandle`, nodeId: from.node.id, edgeId: edge.id, message: `Edge '${edge.id}' leaves node '${from.node.id}' by port '${port}', which it does not have (ports: ${ports.join(', ') || 'none'})` });
      }
    }
    if (to.decl && to.config) {
      const inPort = edge.targetHandle ?? DEFAULT_IN_PORT;
      const inPorts = inputPorts(to.decl, to.config).map((p) => p.id);
      if (!inPorts.includes(inPort)) {
        problems.push({ code: 'unknown-port', path: `${path}/targetHandle`, nodeId: to.node.id, edgeId: edge.id, message: `Edge '${edge.id}' enters node '${to.node.id}' by port '${inPort}', which it does not have (ports: ${inPorts.join(', ') || 'none: it is a source'})` });
      }
    }
    const targets = outgoing.get(edge.source);
    if (targets) targets.push(edge.target);
    else outgoing.set(edge.source, [edge.target]);
    connectedIn.add(edge.target);
    connectedOut.add(`${edge.source}\u0000${port}`);
  });

  const cycle = findCycle([...nodesById.keys()], outgoing);
  if (cycle) {
    const first = nodesById.get(cycle[0])!;
    problems.push({ code: 'cycle', path: first.path, nodeId: cycle[0], message: `The flow has a cycle: ${[...cycle, cycle[0]].join(' → ')}` });
  }

  const sources = [...nodesById.values()].filter((e) => e.decl?.category === 'source');
  if (sources.length === 0 && nodesById.size > 0) {
    problems.push({ code: 'no-source', path: '/nodes', message: 'The flow has no source node: nothing would ever enter it' });
  }
  const reachable = new Set<string>();
  const stack = sources.map((s) => s.node.id);
  while (stack.length) {
    const id = stack.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const target of outgoing.get(id) ?? []) if (!reachable.has(target)) stack.push(target);
  }

  for (const entry of nodesById.values()) {
    const { node, path, decl, config } = entry;
    if (!decl || !config) continue;
    if (decl.category !== 'source' && !reachable.has(node.id) && sources.length > 0) {
      problems.push({ code: 'unreachable-node', path, nodeId: node.id, message: `Node '${node.id}' (${decl.title}) cannot be reached from any source` });
    }
    for (const input of inputPorts(decl, config)) {
      if (!connectedIn.has(node.id)) {
        problems.push({ code: 'unconnected-port', path, nodeId: node.id, message: `Node '${node.id}' (${decl.title}): input '${input.title}' is not connected` });
      }
    }
    if (decl.category !== 'target' && !outgoing.has(node.id)) {
      problems.push({ code: 'unconnected-port', path, nodeId: node.id, message: `Node '${node.id}' (${decl.title}) has no outgoing connection: its records would go nowhere` });
      continue;
    }
    for (const port of outputPorts(decl, config)) {
      if (port.required && !connectedOut.has(`${node.id}\u0000${port.id}`)) {
        problems.push({ code: 'unconnected-port', path, nodeId: node.id, message: `Node '${node.id}' (${decl.title}): output '${port.title}' is not connected` });
      }
    }
  }
  return problems;
}

const IN_PORT_NODE = (id: string) => `\u0000input '${id}'`;
const OUT_PORT_NODE = (id: string) => `\u0000output '${id}'`;

/**
 * A sub-flow node's pinned content, checked as a small flow of its own: its
 * inputs are its sources, its outputs its ends. Problems point into the
 * node's config and name the sub-flow node (the one the canvas shows). A
 * sub-flow it uses is checked the same way, inside the sub-flows of `chain`
 * (outermost first), which it must not repeat nor make too deep.
 */
function checkSubflow(entry: NodeEntry, flow: FlowDocument, catalog: NodeCatalog, evaluator: ExpressionEvaluator, chain: readonly string[]): FlowProblem[] {
  const c = entry.config as SubflowConfig;
  const at = `${entry.path}/config`;
  const nesting = nestingProblem(chain, c.name);
  if (nesting) return [{ code: nesting.code === 'cycle' ? 'cycle' : 'invalid-config', path: `${at}/name`, nodeId: entry.node.id, message: nesting.message }];
  const problems: FlowProblem[] = [];
  const inner = checkNodes(c.nodes, (i) => `${at}/nodes/${i}`, flow, catalog, evaluator, problems);
  for (const e of inner.values()) {
    if (e.node.type === SUBFLOW_TYPE && e.config) problems.push(...checkSubflow(e, flow, catalog, evaluator, [...chain, c.name]));
    else if (e.decl?.category === 'source') problems.push({ code: 'invalid-config', path: `${e.path}/type`, message: `Node '${e.node.id}' (${e.decl.title}) is a source: a sub-flow's records come in through its inputs` });
  }
  const portNode = (id: string, category: 'source' | 'target', title: string): NodeEntry => ({
    node: { id, type: SUBFLOW_TYPE, typeVersion: 1, position: { x: 0, y: 0 }, config: {} }, path: at, config: {},
    decl: { ...entry.decl!, category, title, inputs: category === 'target' ? [{ id: DEFAULT_IN_PORT, title }] : [], outputs: category === 'source' ? [{ id: 'out', title }] : [] },
  });
  const edges: FlowEdge[] = c.edges.map((e) => ({ ...e }));
  const edgePaths = c.edges.map((_, i) => `${at}/edges/${i}`);
  c.inputs.forEach((input, i) => {
    inner.set(IN_PORT_NODE(input.id), portNode(IN_PORT_NODE(input.id), 'source', `input '${input.id}'`));
    input.targets.forEach((t, j) => {
      edges.push({ id: `input '${input.id}' → ${t.node}`, source: IN_PORT_NODE(input.id), target: t.node, targetHandle: t.port });
      edgePaths.push(`${at}/inputs/${i}/targets/${j}`);
    });
  });
  c.outputs.forEach((output, i) => {
    inner.set(OUT_PORT_NODE(output.id), portNode(OUT_PORT_NODE(output.id), 'target', `output '${output.id}'`));
    output.sources.forEach((s, j) => {
      edges.push({ id: `${s.node} → output '${output.id}'`, source: s.node, sourceHandle: s.port, target: OUT_PORT_NODE(output.id) });
      edgePaths.push(`${at}/outputs/${i}/sources/${j}`);
    });
  });
  // The port stand-ins' own reachability follows from the inner nodes' problems: not said twice.
  const portEdge = /(\/(?:inputs|outputs)\/\d+\/(?:targets|sources)\/\d+)\/(source|target)(Handle)?$/;
  problems.push(...checkGraph({ edges }, inner, (i) => edgePaths[i]).filter((p) => p.path !== at)
    .map((p) => ({ ...p, path: p.path.replace(portEdge, (_, ref: string, _end: string, handle?: string) => `${ref}/${handle ? 'port' : 'node'}`) })));
  const name = `Sub-flow '${c.name}' v${c.version} (node '${entry.node.id}')`;
  return problems.map((p) => ({ ...p, nodeId: entry.node.id, message: `${name}: ${p.message.replaceAll('\u0000', '')}` }));
}

/** Returns the node ids of one cycle, or null. Iterative DFS (flows can be large). */
function findCycle(ids: string[], outgoing: Map<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  for (const start of ids) {
    if (state.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const targets = outgoing.get(top.id) ?? [];
      if (top.next >= targets.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const t = targets[top.next++];
      const s = state.get(t);
      if (s === 1) {
        const from = stack.findIndex((f) => f.id === t);
        return stack.slice(from).map((f) => f.id);
      }
      if (s === undefined) {
        state.set(t, 1);
        stack.push({ id: t, next: 0 });
      }
    }
  }
  return null;
}
