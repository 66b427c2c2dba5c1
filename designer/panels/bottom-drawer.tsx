/** The bottom drawer: problems, samples, test results, mapping tests, versions. */
import { lazy, Suspense, type KeyboardEvent } from 'react';
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
      <div className="drawer-tabs">
        {/* Arrow keys move between the tabs, as in any tab list. */}
        <div className="drawer-tablist" role="tablist" aria-label="Bottom panel" onKeyDown={moveBetweenTabs}>
          {tabs.map((t) => (
            <button type="button" key={t.id} id={`drawer-tab-${t.id}`} role="tab" aria-selected={tab === t.id} tabIndex={tab === t.id || (!tab && t.id === tabs[0].id) ? 0 : -1} className={tab === t.id ? 'active' : ''} onClick={() => store.getState().toggleDrawer(t.id)}>
              {t.label}
              {t.badge !== undefined && <span className={`tab-badge ${t.tone ? `tone-${t.tone}` : ''}`}>{t.badge}</span>}
            </button>
          ))}
        </div>
        <span className="spacer" />
        {tab && <button type="button" className="icon-btn" onClick={() => store.getState().openDrawer(null)} aria-label="Close panel" title="Close">▾</button>}
      </div>
      {tab && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the panel scrolls; keyboard users reach its content by focusing it
        <div className="drawer-body" role="tabpanel" aria-labelledby={`drawer-tab-${tab}`} tabIndex={0}>
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

/** ArrowLeft/ArrowRight (Home/End) on a tab focuses the previous/next (first/last) one. */
function moveBetweenTabs(e: KeyboardEvent<HTMLDivElement>): void {
  const tabs = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const next = e.key === 'ArrowRight' ? (at + 1) % tabs.length : e.key === 'ArrowLeft' ? (at - 1 + tabs.length) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
  if (next < 0) return;
  e.preventDefault();
  tabs[next].focus();
}
