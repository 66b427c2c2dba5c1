/**
 * Re-evaluates the expression on the current input as you type: at once while
 * evaluations are cheap (a keystroke shows its result in the next frame),
 * shortly after typing stops once they get expensive (well within 300 ms).
 */
import { useEffect, useRef, useState } from 'react';
import { previewExpression, type PreviewResult } from './expression-preview.ts';
import type { NodeInputState } from './use-node-input.ts';

const DEBOUNCE_MS = 120;
/** Evaluations faster than this run on every keystroke; slower ones wait for a pause in typing. */
const IMMEDIATE_BELOW_MS = 12;

export function useExpressionPreview(source: string, input: NodeInputState, inputIndex: number): PreviewResult | null {
  const [result, setResult] = useState<PreviewResult | null>(null);
  const lastMs = useRef(Infinity);
  const record = input.status === 'ready' ? input.records[Math.min(inputIndex, input.records.length - 1)] : undefined;
  const ready = input.status === 'ready' && input.records.length > 0;
  useEffect(() => {
    if (!ready) {
      setResult(null);
      return;
    }
    if (source.trim() === '') {
      setResult({ ok: false, message: 'The expression is empty', ms: 0 });
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      previewExpression(source, record).then((r) => {
        lastMs.current = r.ms;
        if (live) setResult(r);
      });
    }, lastMs.current < IMMEDIATE_BELOW_MS ? 0 : DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [source, record, ready]);
  return result;
}
