/**
 * Size limits of a flow document, checked before anything expensive (schema
 * validation, expression compilation, graph checks) so a huge or hostile
 * document is refused in time proportional to its size. Browser-safe: the
 * designer shows the same problems.
 */
import type { FlowProblem } from './validate-flow.ts';

export const FLOW_LIMITS = {
  /** Nodes in one flow. */
  nodes: 2_000,
  /** Edges in one flow. */
  edges: 5_000,
  /** Characters of one text in a node's configuration (an expression, a query, a template). */
  textChars: 64 * 1024,
  /** Characters of a flow's name (the flow document schema's maxLength of `name`); the designer's dialogs refuse longer ones. */
  nameChars: 200,
} as const;

function hasLongText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.length > FLOW_LIMITS.textChars) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return false;
}

// The JSON pointer (below `value`) of its first text over the limit; only called once one is known to exist.
function longTextIn(value: unknown): string | undefined {
  if (!hasLongText(value)) return undefined;
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.length > FLOW_LIMITS.textChars) return path;
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) stack.push({ value: child, path: `${path}/${key}` });
    }
  }
  return undefined;
}

/** Why `name` cannot be a flow's name (empty, or longer than FLOW_LIMITS.nameChars), or null. */
export function flowNameProblem(name: string): string | null {
  if (name.trim() === '') return 'name must be a non-empty text';
  if (name.length > FLOW_LIMITS.nameChars) return `name is ${name.length.toLocaleString('en-US')} characters long; at most ${FLOW_LIMITS.nameChars} are allowed`;
  return null;
}

/** Problems (code `too-large`) of a document over the limits; empty when within them. */
export function flowSizeProblems(doc: unknown): FlowProblem[] {
  if (!doc || typeof doc !== 'object') return [];
  const { nodes, edges } = doc as { nodes?: unknown; edges?: unknown };
  const problems: FlowProblem[] = [];
  if (Array.isArray(nodes) && nodes.length > FLOW_LIMITS.nodes) {
    problems.push({ code: 'too-large', path: '/nodes', message: `The flow has ${nodes.length.toLocaleString('en-US')} nodes; at most ${FLOW_LIMITS.nodes.toLocaleString('en-US')} are allowed` });
  }
  if (Array.isArray(edges) && edges.length > FLOW_LIMITS.edges) {
    problems.push({ code: 'too-large', path: '/edges', message: `The flow has ${edges.length.toLocaleString('en-US')} edges; at most ${FLOW_LIMITS.edges.toLocaleString('en-US')} are allowed` });
  }
  if (problems.length === 0 && Array.isArray(nodes)) {
    for (let i = 0; i < nodes.length; i++) {
      const at = longTextIn(nodes[i]);
      if (at !== undefined) {
        const id = (nodes[i] as { id?: unknown })?.id;
        problems.push({
          code: 'too-large', path: `/nodes/${i}${at}`, ...(typeof id === 'string' ? { nodeId: id } : {}),
          message: `A text of node ${typeof id === 'string' ? `'${id}'` : i} (${at.slice(1)}) is longer than ${FLOW_LIMITS.textChars.toLocaleString('en-US')} characters, the limit for an expression or query`,
        });
      }
    }
  }
  const { recordKey, businessKey, eventTime, amount } = doc as Record<string, unknown>;
  const flowExpressions: [string, unknown][] = [['recordKey', recordKey], ['businessKey', businessKey], ['eventTime', eventTime]];
  if (amount && typeof amount === 'object') flowExpressions.push(['amount/value', (amount as Record<string, unknown>).value], ['amount/currency', (amount as Record<string, unknown>).currency]);
  for (const [key, value] of flowExpressions) {
    if (typeof value === 'string' && value.length > FLOW_LIMITS.textChars) {
      problems.push({ code: 'too-large', path: `/${key}`, message: `${key.replace('/', '.')} is longer than ${FLOW_LIMITS.textChars.toLocaleString('en-US')} characters, the limit for an expression` });
    }
  }
  return problems;
}
