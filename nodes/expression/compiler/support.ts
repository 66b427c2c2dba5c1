/**
 * Constructs the compiler leaves to the reference implementation, found
 * before generating code. Each reason is reported as the fallback reason.
 */
import type { AstNode } from './jsonata-internals.ts';

function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const add = (n: unknown) => {
    if (n && typeof n === 'object' && typeof (n as AstNode).type === 'string') out.push(n as AstNode);
  };
  for (const s of node.steps ?? []) add(s);
  for (const s of node.stages ?? []) add(s.expr);
  for (const p of node.predicate ?? []) add(p.expr);
  for (const [k, v] of node.group?.lhs ?? []) {
    add(k);
    add(v);
  }
  if (node.type === 'unary' && node.value === '{') for (const [k, v] of node.lhs ?? []) (add(k), add(v));
  else add(node.lhs);
  add(node.rhs);
  add(node.expression);
  for (const e of node.expressions ?? []) add(e);
  for (const a of node.arguments ?? []) add(a);
  add(node.procedure);
  add(node.body);
  add(node.condition);
  add(node.then);
  add(node.else);
  add(node.pattern);
  add(node.update);
  add(node.delete);
  for (const t of node.terms ?? []) add(t.expression);
  return out;
}

/** An assignment that binds in the frame `node` is evaluated in (not inside a block or lambda of its own). */
function bindsInFrame(node: AstNode): boolean {
  if (node.type === 'bind') return true;
  if (node.type === 'block' || node.type === 'lambda') return false;
  return children(node).some(bindsInFrame);
}

/**
 * jsonata evaluates the items of an array constructor and the values of an
 * object constructor concurrently (Promise.all): an assignment in one of them
 * is seen by its siblings in an order compiled code cannot reproduce.
 */
function concurrentAssignment(node: AstNode): boolean {
  if (node.type === 'unary' && node.value === '[') {
    const items = node.expressions ?? [];
    return items.length > 1 && items.some(bindsInFrame);
  }
  const pairs: [AstNode, AstNode][] = node.type === 'unary' && node.value === '{' ? (node.lhs ?? []) : (node.group?.lhs ?? []);
  return pairs.length > 1 && pairs.some(([, value]) => bindsInFrame(value));
}

/**
 * True when jsonata would evaluate parts of the expression concurrently: the
 * items of an array constructor, the values of an object constructor (one per
 * key or group). Which error wins when several parts fail then depends on the
 * reference's promise scheduling.
 */
export function hasConcurrentParts(ast: AstNode): boolean {
  const stack = [ast];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'unary' && node.value === '[' && (node.expressions?.length ?? 0) > 1) return true;
    const pairs: [AstNode, AstNode][] | undefined = node.type === 'unary' && node.value === '{' ? node.lhs : node.group?.lhs;
    if (pairs && (pairs.length > 1 || pairs.some(([key]) => key.type !== 'string'))) return true;
    stack.push(...children(node));
  }
  return false;
}

/** Why the expression cannot be compiled, or null. */
export function checkSupported(ast: AstNode): string | null {
  const stack = [ast];
  while (stack.length) {
    const node = stack.pop()!;
    if (concurrentAssignment(node)) return 'variable assignment inside an array or object constructor (jsonata evaluates its parts concurrently)';
    stack.push(...children(node));
  }
  return null;
}
