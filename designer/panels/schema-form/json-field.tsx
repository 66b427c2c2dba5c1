/** A JSON value edited as text (e.g. a validate node's JSON Schema); invalid JSON is shown, not saved. */
import { useState } from 'react';
import { useFormContext } from './form-context.ts';
import { useFieldLabel } from './widgets.tsx';

export function JsonField({ value, onChange }: { value: unknown; onChange: (v: unknown) => void }) {
  const { readOnly } = useFormContext();
  const named = useFieldLabel();
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <textarea
        {...named}
        className="mono"
        rows={Math.min(16, Math.max(4, text.split('\n').length))}
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        placeholder="{ }"
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '') {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(t));
            setError(null);
          } catch (err) {
            setError(`Not valid JSON yet: ${(err as Error).message}`);
          }
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </>
  );
}
