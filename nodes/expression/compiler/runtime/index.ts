/**
 * The runtime object generated code receives as `rt`: everything compiled
 * expressions may touch besides their input, bindings and registered
 * functions. Generated code has no other way out (see compile.ts).
 */
import { parseSignature } from '../jsonata-internals.ts';
import { call, chain, checkApplicable, decorate, Lambda, partial, PLACEHOLDER, restamps, runTail, stampOperator, tailArgError, TailCall } from './apply.ts';
import { callA, chainA, partialA } from './apply-async.ts';
import { fast } from './fast-builtins.ts';
import { mergeSortA } from './hof-async.ts';
import { mergeSort, regexMatcher } from './hof.ts';
import * as ops from './operators.ts';
import * as paths from './paths.ts';
import { depthExceeded, tick } from './state.ts';
import * as values from './values.ts';
import * as tuples from './tuples.ts';

/** The value of a frame variable not assigned yet (lookups fall through to the enclosing frame). */
export const UNBOUND: unique symbol = Symbol('unbound');

let transformSignature: ReturnType<typeof parseSignature> | undefined;

/** The function a transform expression evaluates to (defineFunction(transformer, '<(oa):o>')). */
function nativeFunction(implementation: (...args: any[]) => unknown, signature: ReturnType<typeof parseSignature>) {
  const fn = { _jsonata_function: true, implementation, signature };
  Object.defineProperty(fn, 'sync', { value: true });
  return fn;
}

/** The trampoline writes onto the tail-called function; jsonata fails with a TypeError when there is none. */
function checkTailProcedure(proc: unknown): void {
  if (proc === undefined || proc === null || (typeof proc !== 'object' && typeof proc !== 'function')) {
    throw new TypeError(`Cannot set properties of ${proc === undefined ? 'undefined' : String(proc)} (setting 'token')`);
  }
}

export function createRuntime() {
  transformSignature ??= parseSignature('<(oa):o>');
  return Object.freeze({
    ...values,
    ...ops,
    ...paths,
    ...tuples,
    call,
    decorate,
    restamps,
    runTail,
    stampOperator,
    tailArgError,
    callA,
    chain,
    chainA,
    partialA,
    mergeSortA,
    checkApplicable,
    checkTailProcedure,
    partial,
    Lambda,
    TailCall,
    PLACEHOLDER,
    UNBOUND,
    mergeSort,
    regexMatcher,
    depthExceeded,
    tick,
    fast: Object.freeze(Object.assign(Object.create(null), fast)),
    nativeFunction,
    TRANSFORM_SIGNATURE: transformSignature,
  });
}

export type Runtime = ReturnType<typeof createRuntime>;
