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
import { setFieldExpression, setLoop } from './expression-mapping.ts';
import { targetFieldsFor } from './target-fields.ts';
import { TargetFieldRow } from './target-field-rows.tsx';
import { producesValue, targetRows, valuesAt } from './target-rows.ts';
import { TargetStructureForm } from './target-structure-form.tsx';
import { useMapping } from './use-mapping.ts';

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
  const [editStructure, setEditStructure] = useState(false);
  const declared = useMemo(() => (doc ? targetFieldsFor(doc, nodeId, catalog) : []), [doc, nodeId]);
  const rows = useMemo(() => targetRows(declared, mapping?.fields ?? []), [declared, mapping]);
  const output = result?.ok ? result.value : undefined;
  const values = useMemo(() => rows.map((r) => valuesAt(output, r.path)), [rows, output]);
  const leaves = rows.filter((r) => r.kind === 'field' && r.expression);
  // Only fields that produce a value on the sample count as mapped: eight nulls are not eight mapped fields.
  const producing = rows.filter((r, i) => r.kind === 'field' && r.expression && producesValue(values[i]));
  const missing = rows.filter((r) => r.kind === 'field' && r.required && !r.expression && !r.waitingForLoop);
  const close = () => store.getState().openMapper(null);
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
  const setList = (path: string[], source: string) => mapping && update({ ...mapping, fields: setLoop(mapping.fields, path, source) });
  const addField = (text: string) => {
    // "entries[]" adds a list, "supplier.iban" a field.
    const list = text.endsWith('[]');
    const path = text.replace(/\[\]$/, '').split('.').map((s) => s.trim()).filter(Boolean);
    if (path.length === 0) return;
    if (list) setList(path, '');
    else setField(path, 'null');
  };

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
            <span data-testid="mapped-count" title="Fields whose expression gives a value on the sample">{input.status === 'ready' && result?.ok ? `${producing.length} of ${leaves.length} field${leaves.length === 1 ? '' : 's'} mapped with a value on the sample` : `${leaves.length} field${leaves.length === 1 ? '' : 's'} with an expression (load a sample to check their values)`}</span>
            {missing.length > 0 ? <span className="text-error">⚠ {missing.length} required field{missing.length === 1 ? '' : 's'} unmapped: {missing.map((r) => r.path.join('.')).join(', ')}</span> : declared.length > 0 && <span className="text-ok">✓ Every required field is mapped</span>}
            {mapping.preamble && <span className="muted small">{mapping.preamble.length} binding{mapping.preamble.length === 1 ? '' : 's'} ($…:=) kept before the mapping</span>}
          </div>
          <div className="mapper">
            <section className="mapper-source">
              <h3>Source fields</h3>
              <input type="search" placeholder="Filter fields" aria-label="Filter source fields" value={filter} onChange={(e) => setFilter(e.target.value)} />
              <FieldTree fields={sourceFields} draggable emptyText="Load a sample (Sample data tab) to see the fields arriving at this node." />
            </section>
            <section className="mapper-target">
              <h3>
                Target fields <span className="muted small">drag a source field onto a row, a repeating element onto a list</span>
                {!readOnly && <button type="button" className="btn btn-small target-structure-toggle" aria-expanded={editStructure} onClick={() => setEditStructure(!editStructure)}>Target structure…</button>}
              </h3>
              {editStructure && <TargetStructureForm nodeId={nodeId} current={node?.config.targetSchema} onDone={() => setEditStructure(false)} />}
              {rows.length === 0 && <p className="muted small">Nothing after this node declares fields yet (a target's columns, a validation schema). Give a target structure, or add target fields by name below.</p>}
              <div className="target-rows">
                {rows.map((r, i) => <TargetFieldRow key={r.path.join('.')} row={r} values={values[i]} onChange={(e) => setField(r.path, e)} onLoop={(s) => setList(r.path, s)} readOnly={readOnly} />)}
              </div>
              {!readOnly && (
                <form className="inline-form" onSubmit={(e) => { e.preventDefault(); addField(newField.trim()); setNewField(''); }}>
                  <input value={newField} onChange={(e) => setNewField(e.target.value)} placeholder="New target field, e.g. supplier.iban, or a list: entries[]" aria-label="New target field" />
                  <button type="submit" className="btn btn-small" disabled={!newField.trim()}>Add field</button>
                </form>
              )}
            </section>
            <section className="mapper-expression">
              <h3>JSONata <span className="muted small">generated; same as the node's expression</span></h3>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the expression scrolls; keyboard users scroll it by focusing it */}
              <pre className="json-view mapper-code" tabIndex={0}>{expression}</pre>
              <h3>Result on the sample</h3>
              {input.status === 'ready' && result ? (result.ok ? <JsonView value={result.value} /> : <div className="preview-error">{result.message}</div>) : <p className="muted small">Load a sample to see the result.</p>}
            </section>
          </div>
        </>
      )}
    </Dialog>
  );
}
