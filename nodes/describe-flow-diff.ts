/**
 * A flow diff as short sentences, for the version history list, audit log
 * entries and the CLI. Browser-safe.
 */
import { DEFAULT_IN_PORT, DEFAULT_OUT_PORT } from './flow-document.ts';
import type { EdgeChange, FlowDiff, NodeChange } from './flow-diff.ts';
import type { FieldChange } from './field-changes.ts';
import { countLineChanges } from './text-line-diff.ts';

const MAX_VALUE_CHARS = 60;

/**
 * One line per change, in the diff's order: flow fields, nodes, edges, then
 * moves summed up in one line. `['No changes']` when there are none.
 */
export function describeDiff(diff: FlowDiff): string[] {
  const lines: string[] = [];
  for (const change of diff.flow) lines.push(describeFlowField(change));
  for (const node of diff.nodes) lines.push(...describeNode(node));
  for (const edge of diff.edges) lines.push(describeEdge(edge));
  const moved = diff.layout.length;
  if (moved > 0) lines.push(`Moved ${moved} node${moved === 1 ? '' : 's'}${diff.summary.layoutOnly ? ' (layout only)' : ''}`);
  return lines.length > 0 ? lines : ['No changes'];
}

function describeFlowField(change: FieldChange): string {
  if (/^tests\[\d+\]$/.test(change.path) && change.item !== undefined) {
    const name = `Mapping test ${quote(change.item)}`;
    if (change.kind === 'changed') return `${name} changed (${(change.parts ?? []).join(', ')})`;
    return `${name} ${change.kind}`;
  }
  return `Flow ${describeField(change)}`;
}

function describeNode(node: NodeChange): string[] {
  const name = `Node ${quote(node.nodeId)} (${node.type})`;
  if (node.kind !== 'changed') return [`${name} ${node.kind}`];
  const lines: string[] = [];
  if (node.typeChanged) lines.push(`Node ${quote(node.nodeId)}: type ${node.typeChanged.from} → ${node.typeChanged.to}`);
  if (node.typeVersionChanged) lines.push(`${name}: type version ${node.typeVersionChanged.from} → ${node.typeVersionChanged.to}`);
  if (node.labelChanged) {
    const { from, to } = node.labelChanged;
    if (from === undefined) lines.push(`${name}: label ${quote(to ?? '')} added`);
    else if (to === undefined) lines.push(`${name}: label ${quote(from)} removed`);
    else lines.push(`${name}: label ${quote(from)} → ${quote(to)}`);
  }
  if (node.retryChanged) lines.push(`${name}: ${describeField({ ...node.retryChanged, path: 'retry policy' })}`);
  for (const change of node.config) lines.push(`${name}: ${describeField(change)}`);
  return lines;
}

function describeField(change: FieldChange): string {
  const name = fieldName(change);
  if (change.reordered) return `${name} reordered: ${list(change.from)} → ${list(change.to)}`;
  if (change.kind === 'added') return `${name} added: ${formatValue(change.to)}`;
  if (change.kind === 'removed') return `${name} removed (was ${formatValue(change.from)})`;
  const multiLine = [change.from, change.to].some((v) => typeof v === 'string' && /[\r\n]/.test(v));
  if (change.lines && multiLine) return `${name} changed (${lineCounts(change)})`;
  return `${name} changed: ${formatValue(change.from)} → ${formatValue(change.to)}`;
}

/** The path, with the key of the array item it leads through: `rules[2].message (vat-id-present)`. */
function fieldName(change: FieldChange): string {
  return change.item === undefined || change.reordered ? change.path : `${change.path} (${change.item})`;
}

function lineCounts(change: FieldChange): string {
  const { added, removed } = countLineChanges(change.lines ?? []);
  if (added === 0 && removed === 0) return 'line endings only';
  if (removed === 0) return `${added} line${added === 1 ? '' : 's'} added`;
  if (added === 0) return `${removed} line${removed === 1 ? '' : 's'} removed`;
  return `${added} line${added === 1 ? '' : 's'} added, ${removed} removed`;
}

function describeEdge(edge: EdgeChange): string {
  const source = edge.sourceHandle === DEFAULT_OUT_PORT ? edge.source : `${edge.source}:${edge.sourceHandle}`;
  const target = edge.targetHandle === DEFAULT_IN_PORT ? edge.target : `${edge.target}:${edge.targetHandle}`;
  return `Edge ${source} → ${target} ${edge.kind}`;
}

const quote = (text: string) => `'${text}'`;

const list = (value: unknown) => (Array.isArray(value) ? value.join(', ') : formatValue(value));

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? quote(value.replace(/\r\n|\n|\r/g, ' ⏎ ')) : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}
