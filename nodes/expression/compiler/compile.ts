/**
 * AST → JavaScript: generates the source of one evaluation function and
 * instantiates it with `new Function`. The generated code can only reach what
 * it is handed: `rt` (the frozen runtime), `K` (constants from the AST),
 * `BI` (the built-ins), and per evaluation the input, the bindings and the
 * function table. Names from the expression never become identifiers: fields
 * and keys are string literals, variables are numbered.
 */
import { parseExpression, type AstNode } from './jsonata-internals.ts';
import { Unsupported, type FnInfo } from './codegen/emitter.ts';
import { EMPTY_DECLARED, Gen } from './codegen/gen.ts';
import { createRuntime, type Runtime } from './runtime/index.ts';
import { builtins } from './runtime/builtins.ts';
import type { EvalState } from './runtime/state.ts';
import { checkSupported, hasConcurrentParts } from './support.ts';

/** The compiled form of an expression: call with the input, bindings, function table and state. */
export type Program = (
  input: unknown,
  bindings: Record<string, unknown> | undefined,
  functions: Record<string, unknown>,
  st: EvalState,
  nested?: { root: unknown },
) => unknown;

export type CompileOutcome =
  | {
      ok: true;
      program: Program;
      source: string;
      /** Parts jsonata evaluates concurrently: with several errors, the reference decides which one is reported. */
      concurrent: boolean;
      /**
       * False when the program reads nothing of its state but the depth limit (a field path, a literal):
       * no clock, step count, output budget or call — a state need not be prepared for each evaluation.
       */
      usesState: boolean;
    }
  | { ok: false; reason: string };

let runtime: Runtime | undefined;
/** Why code cannot be generated in this context (a Content-Security-Policy without 'unsafe-eval'), once found. */
let codeGenerationRefused: string | undefined;

function generate(
  ast: AstNode,
  rootKey: object,
  declared: WeakMap<object, Set<string>>,
  async: boolean,
): { gen: Gen; body: string; maxRel: number } {
  const g = new Gen(declared, async);
  const fn: FnInfo = { base: 'DR', deep: 'deepR', maxRelToken: '__MAXREL_ROOT__', maxRel: 0, lambda: false };
  const body = g.e.capture(() => {
    const frame = g.openFrame('root', rootKey, null);
    const r = g.gen(ast, { ctx: 'CTX', frame, fn, rel: 0 });
    g.e.emit(`return ${r};`);
  });
  const lines = body.lines.map((line) => line.split(fn.maxRelToken).join(String(fn.maxRel)));
  return { gen: g, body: lines.join('\n'), maxRel: fn.maxRel };
}

/** Generates the JavaScript source of an expression (throws Unsupported). */
export function generateSource(ast: AstNode, async = false): { source: string; consts: unknown[]; usesState: boolean } {
  // First pass: learn which variables each frame assigns, so reads can see later assignments.
  // The root frame has its own key: the top node may be a block, which is a frame of its own.
  const rootKey = {};
  const first = generate(ast, rootKey, EMPTY_DECLARED, async);
  const { gen, body, maxRel } = generate(ast, rootKey, first.gen.assigned, async);
  const globals = [...gen.globals].map(
    ([name, ident]) => `const ${ident} = b !== undefined && rt.hasOwn.call(b, ${JSON.stringify(name)}) ? b[${JSON.stringify(name)}] : F[${JSON.stringify(name)}];`,
  );
  const source = [
    '"use strict";',
    'const U = rt.UNBOUND;',
    // `nested` is set when $eval runs this expression inside another: no wrapping, the outer root, the outer depth.
    `return ${async ? 'async ' : ''}function evaluate(input, b, F, st, nested) {`,
    'const ROOT = nested ? nested.root : input;',
    'if (!nested) { st.root = input; st.bindings = b; }',
    'const CTX = !nested && Array.isArray(input) && !rt.isSeq(input) ? rt.outerWrapper(input) : input;',
    ...globals,
    'const DR = nested ? st.d + 1 : 1;',
    `const deepR = DR + ${maxRel} > st.maxDepth;`,
    body,
    '};',
  ].join('\n');
  // Besides the lines above, only depth-limit checks (`st.maxDepth` is fixed per state) may name `st`.
  // A field name that reads "st" counts too: a false positive only prepares the state as before.
  const usesState = /\bst\b/.test(body.replace(/ > st\.maxDepth\) rt\.depthExceeded\(st\);/g, ''));
  return { source, consts: gen.e.consts, usesState };
}

/**
 * Parses (jsonata's syntax errors propagate) and compiles, or reports why not.
 * `async` generates the variant that awaits every call.
 */
export function compileExpression(sourceText: string, async = false): CompileOutcome {
  const ast = parseExpression(sourceText);
  const unsupported = checkSupported(ast);
  if (unsupported) return { ok: false, reason: unsupported };
  let generated: ReturnType<typeof generateSource>;
  try {
    generated = generateSource(ast, async);
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.reason };
    throw err;
  }
  if (codeGenerationRefused) return { ok: false, reason: codeGenerationRefused };
  runtime ??= createRuntime();
  let factory: (rt: Runtime, K: unknown[], BI: unknown) => Program;
  try {
    factory = new Function('rt', 'K', 'BI', generated.source) as typeof factory;
  } catch (err) {
    // An EvalError: a Content-Security-Policy without 'unsafe-eval' (the designer). Anything else is a compiler bug.
    if (!(err instanceof EvalError)) return { ok: false, reason: `internal: generated code did not parse (${(err as Error).message})` };
    // Asked once: each refusal is also reported to the browser's console.
    codeGenerationRefused = `code generation not allowed here (${err.message})`;
    return { ok: false, reason: codeGenerationRefused };
  }
  return {
    ok: true,
    program: factory(runtime, generated.consts, builtins()),
    source: generated.source,
    concurrent: hasConcurrentParts(ast),
    usesState: generated.usesState,
  };
}
