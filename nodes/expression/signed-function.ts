/**
 * Functions bound into expressions may carry a JSONata type signature (e.g.
 * `<(ns)(ns):s>`). The reference evaluator registers them with it, so misuse
 * fails with jsonata's argument error; other evaluators may ignore it, which
 * is why every such function also checks its own arguments.
 *
 * The signature lives under its own property name: jsonata reads a property
 * called `signature` on plain functions as an already-parsed signature.
 */

const SIGNATURE = 'jsonataSignature';

export type SignedFunction<F extends (...args: any[]) => unknown = (...args: any[]) => unknown> = F & {
  readonly jsonataSignature: string;
};

/** Attaches a JSONata signature to an expression function. */
export function signed<F extends (...args: any[]) => unknown>(fn: F, signature: string): SignedFunction<F> {
  Object.defineProperty(fn, SIGNATURE, { value: signature, enumerable: false });
  return fn as SignedFunction<F>;
}

/** The JSONata signature of a bound value, when it is a signed function. */
export function jsonataSignatureOf(value: unknown): string | undefined {
  if (typeof value !== 'function') return undefined;
  const signature = (value as { jsonataSignature?: unknown })[SIGNATURE];
  return typeof signature === 'string' ? signature : undefined;
}
