/** A value that may take one of several shapes (e.g. decimal comma: all columns, or these columns). */
import type { FieldProps } from './schema-form.tsx';
import { StringListField } from './collection-fields.tsx';
import { useFormContext } from './form-context.ts';
import { Toggle } from './widgets.tsx';
import { JsonField } from './json-field.tsx';

type Schema = Record<string, unknown>;

function matches(s: Schema, v: unknown): boolean {
  if (s.type === 'boolean') return typeof v === 'boolean';
  if (s.type === 'array') return Array.isArray(v);
  if (s.type === 'string') return typeof v === 'string';
  if (s.type === 'number' || s.type === 'integer') return typeof v === 'number';
  return false;
}

export function OneOfField({ schema, value, onChange }: FieldProps) {
  const { readOnly } = useFormContext();
  const variants = ((schema.oneOf ?? schema.anyOf) as Schema[]) ?? [];
  const shown = value === undefined ? schema.default : value;
  const index = Math.max(0, variants.findIndex((v) => matches(v, shown)));
  const current = variants[index];
  const initial = (v: Schema): unknown => (v.type === 'boolean' ? false : v.type === 'array' ? [] : v.type === 'string' ? '' : 0);
  return (
    <div className="one-of">
      <div className="segmented" role="radiogroup">
        {variants.map((v, i) => (
          <button key={i} type="button" role="radio" aria-checked={i === index} className={i === index ? 'active' : ''} disabled={readOnly} onClick={() => i !== index && onChange(initial(v))}>
            {String(v.title ?? v.type)}
          </button>
        ))}
      </div>
      {current?.type === 'boolean' && <Toggle checked={shown === true} onChange={onChange} label="On" readOnly={readOnly} />}
      {current?.type === 'array' && <StringListField value={(shown as string[]) ?? []} onChange={onChange} />}
      {current && current.type !== 'boolean' && current.type !== 'array' && <JsonField value={shown} onChange={onChange} />}
    </div>
  );
}
