/** Lists and maps in generated forms: string tags, cards of objects, key → value tables. */
import { useState } from 'react';
import { Field, ObjectFields, titleOf, type FieldProps } from './schema-form.tsx';
import { problemsUnder, useFormContext } from './form-context.ts';
import { FieldShell, useFieldLabel } from './widgets.tsx';
import { cellText } from '../../shell/format.ts';

export function StringListField({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const { readOnly } = useFormContext();
  const named = useFieldLabel();
  const [draft, setDraft] = useState('');
  const add = () => {
    const v = draft.trim();
    if (v && !value.includes(v)) onChange([...value, v]);
    setDraft('');
  };
  return (
    <div className="tag-list">
      {value.map((v) => (
        <span key={v} className="tag">
          {v}
          {!readOnly && <button type="button" aria-label={`Remove ${v}`} onClick={() => onChange(value.filter((x) => x !== v))}>✕</button>}
        </span>
      ))}
      {!readOnly && (
        <input
          {...named}
          className="tag-input"
          value={draft}
          placeholder={value.length ? 'Add…' : 'Type and press Enter'}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ',') {
              e.preventDefault();
              add();
            } else if (e.key === 'Backspace' && !draft && value.length) onChange(value.slice(0, -1));
          }}
          onBlur={add}
        />
      )}
    </div>
  );
}

type Obj = Record<string, unknown>;

export function ObjectListField({ schema, value, onChange, pointer, label, description }: FieldProps & { label: string; description?: string }) {
  const { readOnly, problems } = useFormContext();
  const items = (value as Obj[] | undefined) ?? [];
  const itemSchema = (schema.items ?? {}) as Obj;
  const itemTitle = titleOf(itemSchema, 'item');
  const blank = () => Object.fromEntries(Object.entries((itemSchema.properties ?? {}) as Record<string, Obj>).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default]));
  const set = (i: number, v: Obj) => onChange(items.map((x, j) => (j === i ? v : x)));
  const move = (i: number, d: number) => {
    const next = [...items];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    onChange(next);
  };
  return (
    <FieldShell label={label} pointer={pointer} description={description}>
      <div className="card-list">
        {items.length === 0 && <p className="muted small">None yet.</p>}
        {items.map((item, i) => {
          const n = problemsUnder(problems, `${pointer}/${i}`);
          const heading = String(item?.id ?? item?.port ?? item?.label ?? `${itemTitle} ${i + 1}`);
          return (
            <details key={i} className={`card ${n ? 'card-invalid' : ''}`} open={items.length <= 3 || n > 0}>
              <summary>
                <span className="card-title">{heading}</span>
                {!n && <span className="card-sub">{cellText(item?.message ?? item?.condition ?? item?.expression ?? '', 60)}</span>}
                {n > 0 && <span className="badge badge-error">{n}</span>}
                {!readOnly && (
                  // biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useKeyWithClickEvents: keeps clicks on the buttons inside from toggling the surrounding <details>
                  <span className="card-actions" onClick={(e) => e.preventDefault()}>
                    <button type="button" className="icon-btn" disabled={i === 0} onClick={() => move(i, -1)} aria-label="Move up">↑</button>
                    <button type="button" className="icon-btn" disabled={i === items.length - 1} onClick={() => move(i, 1)} aria-label="Move down">↓</button>
                    <button type="button" className="icon-btn danger" onClick={() => onChange(items.filter((_, j) => j !== i))} aria-label={`Remove ${heading}`}>✕</button>
                  </span>
                )}
              </summary>
              <ObjectFields schema={itemSchema} value={item} onChange={(v) => set(i, v)} pointer={`${pointer}/${i}`} />
            </details>
          );
        })}
        {!readOnly && <button type="button" className="btn btn-small btn-dashed" onClick={() => onChange([...items, blank()])}>+ Add {itemTitle.toLowerCase()}</button>}
      </div>
    </FieldShell>
  );
}

/** `column → field path` maps (target columns, CSV columns). */
export function StringMapField({ value, onChange, pointer, label, description, schema }: FieldProps & { label: string; description?: string }) {
  const { readOnly, problems } = useFormContext();
  const entries = Object.entries((value as Record<string, string> | undefined) ?? {});
  const [newKey, setNewKey] = useState('');
  const write = (list: [string, string][]) => onChange(list.length ? Object.fromEntries(list) : schema.default === undefined ? undefined : {});
  return (
    <FieldShell label={label} pointer={pointer} description={description}>
      <table className="kv-table">
        <tbody>
          {entries.map(([k, v], i) => {
            const errors = problems.get(`${pointer}/${k}`) ?? [];
            return (
              <tr key={k} className={errors.length ? 'invalid' : ''} title={errors.join('\n') || undefined}>
                <td><code>{k}</code></td>
                <td className="kv-arrow">←</td>
                <td>
                  <input aria-label={`${label}: ${k}`} value={v} readOnly={readOnly} spellCheck={false} className="mono" onChange={(e) => write(entries.map(([kk, vv], j) => [kk, j === i ? e.target.value : vv]))} />
                </td>
                {!readOnly && <td><button type="button" className="icon-btn danger" aria-label={`Remove ${k}`} onClick={() => write(entries.filter((_, j) => j !== i))}>✕</button></td>}
              </tr>
            );
          })}
        </tbody>
      </table>
      {!readOnly && (
        <form className="kv-add" onSubmit={(e) => { e.preventDefault(); const k = newKey.trim(); if (k && !entries.some(([x]) => x === k)) write([...entries, [k, k]]); setNewKey(''); }}>
          <input aria-label={`${label}: new name`} value={newKey} placeholder="New name" onChange={(e) => setNewKey(e.target.value)} />
          <button type="submit" className="btn btn-small" disabled={!newKey.trim()}>Add</button>
        </form>
      )}
    </FieldShell>
  );
}

export { Field };
