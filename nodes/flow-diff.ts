/**
 * What changed between two versions of a flow: flow fields, nodes (matched by
 * id, config compared field by field), edges (matched by their endpoints, not
 * their ids) and, apart from those, node moves on the canvas. The API returns
 * it for the version history; the designer highlights it on the canvas.
 * Browser-safe.
 */
import { DEFAULT_IN_PORT, DEFAULT_OUT_PORT, type FlowDocument, type FlowEdge, type FlowNode } from './flow-document.ts';
import { diffFields, jsonEqual, type FieldChange } from './field-changes.ts';

export type { FieldChange } from './field-changes.ts';
export type { LineDiff } from './text-line-diff.ts';
export { describeDiff } from './describe-flow-diff.ts';

/** A node present in both versions that differs in more than its position. */
export type ChangedNode = Extract<NodeChange, { kind: 'changed' }>;

export interface FlowDiffSummary {
  nodesAdded: number;
  nodesRemoved: number;
  nodesChanged: number;
  edgesAdded: number;
  edgesRemoved: number;
  /** Top-level flow fields with at least one change. */
  flowFieldsChanged: number;
  /** True when the only differences are node positions and labels. */
  layoutOnly: boolean;
}

export type NodeChange =
  | { nodeId: string; kind: 'added'; type: string; label?: string }
  | { nodeId: string; kind: 'removed'; type: string; label?: string }
  | {
      nodeId: string;
      kind: 'changed';
      /** The node's type in the new version. */
      type: string;
      label?: string;
      typeChanged?: { from: string; to: string };
      typeVersionChanged?: { from: number; to: number };
      labelChanged?: { from?: string; to?: string };
      retryChanged?: FieldChange;
      config: FieldChange[];
    };

/** An added or removed connection; ports are spelled out even where the document leaves them to their defaults. */
export interface EdgeChange {
  kind: 'added' | 'removed';
  edgeId: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface LayoutMove {
  nodeId: string;
  from: { x: number; y: number };
  to: { x: number; y: number };
}

export interface FlowDiff {
  from: { label: string };
  to: { label: string };
  summary: FlowDiffSummary;
  /** Top-level fields; mapping tests summarised one change per test, by name. */
  flow: FieldChange[];
  /** One per node that was added, removed or changed (not merely moved). */
  nodes: NodeChange[];
  edges: EdgeChange[];
  /** Moves, kept apart from semantic changes. */
  layout: LayoutMove[];
}

export interface FlowDiffOptions {
  /** Where the node types' expression fields come from (the node catalog fits); they get line diffs. */
  catalog?: { get(type: string): { expressionFields?: readonly string[] } | undefined };
}

/** Top-level fields in the order they are reported; other fields follow, sorted by name. */
const FLOW_FIELDS = [
  'name',
  'description',
  'businessKey',
  'amount',
  'sensitive',
  'connections',
  'referenceData',
  'recordKey',
  'eventTime',
  'evaluator',
  'ordering',
  'tests',
  'samples',
] as const;
const NOT_FLOW_FIELDS = new Set(['nodes', 'edges', '$schema']);
const FLOW_EXPRESSION_FIELDS = ['/recordKey', '/businessKey', '/eventTime', '/amount/value', '/amount/currency', '/ordering/key'];

/**
 * The structured diff from `from` to `to`. Ordering is deterministic: items
 * in the order of `to`, then those only in `from` in their order.
 */
export function diffFlows(
  from: FlowDocument,
  to: FlowDocument,
  labels: { from: string; to: string } = { from: 'from', to: 'to' },
  options: FlowDiffOptions = {},
): FlowDiff {
  const { flow, fieldsChanged } = diffFlowFields(from, to);
  const { nodes, layout } = diffNodes(from.nodes ?? [], to.nodes ?? [], options);
  const edges = diffEdges(from.edges ?? [], to.edges ?? []);
  const semantic =
    flow.length > 0 ||
    edges.length > 0 ||
    nodes.some((n) => n.kind !== 'changed' || n.typeChanged || n.typeVersionChanged || n.retryChanged || n.config.length > 0);
  return {
    from: { label: labels.from },
    to: { label: labels.to },
    summary: {
      nodesAdded: nodes.filter((n) => n.kind === 'added').length,
      nodesRemoved: nodes.filter((n) => n.kind === 'removed').length,
      nodesChanged: nodes.filter((n) => n.kind === 'changed').length,
      edgesAdded: edges.filter((e) => e.kind === 'added').length,
      edgesRemoved: edges.filter((e) => e.kind === 'removed').length,
      flowFieldsChanged: fieldsChanged,
      layoutOnly: !semantic && (layout.length > 0 || nodes.length > 0),
    },
    flow,
    nodes,
    edges,
    layout,
  };
}

function diffFlowFields(from: FlowDocument, to: FlowDocument): { flow: FieldChange[]; fieldsChanged: number } {
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  const listed = new Set<string>(FLOW_FIELDS);
  const others = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => !listed.has(k) && !NOT_FLOW_FIELDS.has(k))
    .sort();
  const flow: FieldChange[] = [];
  let fieldsChanged = 0;
  for (const field of [...FLOW_FIELDS, ...others]) {
    const changes =
      field === 'tests'
        ? diffTests(from.tests ?? [], to.tests ?? [])
        : diffFields({ [field]: a[field] }, { [field]: b[field] }, '', { expressionFields: FLOW_EXPRESSION_FIELDS });
    if (changes.length > 0) fieldsChanged++;
    flow.push(...changes);
  }
  return { flow, fieldsChanged };
}

