/**
 * Access to the reference implementation's own pieces: its parser (through
 * `jsonata(expr).ast()`) and its built-in function library with the parsed
 * signatures. jsonata 2.2.2 exports neither, but its evaluator hands the
 * current environment to the `__evaluate_entry` hook synchronously, before the
 * first `await`; the static frame holding every built-in is reachable from it.
 * Reusing these definitions keeps argument validation (T0410, T0411, T0412)
 * and the non-callback functions (formatNumber, fromMillis, …) identical.
 */
import jsonata from 'jsonata';
import { checkRegexLiterals } from '../linear-regex.ts';

/** A signature as parsed by jsonata: `validate` returns the (fixed-up) arguments or throws T04xx. */
export interface JsonataSignature {
  definition: string;
  validate(args: unknown[], context: unknown): unknown[];
}

/** A jsonata native function definition (`defineFunction`). */
export interface NativeDef {
  _jsonata_function: true;
  implementation: (...args: any[]) => unknown;
  signature?: JsonataSignature;
}

interface Environment {
  lookup(name: string): unknown;
}

/** Runs a throwaway jsonata expression far enough to capture its environment. */
function captureEnvironment(setup?: (expr: jsonata.Expression) => void): Environment {
  let captured: Environment | undefined;
  const expr = jsonata('0');
  setup?.(expr);
  expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, (_e: unknown, _i: unknown, env: Environment) => {
    captured = env;
  });
  expr.evaluate(undefined).catch(() => undefined);
  if (!captured) throw new Error('jsonata internals not reachable: unsupported jsonata version');
  return captured;
}

/** Names of jsonata's built-in functions (2.2.2), without `$`. */
export const BUILTIN_NAMES = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs',
  'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys',
  'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error', 'assert', 'type', 'sort',
  'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone', 'now', 'millis',
] as const;

export type BuiltinName = (typeof BUILTIN_NAMES)[number];

let nativeDefs: Record<BuiltinName, NativeDef> | undefined;

/** jsonata's own definitions of its built-in functions, by name. */
export function jsonataBuiltins(): Record<BuiltinName, NativeDef> {
  if (!nativeDefs) {
    const env = captureEnvironment();
    const defs = {} as Record<BuiltinName, NativeDef>;
    for (const name of BUILTIN_NAMES) {
      const def = env.lookup(name) as NativeDef | undefined;
      if (def?._jsonata_function !== true) throw new Error(`jsonata built-in $${name} not found`);
      defs[name] = def;
    }
    nativeDefs = defs;
  }
  return nativeDefs;
}

/** Parses a function signature (e.g. `<s-n?:s>`) with jsonata's own parser. */
export function parseSignature(signature: string): JsonataSignature {
  const env = captureEnvironment((expr) => expr.registerFunction('f', () => undefined, signature));
  const def = env.lookup('f') as NativeDef;
  return def.signature as JsonataSignature;
}

/** The processed AST of an expression (throws jsonata's syntax error objects). */
export function parseExpression(source: string): AstNode {
  const ast = jsonata(source).ast();
  checkRegexLiterals(ast);
  return ast as unknown as AstNode;
}

/** The parts of jsonata's AST the compiler reads (processed form, as `ast()` returns it). */
export interface AstNode {
  type: string;
  value?: any;
  position?: number;
  steps?: AstNode[];
  stages?: { type: 'filter' | 'index'; expr?: AstNode; value?: string; position?: number }[];
  predicate?: { type: 'filter'; expr: AstNode; position?: number }[];
  group?: { lhs: [AstNode, AstNode][]; position?: number };
  lhs?: any;
  rhs?: any;
  expression?: AstNode;
  expressions?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  body?: AstNode;
  signature?: JsonataSignature;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  pattern?: AstNode;
  update?: AstNode;
  delete?: AstNode;
  terms?: { descending: boolean; expression: AstNode }[];
  focus?: string;
  index?: string;
  tuple?: boolean;
  ancestor?: { label: string; level: number; index: number };
  slot?: { label: string; level: number; index: number };
  keepArray?: boolean;
  keepSingletonArray?: boolean;
  consarray?: boolean;
  thunk?: boolean;
  seekingParent?: unknown[];
  name?: string;
}
