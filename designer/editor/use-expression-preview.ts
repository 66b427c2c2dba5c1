/** Re-evaluates the expression shortly after typing stops (well within 300 ms), on the current input. */
import { useEffect, useState } from 'react';
import { previewExpression, type PreviewResult } from './expression-preview.ts';
import type { NodeInputState } from './use-node-input.ts';

const DEBOUNCE_MS = 120;

export function useExpressionPreview(source: string, input: NodeInputState, inputIndex: number): PreviewResult | null {
  const [result, setResult] = useState<PreviewResult | null>(null);
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
      previewExpression(source, record).then((r) => live && setResult(r));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [source, record, ready]);
  return result;
}
