/** Mapping tests stored with the flow: run them all, see failures as field-level differences. */
import { diffValues, type ValueDifference } from '../../nodes/value-diff.ts';
import { errorMessage } from '../api-client.ts';
import type { MappingTestResult } from '../../runtime/api/contract/schemas.ts';
import { useEditor } from '../editor-context.tsx';
import { cellText } from '../shell/format.ts';
import { EMPTY_LIST, useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';

export function MappingTestsPanel() {
  const store = useDesignerStoreApi();
  const { api, flowId, readOnly } = useEditor();
  const tests = useDesigner((s) => s.document?.tests ?? EMPTY_LIST);
  const state = useDesigner((s) => s.mappingTests);
  const nodes = useDesigner((s) => s.document?.nodes ?? EMPTY_LIST);

  const runAll = async () => {
    const s = store.getState();
    s.setMappingTests({ status: 'running' });
    try {
      const { results } = await api.runMappingTests(flowId, s.document ?? undefined);
      store.getState().setMappingTests({ status: 'done', result: results, revision: s.revision, at: Date.now() });
    } catch (err) {
      store.getState().setMappingTests({ status: 'failed', message: errorMessage(err) });
    }
  };
  const results = state.status === 'done' ? state.result : [];
  const resultOf = (name: string) => results.find((r) => r.name === name);
  const passed = results.filter((r) => r.passed).length;
  const remove = (name: string) => store.getState().change((d) => ({ ...d, tests: (d.tests ?? []).filter((t) => t.name !== name) }));
  const accept = (r: MappingTestResult) => store.getState().change((d) => ({ ...d, tests: (d.tests ?? []).map((t) => (t.name === r.name ? { ...t, expected: r.actual } : t)) }));

  if (tests.length === 0) {
    return (
      <div className="empty-panel">
        <strong>No mapping tests yet</strong>
        <span className="muted">Open a Map node, check the preview on a sample record, and press <em>Pin as test</em>: “this input gives this output” is stored with the flow. Tests run before every promotion.</span>
      </div>
    );
  }
  return (
    <div className="tests-panel">
      <div className="tests-toolbar">
        <button type="button" className="btn btn-primary btn-small" onClick={runAll} disabled={state.status === 'running'}>{state.status === 'running' ? 'Running…' : `▶ Run all ${tests.length}`}</button>
        {state.status === 'done' && <span className={passed === results.length ? 'text-ok' : 'text-error'}>{passed} of {results.length} passed</span>}
        {state.status === 'failed' && <span className="text-error">{state.message}</span>}
        <span className="muted small">These tests gate promotion to test and prod.</span>
      </div>
      <ul className="test-list">
        {tests.map((t) => {
          const r = resultOf(t.name);
          const node = nodes.find((n) => n.id === t.node);
          return (
            <li key={t.name} className={`test-item ${r ? (r.passed ? 'passed' : 'failed') : ''}`}>
              <div className="test-head">
                <span className="test-status">{r ? (r.passed ? '✓' : '✗') : '○'}</span>
                <span className="test-name">{t.name}</span>
                <span className="muted small">{t.node ? `output of ${node?.label ?? t.node}` : 'records reaching targets'}</span>
                <span className="spacer" />
                {!readOnly && r && !r.passed && r.actual !== undefined && <button type="button" className="btn btn-small" onClick={() => accept(r)} title="The new output is right: store it as the expected output">Accept new output</button>}
                {!readOnly && <button type="button" className="icon-btn danger" onClick={() => remove(t.name)} aria-label={`Delete test ${t.name}`}>✕</button>}
              </div>
              {r && !r.passed && <TestFailure result={r} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function TestFailure({ result }: { result: MappingTestResult }) {
  const diffs: ValueDifference[] = result.differences?.length ? result.differences : diffValues(result.expected, result.actual);
  return (
    <div className="test-failure">
      {result.error && <div className="callout callout-error">{result.error}</div>}
      {diffs.length > 0 && (
        <table className="mini-table diff-table">
          <thead><tr><th>Field</th><th>Expected</th><th>Actual</th></tr></thead>
          <tbody>
            {diffs.slice(0, 100).map((d, i) => (
              <tr key={i} className={`diff-${d.kind}`}>
                <td><code>{d.path || '(whole output)'}</code></td>
                <td className="diff-expected">{d.kind === 'added' ? <span className="muted">(absent)</span> : cellText(d.expected, 160)}</td>
                <td className="diff-actual">{d.kind === 'removed' ? <span className="muted">(absent)</span> : cellText(d.actual, 160)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
