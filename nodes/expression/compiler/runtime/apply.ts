/**
 * Function values and function application for compiled code, following the
 * reference's apply / applyInner / partial application rules: lambdas check
 * their own signature against the arguments (with the call's context for
 * `-` parameters), natives get jsonata's focus as `this`, plain JavaScript
 * functions get the context as `this`; tail calls come back as TailCall
 * objects and are run in a loop (the reference's trampoline), so
 * tail-recursive expressions do not grow the stack.
 */
import { parseExpression, type JsonataSignature, type NativeDef } from '../jsonata-internals.ts';
import { AsyncNeeded, tick, type EvalState } from './state.ts';
import { isFunction, jerr } from './values.ts';
import { validateArguments } from './signature-check.ts';

/** A compiled JSONata lambda (`function($x) { … }`). */
export class Lambda {
  declare readonly _jsonata_lambda: true;
  constructor(
    /** The compiled body, taking the declared parameters positionally. */
    readonly body: (...args: any[]) => unknown,
    readonly arity: number,
    readonly sig: JsonataSignature | undefined,
    /** Parameter names, for partial application. */
    readonly params: readonly string[],
    /** True when the body is an async function (asynchronous evaluation). */
    readonly isAsync = false,
  ) {}
}
Object.defineProperty(Lambda.prototype, '_jsonata_lambda', { value: true });

/** A call in tail position, run by the caller's trampoline. */
export class TailCall {
  constructor(
    readonly proc: unknown,
    readonly args: unknown[],
    readonly position: number | undefined,
    readonly token: string | undefined,
  ) {}
}

/** An error raised while evaluating a tail call's procedure or arguments (jsonata does that in the trampoline). */
export class TailArgError {
  constructor(readonly inner: unknown) {}
}

/** Wraps an error of a tail call's procedure or arguments, for the calling application to recognise. */
export function tailArgError(err: unknown): unknown {
  return err instanceof AsyncNeeded || err instanceof TailArgError ? err : new TailArgError(err);
}

/** Placeholder for `?` in a partial application. */
export const PLACEHOLDER: unique symbol = Symbol('?');

function isPromise(r: any): r is Promise<unknown> {
  return typeof r === 'object' && r !== null && 'then' in r && typeof r.then === 'function';
}

function isIterable(r: any): boolean {
  return typeof r === 'object' && r !== null && Symbol.iterator in r && 'next' in r && typeof r.next === 'function';
}

/** The number of arguments a function value takes (utils.getFunctionArity). */
export function arityOf(func: any): number {
  if (func instanceof Lambda) return func.arity;
  return typeof func.arity === 'number'
    ? func.arity
    : typeof func.implementation === 'function'
      ? func.implementation.length
      : typeof func.length === 'number'
        ? func.length
        : func.arguments.length;
}

/**
 * Stamps position and token on an error leaving a call, as the reference
 * does: the token of the innermost call is kept; the position becomes that of
 * the outermost named call of a jsonata function or lambda (jsonata writes the
 * call's position onto the function object and copies it onto every error
 * passing out of it), otherwise it is set only when missing.
 */
export function decorate(err: any, position: number | undefined, token: string | undefined, overwrite = false): any {
  if (err instanceof TailArgError) {
    // raised by the trampoline, not inside this application: only fill what is missing
    err = err.inner;
    overwrite = false;
  }
  if (err && typeof err === 'object' && !(err instanceof AsyncNeeded)) {
    if (position !== undefined && (overwrite || !err.position)) err.position = position;
    if (!err.token && token !== undefined) err.token = token;
  }
  return err;
}

/** An error leaving the right side of `and` / `or` takes the operator's position and token. */
export function stampOperator(err: any, position: number | undefined, token: string): any {
  if (err && typeof err === 'object' && !(err instanceof AsyncNeeded)) {
    err.position = position;
    err.token = token;
  }
  return err;
}

/** Named calls of jsonata functions and lambdas (objects) restamp the position of errors. */
export function restamps(proc: unknown): boolean {
  return typeof proc === 'object' && proc !== null;
}

/**
 * A promise met during synchronous evaluation: the evaluation is rerun with
 * the awaiting variant, which awaits this promise rather than calling again.
 */
function promiseResult(proc: unknown, args: unknown[], r: Promise<unknown>): never {
  r.catch(() => undefined);
  throw new AsyncNeeded({ proc, args, promise: r });
}

/** Wraps function arguments handed to plain JavaScript functions, as evaluateFunction does. */
function wrapFunctionArgs(args: unknown[], st: EvalState): unknown[] {
  let out = args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof Lambda || (arg && (arg as NativeDef)._jsonata_function === true)) {
      if (out === args) out = args.slice();
      const closure = (...params: unknown[]) => call(arg, params, null, st);
      (closure as unknown as { arity: number }).arity = arityOf(arg);
      out[i] = closure;
    }
  }
  return out;
}

/** applyInner: one application, without the tail-call loop. */
export function applyInner(proc: any, args: unknown[], input: unknown, st: EvalState): unknown {
  if (proc instanceof Lambda) {
    if (--st.ticks <= 0) tick(st);
    const validated = proc.sig ? validateArguments(proc.sig, args, input) : args;
    const r = proc.body(...validated);
    if (proc.isAsync && !st.async) return promiseResult(proc, args, r as Promise<unknown>);
    return r;
  }
  if (proc && proc._jsonata_function === true) {
    const validated = proc.signature ? validateArguments(proc.signature, args, input) : args;
    const focus = st.focus;
    focus.input = input;
    let r = proc.implementation.apply(focus, proc.sync || proc.plainArguments ? validated : wrapFunctionArgs(validated, st));
    if (isIterable(r)) r = r.next().value;
    if (isPromise(r)) return st.async ? r : promiseResult(proc, args, r);
    return r;
  }
  if (typeof proc === 'function') {
    const validated = proc.signature && typeof proc.signature.validate === 'function' ? validateArguments(proc.signature, args, input) : args;
    const r = proc.apply(input, wrapFunctionArgs(validated, st));
    if (isPromise(r)) return st.async ? r : promiseResult(proc, args, r);
    return r;
  }
  throw jerr('T1006');
}

