/**
 * Settings of the whole flow (shown when nothing is selected): name, keys and
 * control totals, masked fields, the connections it names, reference data.
 * The form comes from the published flow schema.
 */
import { useMemo } from 'react';
import flowSchema from '../../flows/flow.schema.json' with { type: 'json' };
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { useEditor } from '../editor-context.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { flowFieldProblems } from './problem-paths.ts';
import { FormContext, type FormContextValue } from './schema-form/form-context.ts';
import { SchemaForm } from './schema-form/schema-form.tsx';
import { ConnectionsEditor } from './connections-editor.tsx';

const FIELDS = ['name', 'description', 'businessKey', 'recordKey', 'eventTime', 'amount', 'sensitive', 'evaluator', 'sharedTransaction'] as const;
const TITLES: Record<string, string> = {
  businessKey: 'Business key', recordKey: 'Record identity', eventTime: 'Event time', amount: 'Control total', sensitive: 'Masked fields in traces',
  sharedTransaction: 'One transaction per Postgres connection',
};
const EXPRESSIONS = ['/recordKey', '/businessKey', '/eventTime', '/amount/value', '/amount/currency'];

const props = (flowSchema as { properties: Record<string, Record<string, unknown>> }).properties;
const SETTINGS_SCHEMA = {
  type: 'object',
  required: ['name'],
  properties: Object.fromEntries(FIELDS.map((k) => [k, { ...props[k], ...(TITLES[k] ? { title: TITLES[k] } : {}) }])),
};

export function FlowSettings() {
  const store = useDesignerStoreApi();
  const { readOnly } = useEditor();
  const doc = useDesigner((s) => s.document)!;
  const problems = useDesigner((s) => s.problems);
  const nodeCount = doc.nodes.length;

  const ctx: FormContextValue = useMemo(() => ({
    problems: flowFieldProblems(problems),
    expressionFields: EXPRESSIONS,
    connections: [],
    readOnly,
  }), [problems, readOnly]);

  const value = Object.fromEntries(FIELDS.filter((k) => doc[k] !== undefined).map((k) => [k, doc[k]]));
  const onChange = (v: Record<string, unknown>) => {
    store.getState().change((d) => {
      const next = { ...d } as Record<string, unknown>;
      for (const k of FIELDS) {
        if (v[k] === undefined || v[k] === '') delete next[k];
        else next[k] = v[k];
      }
      return next as unknown as FlowDocument;
    });
  };

  return (
    <div className="flow-settings">
      <h2 className="inspector-title">Flow settings</h2>
      <p className="muted small">Select a node on the canvas to edit it. {nodeCount === 0 ? 'Start by dragging a source from the palette.' : `${nodeCount} node${nodeCount === 1 ? '' : 's'}, ${doc.edges.length} connection${doc.edges.length === 1 ? '' : 's'}.`}</p>
      <FormContext.Provider value={ctx}>
        <SchemaForm schema={SETTINGS_SCHEMA} value={value} onChange={onChange} />
      </FormContext.Provider>
      <ConnectionsEditor />
      {doc.referenceData && Object.keys(doc.referenceData).length > 0 && (
        <details className="form-section" open>
          <summary>Reference data</summary>
          <p className="field-help">Master data the checks and $ref / $inRef look up. Stored with the flow on the server.</p>
          <table className="mini-table">
            <thead><tr><th>Set</th><th>Key</th><th>From</th></tr></thead>
            <tbody>
              {Object.entries(doc.referenceData).map(([name, r]) => (
                <tr key={name}><td><code>{name}</code></td><td>{r.key}</td><td className="muted">{r.file ?? (r.stored ? `stored “${r.stored}”` : '')}</td></tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
