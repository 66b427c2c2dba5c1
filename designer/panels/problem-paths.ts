/** Relating flow problems to inspector fields. */
import type { FlowProblem } from '../../nodes/validate-flow.ts';

/** The config-relative pointer of a node problem (`/nodes/2/config/rules/0/expression` → `/rules/0/expression`), '' for the whole config, null otherwise. */
export function configPointer(problem: FlowProblem): string | null {
  const m = /^\/nodes\/\d+\/config(\/.*)?$/.exec(problem.path);
  return m ? (m[1] ?? '') : null;
}

/** A problem's message without the "Node 'x' (Title): " prefix, for display next to the node's own fields. */
export function shortMessage(problem: FlowProblem): string {
  // Titles may hold one level of parentheses themselves: "Node 'm' (Map (JSONata)): …".
  return problem.message.replace(/^(Node|Target) '[^']*'( \((?:[^()]|\([^()]*\))*\))?:?\s*/, '').replace(/^./, (c) => c.toUpperCase());
}

/** Messages by config pointer, and the problems that belong to no field. */
export function problemsByField(problems: readonly FlowProblem[]): { fields: Map<string, string[]>; general: FlowProblem[] } {
  const fields = new Map<string, string[]>();
  const general: FlowProblem[] = [];
  for (const p of problems) {
    const pointer = configPointer(p);
    if (pointer === null || pointer === '') {
      general.push(p);
      continue;
    }
    const list = fields.get(pointer);
    if (list) list.push(shortMessage(p));
    else fields.set(pointer, [shortMessage(p)]);
  }
  return { fields, general };
}

/** Flow-level problem paths (`/recordKey`, `/amount/value`) as form pointers. */
export function flowFieldProblems(problems: readonly FlowProblem[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const p of problems) {
    if (p.nodeId || p.edgeId || p.path.startsWith('/nodes') || p.path.startsWith('/edges')) continue;
    const list = fields.get(p.path);
    const msg = p.message.replace(/^[\w.]+: /, '');
    if (list) list.push(msg);
    else fields.set(p.path, [msg]);
  }
  return fields;
}
