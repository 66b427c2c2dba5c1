/**
 * Bookkeeping of the code generator: statement buffers, fresh names,
 * constants handed to the generated code, the function being generated
 * (root or a lambda body) and the variable frames of JSONata's scoping.
 */
import type { AstNode } from '../jsonata-internals.ts';

/** Thrown while generating when a construct is not compiled; the expression falls back. */
export class Unsupported extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * A JSONata frame: the root, a block `( … )`, a lambda invocation, or a tuple
 * frame of a path step with `@` / `#` / `%`. `:=` binds in the innermost one;
 * a lookup falls through to the enclosing frame while a name is unbound.
 */
export interface Frame {
  kind: 'root' | 'block' | 'lambda' | 'tuple';
  /** The AST node that creates the frame (key of its declared variables). */
  key: object;
  parent: Frame | null;
  /** Variables assigned in this frame: name → JS identifier (holds UNBOUND until assigned). */
  vars: Map<string, string>;
  /** Lambda parameters: always bound. */
  params?: Map<string, string>;
  /** Tuple frame: the JS identifier of the tuple and the names it binds. */
  tuple?: { ident: string; keys: Set<string> };
}

/** A JavaScript function being generated: the root evaluation or a lambda body. */
export interface FnInfo {
  /** JS expression of this function's base depth (depth of its top node). */
  base: string;
  /** Identifier of the "close to the depth limit" flag. */
  deep: string;
  /** Placeholder replaced by the deepest relative depth seen in this function. */
  maxRelToken: string;
  maxRel: number;
  /** Inside a lambda body (tail calls allowed). */
  lambda: boolean;
}

/** Where a node is evaluated: its context value and its frame, function and relative depth. */
export interface Cx {
  ctx: string;
  frame: Frame;
  fn: FnInfo;
  rel: number;
}

export class Emitter {
  private lines: string[] = [];
  private counter = 0;
  readonly consts: unknown[] = [];
  private readonly constIndex = new Map<unknown, number>();

  fresh(prefix = 't'): string {
    return `${prefix}${this.counter++}`;
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  /** Reserves a line to be filled later (declarations known only at the end). */
  placeholder(): { set(line: string): void } {
    const index = this.lines.length;
    this.lines.push('');
    return { set: (line: string) => void (this.lines[index] = line) };
  }

  /** Declares a fresh `let` holding `expr`; returns its name. */
  bind(expr: string, prefix = 't'): string {
    const name = this.fresh(prefix);
    this.lines.push(`let ${name} = ${expr};`);
    return name;
  }

  /** Runs `body` into a separate buffer and returns its lines. */
  capture<T>(body: () => T): { lines: string[]; value: T } {
    const saved = this.lines;
    this.lines = [];
    try {
      const value = body();
      return { lines: this.lines, value };
    } finally {
      this.lines = saved;
    }
  }

  append(lines: string[]): void {
    for (const line of lines) this.lines.push(line);
  }

  /** A constant passed to the generated code as `K[i]`. */
  konst(value: unknown): string {
    let index = this.constIndex.get(value);
    if (index === undefined) {
      index = this.consts.length;
      this.consts.push(value);
      this.constIndex.set(value, index);
    }
    return `K[${index}]`;
  }

  source(): string {
    return this.lines.join('\n');
  }
}

/** A JS string literal. */
export function str(value: string): string {
  return JSON.stringify(value);
}

/** A literal for a JSON value from the AST (numbers, strings, booleans, null). */
export function literal(value: unknown): string {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '-0';
    return String(value);
  }
  return JSON.stringify(value);
}

/** Node kinds whose evaluation can never be a sequence (no unwrapping needed). */
export function neverSequence(node: AstNode): boolean {
  if (node.predicate || node.group) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'regex':
    case 'lambda':
    case 'transform':
      return true;
    case 'unary':
      return true;
    case 'binary':
      return node.value !== '..';
    default:
      return false;
  }
}

/** Operators and literals that always give a boolean or undefined. */
export function booleanValued(node: AstNode): boolean {
  if (node.predicate || node.group || node.keepArray) return false;
  if (node.type === 'binary') return ['=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in'].includes(node.value);
  return node.type === 'value' && typeof node.value === 'boolean';
}
