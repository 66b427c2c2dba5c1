/** Every problem the runtime would refuse, grouped by node; a click selects the node and the field. */
import { useReactFlow } from '@xyflow/react';
import { catalog } from '../../nodes/catalog.ts';
import type { FlowProblem } from '../../nodes/validate-flow.ts';
import { EMPTY_LIST, useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { configPointer, shortMessage } from './problem-paths.ts';
import { ReferenceFindings } from '../reference/reference-findings.tsx';
import { EnvironmentFindings } from './environment-findings.tsx';

const CODE_LABEL: Partial<Record<FlowProblem['code'], string>> = {
  'unconnected-port': 'Not connected', 'invalid-config': 'Missing or invalid setting', 'expression-syntax': 'Expression error',
  'missing-idempotency-key': 'No idempotency key', 'cycle': 'Loop', 'no-source': 'No source', 'unreachable-node': 'Unreachable',
  'unknown-connection': 'Unknown connection', 'unknown-port': 'Unknown port', 'dangling-edge': 'Broken connection', 'schema': 'Invalid flow file',
  'duplicate-id': 'Duplicate id', 'unknown-node-type': 'Unknown node type', 'newer-node-version': 'Newer node version',
};

export function ProblemsPanel() {
  const store = useDesignerStoreApi();
  const problems = useDesigner((s) => s.problems);
  const nodes = useDesigner((s) => s.document?.nodes ?? EMPTY_LIST);
  const rf = useReactFlow();

  if (problems.length === 0) {
    return (
      <>
        <ReferenceFindings />
        {/* Above the roomy "no problems" note, so what dev lacks is seen without scrolling. */}
        <EnvironmentFindings />
        <div className="empty-panel">
          <strong>✓ No problems.</strong>
          <span className="muted">The runtime would accept this flow. Save a version when you are ready.</span>
        </div>
        <SampleFindings />
      </>
    );
  }

  const groups = new Map<string, FlowProblem[]>();
  for (const p of problems) {
    const key = p.nodeId ?? '';
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const open = (p: FlowProblem) => {
    if (p.nodeId) {
      const pointer = configPointer(p);
      store.getState().focusProblem(p.nodeId, pointer || null);
      const n = rf.getInternalNode(p.nodeId);
      if (n) void rf.setCenter(n.position.x + (n.measured.width ?? 240) / 2, n.position.y + (n.measured.height ?? 90) / 2, { zoom: Math.max(rf.getZoom(), 0.9), duration: 300 });
    } else {
      store.getState().focusProblem(undefined, p.path);
    }
  };

  return (
    <div className="problems-panel">
      <p className="muted small">A version cannot be saved until these are fixed. Click a problem to go to it.</p>
      {[...groups.entries()].map(([nodeId, list]) => {
        const node = nodes.find((n) => n.id === nodeId);
        const title = nodeId ? (node?.label ?? catalog.get(node?.type ?? '')?.title ?? nodeId) : 'Flow';
        return (
          <div key={nodeId || '_flow'} className="problem-group">
            <div className="problem-group-title">{title}{nodeId && <code className="muted"> {nodeId}</code>}</div>
            <ul className="problem-list">
              {list.map((p, i) => (
                <li key={i}>
                  <button type="button" className="problem" onClick={() => open(p)}>
                    <span className={`problem-code code-${p.code}`}>{CODE_LABEL[p.code] ?? p.code}</span>
                    <span>{nodeId ? shortMessage(p) : p.message}</span>
                    {p.position !== undefined && <span className="muted small"> (character {p.position + 1})</span>}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      <SampleFindings />
      <ReferenceFindings />
      <EnvironmentFindings />
    </div>
  );
}

/** Paths that matched nothing in the sample, from the last test run: warnings before the run, not problems that block a version. */
function SampleFindings() {
  const store = useDesignerStoreApi();
  const run = useDesigner((s) => s.testRun);
  if (run.status !== 'done') return null;
  const findings: { key: string; code: string; message: string; nodeId?: string; configPath?: string }[] = [
    ...(run.result.reconciliation?.warnings ?? []).map((w) => ({ key: `${w.code}:${w.expression ?? ''}`, code: w.code, message: w.message })),
    ...(run.result.sampleWarnings ?? []).map((w) => ({ key: `${w.code}:${w.nodeId}:${w.configPath}:${w.expression}`, code: w.code, message: w.message, nodeId: w.nodeId, configPath: w.configPath })),
  ];
  if (!findings.length) return null;
  return (
    <div className="problem-group" data-testid="sample-findings">
      <div className="problem-group-title">In the sample (last test run)</div>
      <ul className="problem-list">
        {findings.map((f) => (
          <li key={f.key}>
            <button type="button" className="problem" onClick={() => f.nodeId && store.getState().focusProblem(f.nodeId, f.configPath ?? null)}>
              <span className="problem-code code-sample-warning">{f.code}</span>
              <span>{f.message}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
