/** The node's counts from the last test run, with a link to its output records. */
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { nodeStatsOf } from '../store/test-run-slice.ts';

export function NodeRunSummary({ nodeId }: { nodeId: string }) {
  const store = useDesignerStoreApi();
  const stats = useDesigner((s) => nodeStatsOf(s, nodeId));
  const stale = useDesigner((s) => s.testRun.status === 'done' && s.testRun.revision !== s.revision);
  if (!stats) return null;
  return (
    <div className="run-summary">
      <div className="run-summary-counts">
        <span><strong>{stats.in}</strong> in</span>
        <span><strong>{stats.out}</strong> out</span>
        <span className={stats.invalid ? 'text-warning' : ''}><strong>{stats.invalid}</strong> invalid</span>
        <span className={stats.errors ? 'text-error' : ''}><strong>{stats.errors}</strong> errors</span>
      </div>
      <button type="button" className="link-btn" onClick={() => store.getState().openDrawer('results')}>Show records →</button>
      {stale && <span className="muted small">The flow changed since this test run.</span>}
    </div>
  );
}
