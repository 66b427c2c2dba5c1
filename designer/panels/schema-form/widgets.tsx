/** Primitive inputs of generated forms. */
import { createContext, useContext, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useFormContext } from './form-context.ts';

export interface FieldShellProps {
  label: string;
  pointer: string;
  required?: boolean;
  description?: string;
  children: ReactNode;
  inline?: boolean;
}

/** The id of the label of the field an input is in: every input of a generated form is named by its field's label. */
const FieldLabelId = createContext<string | undefined>(undefined);

/** `aria-labelledby` for an input inside a FieldShell (none outside one, or when `ariaLabel` names it). */
export function useFieldLabel(ariaLabel?: string): { 'aria-labelledby'?: string; 'aria-label'?: string } {
  const id = useContext(FieldLabelId);
  if (ariaLabel) return { 'aria-label': ariaLabel };
  return id ? { 'aria-labelledby': id } : {};
}

/** Label, help text and inline errors around an input; scrolls into view when focused from a problem. */
export function FieldShell({ label, pointer, required, description, children, inline }: FieldShellProps) {
  const { problems, focusPath } = useFormContext();
  const errors = problems.get(pointer) ?? [];
  const ref = useRef<HTMLDivElement>(null);
  const focused = focusPath === pointer;
  const labelId = useId();
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [focused]);
  return (
    <div ref={ref} className={`field ${inline ? 'field-inline' : ''} ${errors.length ? 'field-invalid' : ''} ${focused ? 'field-focused' : ''}`} data-pointer={pointer}>
      <span className="field-label" id={labelId}>{label}{required && <span className="required" title="Required">*</span>}</span>
      <FieldLabelId.Provider value={label ? labelId : undefined}>{children}</FieldLabelId.Provider>
      {description && !errors.length && <span className="field-help">{description}</span>}
      {errors.map((m, i) => <span key={i} className="field-error" role="alert">{m}</span>)}
    </div>
  );
}

/** A text input that commits on every change but keeps the cursor (controlled locally). */
export function TextInput({ value, onChange, placeholder, multiline, mono, readOnly, ariaLabel }: { value: string; onChange: (v: string) => void; placeholder?: string; multiline?: boolean; mono?: boolean; readOnly?: boolean; ariaLabel?: string }) {
  const named = useFieldLabel(ariaLabel);
  const [text, setText] = useState(value);
  const last = useRef(value);
  if (value !== last.current) {
    last.current = value;
    if (value !== text) setText(value);
  }
  const change = (v: string) => {
    setText(v);
    last.current = v;
    onChange(v);
  };
  const cls = mono ? 'mono' : undefined;
  return multiline
    ? <textarea {...named} className={cls} value={text} rows={Math.min(12, Math.max(3, text.split('\n').length + 1))} onChange={(e) => change(e.target.value)} placeholder={placeholder} readOnly={readOnly} spellCheck={false} />
    : <input {...named} className={cls} value={text} onChange={(e) => change(e.target.value)} placeholder={placeholder} readOnly={readOnly} spellCheck={false} />;
}

export function NumberInput({ value, onChange, integer, min, max, readOnly }: { value: number | undefined; onChange: (v: number | undefined) => void; integer?: boolean; min?: number; max?: number; readOnly?: boolean }) {
  const named = useFieldLabel();
  return (
    <input
      {...named}
      type="number"
      value={value ?? ''}
      step={integer ? 1 : 'any'}
      min={min}
      max={max}
      readOnly={readOnly}
      onChange={(e) => onChange(e.target.value === '' ? undefined : integer ? Math.trunc(Number(e.target.value)) : Number(e.target.value))}
    />
  );
}

export function Toggle({ checked, onChange, label, readOnly }: { checked: boolean; onChange: (v: boolean) => void; label: string; readOnly?: boolean }) {
  return (
    <label className="toggle">
      <input type="checkbox" role="switch" checked={checked} aria-checked={checked} disabled={readOnly} onChange={(e) => onChange(e.target.checked)} />
      <span className="toggle-track"><span className="toggle-thumb" /></span>
      <span>{label}</span>
    </label>
  );
}

const OPTION_LABELS: Record<string, string> = { '\t': 'Tab', ',': 'Comma ,', ';': 'Semicolon ;', '|': 'Pipe |', null: 'None' };

export function EnumSelect({ options, value, onChange, readOnly }: { options: unknown[]; value: unknown; onChange: (v: unknown) => void; readOnly?: boolean }) {
  const named = useFieldLabel();
  const index = options.indexOf(value);
  return (
    <select {...named} value={index < 0 ? '' : String(index)} disabled={readOnly} onChange={(e) => onChange(options[Number(e.target.value)])}>
      {index < 0 && <option value="">Choose…</option>}
      {options.map((o, i) => <option key={i} value={i}>{OPTION_LABELS[String(o)] ?? String(o)}</option>)}
    </select>
  );
}
