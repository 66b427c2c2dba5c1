/**
 * The table target's picker: its table and columns chosen from the live
 * database the connection is bound to in an environment (read through
 * GET /api/connections/{env}/{name}/schema), with each column's type shown.
 * A column picked maps the record field of the same name; the mapping can
 * then be changed in the form below.
 */
import { useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../api-client.ts';
import type { DatabaseSchema } from '../../runtime/api/contract/schemas.ts';
import { useEditor } from '../editor-context.tsx';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { mayInspect } from '../versions/environment-checks.ts';

type Table = DatabaseSchema['tables'][number];
type Column = Table['columns'][number];

/** What the target's `table` would be for this table: unqualified when the connection finds it first by name. */
function tableName(table: Table, searchPath: string[]): string {
  return searchPath[0] === table.schema ? table.name : `${table.schema}.${table.name}`;
}

function typeText(c: Column): string {
  if (c.precision !== null && /^(numeric|decimal)$/.test(c.type)) return `${c.type}(${c.precision},${c.scale ?? 0})`;
  if (c.maxLength !== null) return `${c.type}(${c.maxLength})`;
  return c.type;
}

export function TablePicker({ nodeId, config }: { nodeId: string; config: { connection?: string; table?: string; columns?: Record<string, string> } }) {
  const store = useDesignerStoreApi();
  const { api, user, environments, readOnly } = useEditor();
  const allowed = useMemo(() => [...environments].sort((a, b) => a.position - b.position).filter((e) => mayInspect(user.role, e)), [environments, user.role]);
  const [open, setOpen] = useState(false);
  const [env, setEnv] = useState(allowed[0]?.name ?? '');
  const [schema, setSchema] = useState<DatabaseSchema | null>(null);
  const [error, setError] = useState<string | null>(null);
  const connection = config.connection ?? '';

  useEffect(() => {
    if (!open || !connection || !env) return;
    let current = true;
    setSchema(null);
    setError(null);
    api.connectionSchema(env, connection).then((s) => { if (current) setSchema(s); }, (err) => { if (current) setError(errorMessage(err)); });
    return () => { current = false; };
  }, [api, open, env, connection]);

  if (!connection || allowed.length === 0) return null;
  const tables = schema?.tables ?? [];
  const chosen = schema ? tables.find((t) => tableName(t, schema.searchPath) === config.table) : undefined;
  const columns = config.columns ?? {};
  const setConfig = (patch: Record<string, unknown>) => !readOnly && store.getState().updateNodeConfig(nodeId, { ...config, ...patch });
  const toggle = (c: Column, on: boolean) => {
    const next = { ...columns };
    if (on) next[c.name] = columns[c.name] ?? c.name;
    else delete next[c.name];
    setConfig({ columns: next });
  };

  return (
    <details className="table-picker" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Pick the table and columns from the database</summary>
      <label className="field">
        <span className="field-label">Environment</span>
        <select value={env} onChange={(e) => setEnv(e.target.value)}>
          {allowed.map((e) => <option key={e.name} value={e.name}>{e.name}</option>)}
        </select>
      </label>
      {error && <p className="callout callout-error small">{error}</p>}
      {open && !schema && !error && <p className="muted small">Reading the tables of '{connection}' in {env}…</p>}
      {schema && (
        <>
          <label className="field">
            <span className="field-label">Table of '{connection}' in {env}</span>
            <select value={chosen ? tableName(chosen, schema.searchPath) : ''} disabled={readOnly} onChange={(e) => setConfig({ table: e.target.value })}>
              <option value="" disabled>{tables.length ? `Choose one of ${tables.length} table(s)` : 'The database has no tables'}</option>
              {tables.map((t) => <option key={`${t.schema}.${t.name}`} value={tableName(t, schema.searchPath)}>{tableName(t, schema.searchPath)}</option>)}
            </select>
          </label>
          {config.table && !chosen && <p className="text-error small" role="note">Table {config.table} does not exist in {env}.</p>}
          {chosen && (
            <fieldset className="table-picker-columns">
              <legend className="field-label">Columns of {chosen.name} (checked: mapped)</legend>
              <ul>
                {chosen.columns.map((c) => (
                  <li key={c.name}>
                    <label>
                      <input type="checkbox" checked={c.name in columns} disabled={readOnly} onChange={(e) => toggle(c, e.target.checked)} />
                      <code>{c.name}</code> <span className="muted small">{typeText(c)}{c.nullable ? '' : ' not null'}{c.hasDefault ? ' · default' : ''}</span>
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          )}
        </>
      )}
    </details>
  );
}
