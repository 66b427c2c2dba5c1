/**
 * Evaluates an expression on one record the way the runtime does: the same
 * evaluator, limits (time, depth) and custom functions.
 */
import type { Bindings } from '../../nodes/expression/evaluator.ts';
import { evaluator, functions, limits, PREVIEW_BINDINGS } from '../expression-runtime.ts';

export type PreviewResult =
  | { ok: true; value: unknown; ms: number }
  | { ok: false; message: string; position?: number; code?: string; ms: number };

export async function previewExpression(source: string, input: unknown, bindings: Bindings = PREVIEW_BINDINGS): Promise<PreviewResult> {
  const t0 = performance.now();
  try {
    const compiled = evaluator.compile(source, { limits, functions });
    let value = compiled.evaluate(input, bindings);
    if (value instanceof Promise) value = await value;
    return { ok: true, value, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { message?: string; details?: { position?: number; code?: string } };
    return { ok: false, message: e?.message ?? String(err), position: e?.details?.position, code: e?.details?.code, ms: performance.now() - t0 };
  }
}