/** One change per mapping test, matched by name: test inputs and outputs are whole documents, too long to list. */
function diffTests(from: NonNullable<FlowDocument['tests']>, to: NonNullable<FlowDocument['tests']>): FieldChange[] {
  // A repeated name is matched by its occurrence (the second "X" with the second "X").
  const keyed = (tests: typeof from) => {
    const seen = new Map<string, number>();
    return tests.map((test) => {
      const n = (seen.get(test.name) ?? 0) + 1;
      seen.set(test.name, n);
      return `${n}:${test.name}`;
    });
  };
  const oldKeys = keyed(from);
  const newKeys = keyed(to);
  const changes: FieldChange[] = [];
  newKeys.forEach((key, i) => {
    const j = oldKeys.indexOf(key);
    const test = to[i];
    if (j < 0) {
      changes.push({ path: `tests[${i}]`, kind: 'added', item: test.name, to: test.name });
      return;
    }
    const before = from[j] as unknown as Record<string, unknown>;
    const after = test as unknown as Record<string, unknown>;
    const parts = [...new Set([...Object.keys(after), ...Object.keys(before)])].filter((p) => !jsonEqual(before[p], after[p]));
    if (parts.length > 0) changes.push({ path: `tests[${i}]`, kind: 'changed', item: test.name, parts });
  });
  oldKeys.forEach((key, j) => {
    if (!newKeys.includes(key)) changes.push({ path: `tests[${j}]`, kind: 'removed', item: from[j].name, from: from[j].name });
  });
  return changes;
}

function diffNodes(from: FlowNode[], to: FlowNode[], options: FlowDiffOptions): { nodes: NodeChange[]; layout: LayoutMove[] } {
  const byId = (list: FlowNode[]) => {
    const map = new Map<string, FlowNode>();
    for (const node of list) if (!map.has(node.id)) map.set(node.id, node);
    return map;
  };
  const oldNodes = byId(from);
  const newNodes = byId(to);
  const nodes: NodeChange[] = [];
  const layout: LayoutMove[] = [];
  for (const after of newNodes.values()) {
    const before = oldNodes.get(after.id);
    if (!before) {
      nodes.push(withLabel({ nodeId: after.id, kind: 'added', type: after.type }, after.label));
      continue;
    }
    const change = diffNode(before, after, options);
    if (change) nodes.push(change);
    const p = before.position ?? { x: 0, y: 0 };
    const q = after.position ?? { x: 0, y: 0 };
    if (p.x !== q.x || p.y !== q.y) layout.push({ nodeId: after.id, from: { x: p.x, y: p.y }, to: { x: q.x, y: q.y } });
  }
  for (const before of oldNodes.values()) {
    if (!newNodes.has(before.id)) nodes.push(withLabel({ nodeId: before.id, kind: 'removed', type: before.type }, before.label));
  }
  return { nodes, layout };
}

