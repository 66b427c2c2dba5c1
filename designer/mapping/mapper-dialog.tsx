/**
 * The visual mapper of a transform node: source fields (from the sample or
 * schema) on the left, target fields (from what follows) on the right. Drag
 * a source field onto a target field to map it; each target holds a JSONata
 * expression. The generated expression is shown and is the node's config.
 */
import { useMemo, useState } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import { useEditor } from '../editor-context.tsx';
import { useExpressionPreview } from '../editor/use-expression-preview.ts';
import { useNodeInput } from '../editor/use-node-input.ts';
import { FieldTree } from '../editor/field-tree.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { JsonView } from '../shell/json-view.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { flattenMapping, setFieldExpression } from './expression-mapping.ts';
import { targetFieldsFor } from './target-fields.ts';
import { TargetFieldRow, targetRows } from './target-field-rows.tsx';
import { useMapping } from './use-mapping.ts';

function valueAt(value: unknown, path: string[]): unknown {
  let v = value;
  for (const s of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

export default function MapperDialog({ nodeId }: { nodeId: string }) {
  const store = useDesignerStoreApi();
  const { readOnly } = useEditor();
  const doc = useDesigner((s) => s.document);
  const node = doc?.nodes.find((n) => n.id === nodeId);
  const label = node?.label || catalog.get(node?.type ?? '')?.title || nodeId;
  const { expression, mapping, reason, update, startOver } = useMapping(nodeId);
  const { input, fields } = useNodeInput(nodeId);
  const result = useExpressionPreview(expression, input, 0);
  const [newField, setNewField] = useState('');
  const [filter, setFilter] = useState('');
  const declared = useMemo(() => (doc ? targetFieldsFor(doc, nodeId, catalog) : []), [doc, nodeId]);
  const mapped = useMemo(() => (mapping ? flattenMapping(mapping.fields) : []), [mapping]);
  const rows = useMemo(() => targetRows(declared, mapped), [declared, mapped]);
  const missing = rows.filter((r) => !r.group && r.required && !r.expression);
  const close = () => store.getState().openMapper(null);
  const output = result?.ok ? result.value : undefined;
  const sourceFields = useMemo(() => {
    const q = filter.trim().toLowerCase();
    if (!q) return fields;
    const keep = (list: typeof fields): typeof fields => list.flatMap((f) => {
      const children = keep(f.children);
      return f.name.toLowerCase().includes(q) || children.length ? [{ ...f, children }] : [];
    });
    return keep(fields);
  }, [fields, filter]);

  const setField = (path: string[], expr: string) => mapping && update({ ...mapping, fields: setFieldExpression(mapping.fields, path, expr) });

  return (
    <Dialog title={`Visual mapping · ${label}`} onClose={close} width={1280}>
      {!mapping ? (
        <div className="mapper-unavailable">
          <p>{reason}</p>
          <p className="muted">The mapper shows expressions of the form <code>{'{ "field": expression, … }'}</code>, optionally after <code>$name := …;</code> bindings. Edit this one in the inspector, or start a new mapping.</p>
          {!readOnly && <button type="button" className="btn btn-danger" onClick={startOver}>Start a new mapping (replaces the expression)</button>}
        </div>
      ) : (
        <>
          {reason && <div className="callout callout-warning">The expression was edited elsewhere and no longer reads as a mapping ({reason}). The mapper shows the last mapping it could read; mapping a field will overwrite the expression.</div>}
          <div className="mapper-status">
            <span>{mapped.length} field{mapped.length === 1 ? '' : 's'} mapped</span>
            {missing.length > 0 ? <span className="text-error">⚠ {missing.length} required field{missing.length === 1 ? '' : 's'} unmapped: {missing.map((r) => r.path.join('.')).join(', ')}</span> : declared.length > 0 && <span className="text-ok">✓ Every required field is mapped</span>}
            {mapping.preamble && <span className="muted small">{mapping.preamble.length} binding{mapping.preamble.length === 1 ? '' : 's'} ($…:=) kept before the mapping</span>}
          </div>
          <div className="mapper">
            <section className="mapper-source">
              <h3>Source fields</h3>
              <input type="search" placeholder="Filter fields" value={filter} onChange={(e) => setFilter(e.target.value)} />
              <FieldTree fields={sourceFields} draggable emptyText="Load a sample (Sample data tab) to see the fields arriving at this node." />
            </section>
            <section className="mapper-target">
              <h3>Target fields <span className="muted small">drag a source field onto a row</span></h3>
              {rows.length === 0 && <p className="muted small">Nothing after this node declares fields yet (a target's columns, a validation schema). Add target fields by name below.</p>}
              <div className="target-rows">
                {rows.map((r) => <TargetFieldRow key={r.path.join('.')} row={r} value={valueAt(output, r.path)} onChange={(e) => setField(r.path, e)} readOnly={readOnly} />)}
              </div>
              {!readOnly && (
                <form className="inline-form" onSubmit={(e) => { e.preventDefault(); const p = newField.trim().split('.').filter(Boolean); if (p.length) setField(p, 'null'); setNewField(''); }}>
                  <input value={newField} onChange={(e) => setNewField(e.target.value)} placeholder="New target field, e.g. supplier.iban" />
                  <button type="submit" className="btn btn-small" disabled={!newField.trim()}>Add field</button>
                </form>
              )}
            </section>
            <section className="mapper-expression">
              <h3>JSONata <span className="muted small">generated; same as the node's expression</span></h3>
              <pre className="json-view mapper-code">{expression}</pre>
              <h3>Result on the sample</h3>
              {input.status === 'ready' && result ? (result.ok ? <JsonView value={result.value} /> : <div className="preview-error">{result.message}</div>) : <p className="muted small">Load a sample to see the result.</p>}
            </section>
          </div>
        </>
      )}
    </Dialog>
  );
}