/**
 * apply: applies a function value and runs the tail calls it returns, at the
 * depth of this call and with this call's context (as the reference does).
 */
export function call(proc: unknown, args: unknown[], input: unknown, st: EvalState, position?: number, token?: string): unknown {
  const depth = st.d;
  let r: unknown;
  try {
    r = applyInner(proc, args, input, st);
  } catch (err) {
    throw decorate(err, position, token, restamps(proc));
  }
  return r instanceof TailCall ? runTail(r, input, st, depth) : r;
}

/**
 * The arguments a tail-called function gets. jsonata's trampoline passes
 * function arguments unwrapped; all natives call them through `.apply`, which
 * its lambdas have — except $sort, which calls its comparator directly and so
 * fails with a TypeError when it has to compare.
 */
export function trampolineArgs(t: TailCall): unknown[] {
  const comparator = t.args[1];
  if ((t.proc as { name?: string } | null)?.name === 'sort' && (t.proc as { sync?: boolean }).sync && typeof comparator === 'object' && comparator !== null) {
    const args = t.args.slice();
    args[1] = (_a: unknown, _b: unknown) => {
      throw new TypeError('comp is not a function');
    };
    return args;
  }
  return t.args;
}

/** The trampoline: runs tail calls until a value comes back. */
export function runTail(r: unknown, input: unknown, st: EvalState, depth: number): unknown {
  while (r instanceof TailCall) {
    st.d = depth;
    const t: TailCall = r;
    try {
      r = applyInner(t.proc, trampolineArgs(t), input, st);
    } catch (err) {
      throw decorate(err, t.position, t.token, restamps(t.proc));
    }
  }
  return r;
}

/** The parameter names of a native function, read from its source as jsonata does. */
export function nativeParams(fn: (...args: any[]) => unknown): string[] {
  const m = /\(([^)]*)\)/.exec(fn.toString());
  if (!m) return [];
  return m[1].split(',').map((s) => s.trim());
}

/** evaluatePartialApplication after the procedure and arguments are evaluated. */
export function partial(proc: any, args: unknown[], st: EvalState, position: number | undefined, token: string | undefined): Lambda {
  if (proc instanceof Lambda) return partialLambda(proc, args);
  if (proc && proc._jsonata_function === true) {
    return partialNative(proc.params ?? nativeParams(proc.implementation), proc.implementation, args, st);
  }
  if (typeof proc === 'function') return partialNative(nativeParams(proc), proc, args, st);
  throw jerr('T1008', { position, token });
}

function partialLambda(proc: Lambda, args: unknown[]): Lambda {
  const bound: unknown[] = [];
  const unbound: number[] = [];
  const names: string[] = [];
  for (let i = 0; i < proc.params.length; i++) {
    if (args[i] === PLACEHOLDER) {
      unbound.push(i);
      names.push(proc.params[i]);
    } else bound[i] = args[i];
  }
  const body = (...rest: unknown[]) => {
    const full = bound.slice();
    full.length = proc.params.length;
    for (let i = 0; i < unbound.length; i++) full[unbound[i]] = rest[i];
    return proc.body(...full);
  };
  return new Lambda(body, unbound.length, undefined, names, proc.isAsync);
}

// jsonata parses `function($p1, $p2){ _ }` from the native's parameter list; a list it cannot parse
// (e.g. a default value, `prettify = false`) fails there with the parser's error (S0208).
const checkedNatives = new WeakMap<object, unknown>();
export function checkNativeParams(impl: object, params: string[]): void {
  if (!checkedNatives.has(impl)) {
    let error: unknown = null;
    try {
      parseExpression(`function(${params.map((p) => `$${p.trim()}`).join(', ')}){ _ }`);
    } catch (err) {
      error = err;
    }
    checkedNatives.set(impl, error);
  }
  const error = checkedNatives.get(impl);
  if (error) throw { ...(error as object) };
}

function partialNative(params: string[], impl: (...args: any[]) => unknown, args: unknown[], st: EvalState): Lambda {
  checkNativeParams(impl, params);
  // jsonata binds the native's parameters by name: a repeated name keeps the last value.
  const env = new Map<string, unknown>();
  const unbound: string[] = [];
  for (let i = 0; i < params.length; i++) {
    const name = params[i];
    if (args[i] === PLACEHOLDER) unbound.push(name);
    else env.set(name, args[i]);
  }
  const body = (...rest: unknown[]) => {
    const frame = new Map(env);
    for (let i = 0; i < unbound.length; i++) frame.set(unbound[i], rest[i]);
    const focus = st.focus;
    const r = impl.apply(focus, params.map((p) => frame.get(p)));
    if (isPromise(r) && !st.async) return promiseResult(impl, [], r);
    return r;
  };
  return new Lambda(body, unbound.length, undefined, unbound);
}

/** `f ~> g` with two functions: λ($x){ $g($f($x)) }. */
export function chain(f: unknown, g: unknown, st: EvalState): Lambda {
  return new Lambda((x: unknown) => call(g, [call(f, [x], null, st)], null, st), 1, undefined, ['x']);
}

/** T2006 unless a function. */
export function checkApplicable(func: unknown, position: number | undefined): void {
  if (!isFunction(func)) throw jerr('T2006', { position, value: func });
}