function withLabel<T extends NodeChange>(change: T, label: string | undefined): T {
  return label === undefined ? change : { ...change, label };
}

function diffNode(before: FlowNode, after: FlowNode, options: FlowDiffOptions): ChangedNode | null {
  const expressionFields = options.catalog?.get(after.type)?.expressionFields ?? [];
  const config = diffFields(before.config ?? {}, after.config ?? {}, '', { expressionFields });
  const change: ChangedNode = withLabel({ nodeId: after.id, kind: 'changed', type: after.type, config }, after.label);
  let changed = config.length > 0;
  if (before.type !== after.type) {
    change.typeChanged = { from: before.type, to: after.type };
    changed = true;
  }
  if (before.typeVersion !== after.typeVersion) {
    change.typeVersionChanged = { from: before.typeVersion, to: after.typeVersion };
    changed = true;
  }
  if ((before.label ?? '') !== (after.label ?? '')) {
    change.labelChanged = { ...(before.label !== undefined ? { from: before.label } : {}), ...(after.label !== undefined ? { to: after.label } : {}) };
    changed = true;
  }
  const retry = diffRetry(before.retry, after.retry);
  if (retry) {
    change.retryChanged = retry;
    changed = true;
  }
  return changed ? change : null;
}

/** The retry policy as one change: its three numbers read best side by side. */
function diffRetry(before: FlowNode['retry'], after: FlowNode['retry']): FieldChange | null {
  if (jsonEqual(before, after)) return null;
  if (before === undefined) return { path: 'retry', kind: 'added', to: after };
  if (after === undefined) return { path: 'retry', kind: 'removed', from: before };
  return { path: 'retry', kind: 'changed', from: before, to: after };
}

function edgeOf(kind: EdgeChange['kind'], edge: FlowEdge): EdgeChange {
  return {
    kind,
    edgeId: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle ?? DEFAULT_OUT_PORT,
    target: edge.target,
    targetHandle: edge.targetHandle ?? DEFAULT_IN_PORT,
  };
}

/** Edges compared as connections: renaming an edge id is no change; duplicates count one by one. */
function diffEdges(from: FlowEdge[], to: FlowEdge[]): EdgeChange[] {
  const endpoints = (e: FlowEdge) =>
    JSON.stringify([e.source, e.sourceHandle ?? DEFAULT_OUT_PORT, e.target, e.targetHandle ?? DEFAULT_IN_PORT]);
  const unmatched = new Map<string, number>();
  for (const e of from) unmatched.set(endpoints(e), (unmatched.get(endpoints(e)) ?? 0) + 1);
  const changes: EdgeChange[] = [];
  for (const e of to) {
    const left = unmatched.get(endpoints(e)) ?? 0;
    if (left > 0) unmatched.set(endpoints(e), left - 1);
    else changes.push(edgeOf('added', e));
  }
  // The last edges with a given connection are the ones reported removed, keeping `from` order.
  const keep = new Map<string, number>();
  for (const e of from) keep.set(endpoints(e), (keep.get(endpoints(e)) ?? 0) + 1);
  for (const [key, left] of unmatched) keep.set(key, (keep.get(key) ?? 0) - left);
  for (const e of from) {
    const k = keep.get(endpoints(e)) ?? 0;
    if (k > 0) keep.set(endpoints(e), k - 1);
    else changes.push(edgeOf('removed', e));
  }
  return changes;
}
