/** The bottom drawer: problems, samples, test results, mapping tests, versions. */
import { lazy, Suspense } from 'react';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import type { DrawerTab } from '../store/ui-slice.ts';
import { ProblemsPanel } from './problems-panel.tsx';
import { SamplesPanel } from '../samples/samples-panel.tsx';
import { TestResultsPanel } from './test-results-panel.tsx';
import { MappingTestsPanel } from './mapping-tests-panel.tsx';

const VersionsPanel = lazy(() => import('../versions/versions-panel.tsx'));

export function BottomDrawer() {
  const store = useDesignerStoreApi();
  const tab = useDesigner((s) => s.drawer);
  const problems = useDesigner((s) => s.problems.length);
  const samples = useDesigner((s) => s.samples.length);
  const run = useDesigner((s) => s.testRun.status);
  const tests = useDesigner((s) => s.document?.tests?.length ?? 0);
  const failing = useDesigner((s) => (s.mappingTests.status === 'done' ? s.mappingTests.result.filter((r) => !r.passed).length : 0));

  const tabs: { id: DrawerTab; label: string; badge?: string; tone?: string }[] = [
    { id: 'problems', label: 'Problems', badge: String(problems), tone: problems ? 'error' : 'ok' },
    { id: 'samples', label: 'Sample data', badge: samples ? String(samples) : undefined },
    { id: 'results', label: 'Test run', badge: run === 'running' ? '…' : run === 'failed' ? '!' : undefined, tone: run === 'failed' ? 'error' : undefined },
    { id: 'tests', label: 'Mapping tests', badge: tests ? (failing ? `${failing} failing` : String(tests)) : undefined, tone: failing ? 'error' : undefined },
    { id: 'versions', label: 'Versions' },
  ];

  return (
    <section className={`drawer ${tab ? 'open' : ''}`} aria-label="Bottom panel">
      <div className="drawer-tabs" role="tablist">
        {tabs.map((t) => (
          <button type="button" key={t.id} role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'active' : ''} onClick={() => store.getState().toggleDrawer(t.id)}>
            {t.label}
            {t.badge !== undefined && <span className={`tab-badge ${t.tone ? `tone-${t.tone}` : ''}`}>{t.badge}</span>}
          </button>
        ))}
        <span className="spacer" />
        {tab && <button type="button" className="icon-btn" onClick={() => store.getState().openDrawer(null)} aria-label="Close panel" title="Close">▾</button>}
      </div>
      {tab && (
        <div className="drawer-body" role="tabpanel">
          {tab === 'problems' && <ProblemsPanel />}
          {tab === 'samples' && <SamplesPanel />}
          {tab === 'results' && <TestResultsPanel />}
          {tab === 'tests' && <MappingTestsPanel />}
          {tab === 'versions' && <Suspense fallback={<p className="muted">Loading versions…</p>}><VersionsPanel /></Suspense>}
        </div>
      )}
    </section>
  );
}
