/**
 * An expression field: the JSONata editor with its live preview. The editor
 * (CodeMirror) loads once the browser is idle, so opening a flow is not held
 * up by it; until then the field is a plain text area that already works.
 */
import { lazy, Suspense, useEffect, useState } from 'react';
import { useFormContext } from './form-context.ts';
import { TextInput } from './widgets.tsx';

const loadField = () => import('../../editor/expression-field.tsx');
const ExpressionField = lazy(loadField);
let loaded = false;

function whenIdle(fn: () => void): () => void {
  const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number; cancelIdleCallback?: (n: number) => void };
  if (w.requestIdleCallback) {
    const id = w.requestIdleCallback(fn, { timeout: 2500 });
    return () => w.cancelIdleCallback?.(id);
  }
  const t = setTimeout(fn, 200);
  return () => clearTimeout(t);
}

export function ExpressionInput({ value, onChange, pointer }: { value: string; onChange: (v: string) => void; pointer: string }) {
  const { nodeId, readOnly } = useFormContext();
  const [ready, setReady] = useState(loaded);
  useEffect(() => {
    if (ready) return;
    return whenIdle(() => void loadField().then(() => { loaded = true; setReady(true); }));
  }, [ready]);
  const plain = <TextInput value={value} onChange={onChange} multiline={value.includes('\n')} mono readOnly={readOnly} />;
  if (!ready) return plain;
  return (
    <Suspense fallback={plain}>
      <ExpressionField value={value} onChange={onChange} nodeId={nodeId} pointer={pointer} readOnly={readOnly} />
    </Suspense>
  );
}
