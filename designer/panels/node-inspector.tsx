/** The form of one node: label, problems, config generated from its schema, retry policy. */
import { useMemo } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import type { FlowNode } from '../../nodes/flow-document.ts';
import { connectionKindsOf } from './connection-kinds.ts';
import { CATEGORY_LOOK } from '../canvas/categories.ts';
import { useEditor } from '../editor-context.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { problemsByField, shortMessage } from './problem-paths.ts';
import { FormContext, type FormContextValue } from './schema-form/form-context.ts';
import { SchemaForm } from './schema-form/schema-form.tsx';
import { TextInput } from './schema-form/widgets.tsx';
import { RetryPolicyForm } from './retry-policy-form.tsx';
import { NodeRunSummary } from './node-run-summary.tsx';
import { SUBFLOW_TYPE } from '../../nodes/subflow/subflow.ts';
import { SubflowDetails } from '../subflows/subflow-details.tsx';
import { TablePicker } from './table-picker.tsx';
import { TABLE_TARGET_TYPES } from '../../nodes/target/column-fit.ts';

const NO_PROBLEMS: never[] = [];

export function NodeInspector({ nodeId }: { nodeId: string }) {
  const store = useDesignerStoreApi();
  const { readOnly } = useEditor();
  const node = useDesigner((s) => s.document?.nodes.find((n) => n.id === nodeId));
  const connections = useDesigner((s) => s.document?.connections);
  const problems = useDesigner((s) => s.problemsByNode.get(nodeId) ?? NO_PROBLEMS);
  const focusPath = useDesigner((s) => s.focusPath);
  const decl = node ? catalog.get(node.type) : undefined;
  const { fields, general } = useMemo(() => problemsByField(problems), [problems]);
  const kinds = node ? connectionKindsOf(node.type) : undefined;
  const kind = kinds?.[0];

  const formContext: FormContextValue = useMemo(() => ({
    problems: fields,
    expressionFields: decl?.expressionFields ?? [],
    connections: Object.entries(connections ?? {}).filter(([, c]) => !kinds || kinds.includes(c.kind)).map(([name, c]) => ({ name, kind: c.kind, description: c.description })),
    connectionKind: kind,
    declareConnection: (name: string) => kind && store.getState().change((d) => ({ ...d, connections: { ...d.connections, [name]: { kind } } })),
    readOnly,
    nodeId,
    focusPath,
  }), [fields, decl, connections, kinds, kind, store, readOnly, nodeId, focusPath]);

  if (!node) return null;
  const look = decl ? CATEGORY_LOOK[decl.category] : undefined;
  const update = (patch: Partial<Pick<FlowNode, 'label' | 'config' | 'retry'>>) => !readOnly && store.getState().updateNode(nodeId, patch);

  return (
    <div className="node-inspector">
      <div className="inspector-head" style={{ '--cat': look?.color ?? '#94a3b8' } as React.CSSProperties}>
        <span className="flow-node-glyph">{look?.glyph ?? '?'}</span>
        <div className="inspector-head-text">
          <TextInput ariaLabel="Node name" value={node.label ?? ''} placeholder={decl?.title ?? node.type} onChange={(v) => update({ label: v })} readOnly={readOnly} />
          <div className="muted small">{decl ? `${decl.title} · ${node.type} v${node.typeVersion}` : `Unknown node type ${node.type}`} · id <code>{node.id}</code></div>
        </div>
      </div>
      {decl && <p className="inspector-desc">{decl.description}</p>}
      {general.length > 0 && (
        <ul className="problem-list compact">
          {general.map((p, i) => <li key={i} className="problem">{shortMessage(p)}</li>)}
        </ul>
      )}
      <NodeRunSummary nodeId={nodeId} />
      {node.type === 'transform.jsonata' && (
        <button type="button" className="btn btn-block mapper-button" onClick={() => store.getState().openMapper(nodeId)}>⇄ Open visual mapper</button>
      )}
      {TABLE_TARGET_TYPES.includes(node.type) && <TablePicker nodeId={nodeId} config={node.config} />}
      {node.type === SUBFLOW_TYPE ? (
        <SubflowDetails node={node} />
      ) : decl ? (
        <FormContext.Provider value={formContext}>
          <SchemaForm schema={decl.configSchema} value={node.config} onChange={(config) => update({ config })} />
          {decl.category === 'target' && <RetryPolicyForm value={node.retry} onChange={(retry) => update({ retry })} />}
        </FormContext.Provider>
      ) : (
        <p className="callout callout-error">This runtime does not know the node type “{node.type}”. Remove the node or install the type.</p>
      )}
    </div>
  );
}
