/**
 * Function application for asynchronous evaluation: the same rules as
 * apply.ts, awaiting what functions return. Used once a registered function
 * has returned a promise; the promise that triggered the switch is reused
 * rather than calling the function a second time.
 */
import type { NativeDef } from '../jsonata-internals.ts';
import { arityOf, checkNativeParams, decorate, Lambda, nativeParams, PLACEHOLDER, restamps, TailCall, trampolineArgs } from './apply.ts';
import { tick, type EvalState } from './state.ts';
import { jerr } from './values.ts';
import { deepEqual } from './operators.ts';
import { validateArguments } from './signature-check.ts';

function isIterable(r: any): boolean {
  return typeof r === 'object' && r !== null && Symbol.iterator in r && 'next' in r && typeof r.next === 'function';
}

// Arguments built by the expression (objects, arrays) are built anew by the rerun: compare values.
function sameArgs(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !deepEqual(a[i], b[i])) return false;
  return true;
}

/** The promise of the synchronous attempt, when this is the same call. */
function replay(st: EvalState, proc: unknown, args: unknown[]): Promise<unknown> | undefined {
  const pending = st.pending;
  if (pending && pending.proc === proc && sameArgs(pending.args, args)) {
    st.pending = undefined;
    return pending.promise;
  }
  return undefined;
}

function wrapFunctionArgs(args: unknown[], st: EvalState): unknown[] {
  let out = args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof Lambda || (arg && (arg as NativeDef)._jsonata_function === true)) {
      if (out === args) out = args.slice();
      const closure = (...params: unknown[]) => callA(arg, params, null, st);
      (closure as unknown as { arity: number }).arity = arityOf(arg);
      out[i] = closure;
    }
  }
  return out;
}

export async function applyInnerA(proc: any, args: unknown[], input: unknown, st: EvalState): Promise<unknown> {
  const replayed = replay(st, proc, args);
  if (replayed) return await replayed;
  if (proc instanceof Lambda) {
    if (--st.ticks <= 0) tick(st);
    const validated = proc.sig ? validateArguments(proc.sig, args, input) : args;
    return await proc.body(...validated);
  }
  if (proc && proc._jsonata_function === true) {
    const validated = proc.signature ? validateArguments(proc.signature, args, input) : args;
    const focus = st.focus;
    focus.input = input;
    let r = proc.implementation.apply(focus, proc.sync ? validated : wrapFunctionArgs(validated, st));
    if (isIterable(r)) r = r.next().value;
    return await r;
  }
  if (typeof proc === 'function') {
    const validated = proc.signature && typeof proc.signature.validate === 'function' ? validateArguments(proc.signature, args, input) : args;
    return await proc.apply(input, wrapFunctionArgs(validated, st));
  }
  throw jerr('T1006');
}

/** `call` awaiting every application, tail calls included. */
export async function callA(proc: unknown, args: unknown[], input: unknown, st: EvalState, position?: number, token?: string): Promise<unknown> {
  const depth = st.d;
  let r: unknown;
  try {
    r = await applyInnerA(proc, args, input, st);
  } catch (err) {
    throw decorate(err, position, token, restamps(proc));
  }
  while (r instanceof TailCall) {
    st.d = depth;
    const t: TailCall = r;
    try {
      r = await applyInnerA(t.proc, trampolineArgs(t), input, st);
    } catch (err) {
      throw decorate(err, t.position, t.token, restamps(t.proc));
    }
  }
  return r;
}

/** Partial application with asynchronous bodies. */
export function partialA(proc: any, args: unknown[], st: EvalState, position: number | undefined, token: string | undefined): Lambda {
  let params: string[];
  let invoke: (full: unknown[]) => unknown;
  if (proc instanceof Lambda) {
    params = proc.params as string[];
    invoke = (full) => proc.body(...full);
  } else if (proc && proc._jsonata_function === true) {
    params = proc.params ?? nativeParams(proc.implementation);
    checkNativeParams(proc.implementation, params);
    invoke = (full) => proc.implementation.apply(st.focus, full);
  } else if (typeof proc === 'function') {
    params = nativeParams(proc);
    checkNativeParams(proc, params);
    invoke = (full) => proc.apply(st.focus, full);
  } else throw jerr('T1008', { position, token });
  const unbound: number[] = [];
  const bound: unknown[] = [];
  params.forEach((_p, i) => {
    if (args[i] === PLACEHOLDER) unbound.push(i);
    else bound[i] = args[i];
  });
  const body = async (...rest: unknown[]) => {
    const full = bound.slice();
    full.length = params.length;
    unbound.forEach((index, k) => {
      full[index] = rest[k];
    });
    return await invoke(full);
  };
  return new Lambda(body, unbound.length, undefined, unbound.map((i) => params[i]), true);
}

/** `f ~> g` with two functions, asynchronously. */
export function chainA(f: unknown, g: unknown, st: EvalState): Lambda {
  return new Lambda(async (x: unknown) => callA(g, [await callA(f, [x], null, st)], null, st), 1, undefined, ['x'], true);
}
