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

/**
 * The flow settings are what the inspector shows when a flow opens: their fields wait until the
 * canvas has settled (idle periods come early, between the frames that first draw the flow).
 * In a node's form the analyst is about to edit: load at the first idle moment.
 */
const FLOW_SETTINGS_WAIT_MS = 3000;

function whenIdle(fn: () => void, afterMs: number): () => void {
  // Safari has no requestIdleCallback.
  const hasIdle = typeof window.requestIdleCallback === 'function';
  let idle: number | undefined;
  const t = setTimeout(() => {
    if (hasIdle) idle = window.requestIdleCallback(fn, { timeout: 2500 });
    else fn();
  }, hasIdle ? afterMs : Math.max(afterMs, 200));
  return () => {
    clearTimeout(t);
    if (idle !== undefined) window.cancelIdleCallback(idle);
  };
}

export function ExpressionInput({ value, onChange, pointer }: { value: string; onChange: (v: string) => void; pointer: string }) {
  const { nodeId, readOnly } = useFormContext();
  const [ready, setReady] = useState(loaded);
  useEffect(() => {
    if (ready) return;
    return whenIdle(() => void loadField().then(() => { loaded = true; setReady(true); }), nodeId ? 0 : FLOW_SETTINGS_WAIT_MS);
  }, [ready, nodeId]);
  const plain = <TextInput value={value} onChange={onChange} multiline={value.includes('\n')} mono readOnly={readOnly} />;
  if (!ready) return plain;
  return (
    <Suspense fallback={plain}>
      <ExpressionField value={value} onChange={onChange} nodeId={nodeId} pointer={pointer} readOnly={readOnly} />
    </Suspense>
  );
}
