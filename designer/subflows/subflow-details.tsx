/**
 * The inspector of a sub-flow node: the version it pins, its ports and inner
 * nodes (read-only: a sub-flow is changed by saving a new version), and, when
 * a newer version is stored, what changed and "Update to vN".
 */
import { useEffect, useMemo, useState } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import { describeDiff, diffFlows } from '../../nodes/flow-diff.ts';
import type { FlowNode } from '../../nodes/flow-document.ts';
import { definitionOf, pinnedConfig } from '../../nodes/subflow/definition.ts';
import { SUBFLOW_TYPE, type SubflowConfig, type SubflowDefinition } from '../../nodes/subflow/subflow.ts';
import { errorMessage } from '../api-client.ts';
import { useEditor } from '../editor-context.tsx';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { withConnectionsOf } from './add-subflow.ts';

type Latest = { version: number; definition: SubflowDefinition; message: string | null };

const refs = (list: { node: string; port?: string }[]) => list.map((r) => (r.port ? `${r.node}.${r.port}` : r.node)).join(', ');
const ports = (d: SubflowDefinition) => `in: ${d.inputs.map((p) => p.id).join(', ')}; out: ${d.outputs.map((p) => p.id).join(', ') || 'none'}`;

/** What changes when a node moves from one sub-flow version to another, one line each. */
export function subflowChanges(from: SubflowDefinition, to: SubflowDefinition): string[] {
  const asFlow = (d: SubflowDefinition) => ({ id: 'subflow', name: 'subflow', nodes: d.nodes, edges: d.edges });
  const lines = describeDiff(diffFlows(asFlow(from), asFlow(to), { from: 'pinned', to: 'latest' }, { catalog }));
  if (JSON.stringify([from.inputs, from.outputs]) !== JSON.stringify([to.inputs, to.outputs])) lines.unshift(`Ports: ${ports(from)} → ${ports(to)}`);
  if ((from.description ?? '') !== (to.description ?? '')) lines.push(`Description: "${from.description ?? ''}" → "${to.description ?? ''}"`);
  return lines;
}

export function SubflowDetails({ node }: { node: FlowNode }) {
  const store = useDesignerStoreApi();
  const { api, readOnly } = useEditor();
  const config = node.config as unknown as SubflowConfig;
  const [latest, setLatest] = useState<Latest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showChanges, setShowChanges] = useState(false);

  useEffect(() => {
    let live = true;
    api.subflow(config.name).then(
      ({ subflow }) => live && setLatest({ version: subflow.version, definition: subflow.definition as unknown as SubflowDefinition, message: subflow.message }),
      (err) => live && setError(errorMessage(err)),
    );
    return () => { live = false; };
  }, [api, config.name]);

  const newer = latest && latest.version > config.version ? latest : null;
  const changes = useMemo(() => (newer ? subflowChanges(definitionOf(config), newer.definition) : []), [newer, config]);
  const update = () => {
    if (!newer || readOnly) return;
    store.getState().change((d) => ({
      ...d,
      connections: withConnectionsOf(d, newer.definition),
      nodes: d.nodes.map((n) => (n.id === node.id ? { ...n, config: pinnedConfig(config.name, newer.version, newer.definition) as unknown as Record<string, unknown> } : n)),
    }));
    store.getState().notify('success', `${node.label || node.id} now uses ${config.name} v${newer.version}; the change shows in the flow's diff once you save a version.`);
  };

  return (
    <div className="inspector-section subflow-details" data-testid="subflow-details">
      <p><strong>{config.name}</strong> · pinned version <strong>v{config.version}</strong>{config.description ? ` — ${config.description}` : ''}</p>
      {error && <p className="muted small">The stored versions could not be read: {error}</p>}
      {newer && (
        <div className="callout callout-warning" data-testid="subflow-newer">
          Version v{newer.version} is stored{newer.message ? ` (“${newer.message}”)` : ''}.{' '}
          <button type="button" className="link-btn" onClick={() => setShowChanges(!showChanges)}>{showChanges ? 'Hide changes' : 'Show changes'}</button>
          {showChanges && <ul data-testid="subflow-changes">{changes.length ? changes.map((c, i) => <li key={i}>{c}</li>) : <li>Only layout changed.</li>}</ul>}
          {!readOnly && <div className="button-row"><button type="button" className="btn btn-small" onClick={update}>Update to v{newer.version}</button></div>}
        </div>
      )}
      {latest && !newer && <p className="muted small">This is the latest version.</p>}
      <h3 className="inspector-subtitle">Inputs</h3>
      <ul className="small">{config.inputs.map((p) => <li key={p.id}><code>{p.id}</code> → {refs(p.targets)}</li>)}</ul>
      <h3 className="inspector-subtitle">Outputs</h3>
      <ul className="small">{config.outputs.length ? config.outputs.map((p) => <li key={p.id}><code>{p.id}</code> ← {refs(p.sources)}</li>) : <li className="muted">none</li>}</ul>
      <h3 className="inspector-subtitle">Nodes inside</h3>
      <ul className="small" data-testid="subflow-inner-nodes">
        {config.nodes.map((n) => {
          const decl = catalog.get(n.type);
          // A sub-flow used inside this one: its pinned version and the ports this one wires.
          const nested = n.type === SUBFLOW_TYPE ? <span className="muted" data-testid={`subflow-nested-${n.id}`}> — uses sub-flow {ports(n.config as unknown as SubflowDefinition)}</span> : null;
          return <li key={n.id}><code>{n.id}</code> {n.label ?? decl?.title ?? n.type}{decl?.summary ? <span className="muted"> — {decl.summary(n.config)}</span> : null}{nested}</li>;
        })}
      </ul>
      <p className="muted small">Runs trace these nodes as <code>{node.id}/&lt;node&gt;</code> (a sub-flow used inside as <code>{node.id}/&lt;node&gt;/&lt;its node&gt;</code>). To change the sub-flow, change a copy of its nodes in a flow and save them as a sub-flow of the same name: that makes a new version, and each flow moves to it with “Update”.</p>
    </div>
  );
}
