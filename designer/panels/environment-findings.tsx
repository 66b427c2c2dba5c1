/**
 * The problems panel's part checked on the server: the saved draft against the
 * first environment — connections it does not bind, and each table target
 * against that environment's database (missing table or column, a constant
 * its column cannot hold, and the values the flow's stored samples give each
 * column that its type cannot hold). Found before a run fails on them, not after.
 */
import type { ProblemItem } from '../../runtime/api/contract/schemas.ts';
import { useEditor } from '../editor-context.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { useEnvironmentChecks } from '../versions/environment-checks.ts';

const problemKind = (p: ProblemItem) => (p.path.startsWith('/connections/') ? 'Not bound' : p.code === 'SAMPLE_VALUE_DOES_NOT_FIT' ? 'Sample value' : 'Database');

export function EnvironmentFindings() {
  const store = useDesignerStoreApi();
  const { api, flowId, environments } = useEditor();
  const draftRevision = useDesigner((s) => s.draftRevision);
  const first = [...environments].sort((a, b) => a.position - b.position)[0]?.name ?? null;
  const { checks, error, loading, reload } = useEnvironmentChecks(api, flowId, first, undefined, draftRevision);
  if (first === null) return null;
  const problems = checks?.problems ?? [];
  const samples = checks?.checkedSamples ?? [];
  return (
    <div className="problem-group" data-testid="environment-findings" aria-busy={loading}>
      <div className="problem-group-title">
        In {first} (its connections and database, saved draft)
        <button type="button" className="btn btn-small env-check-again" onClick={reload} disabled={loading}>{loading ? 'Checking…' : 'Check again'}</button>
      </div>
      {error && <p className="text-error small">{error}</p>}
      {checks && problems.length === 0 && (
        <p className="muted small">✓ {first} binds every connection{checks.checkedTargets ? ` and its database has every table and column the ${checks.checkedTargets === 1 ? 'table target writes' : `${checks.checkedTargets} table targets write`}` : ''}.</p>
      )}
      {checks && checks.checkedTargets > 0 && (
        <p className="muted small" data-testid="environment-findings-samples">
          {samples.length ? `Values checked against the column types: the records of the stored sample${samples.length === 1 ? '' : 's'} ${samples.join(', ')}.` : 'Load a sample (Sample data tab) to check the values of its records against the column types too.'}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="problem-list">
          {problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>
              <button type="button" className="problem" onClick={() => p.nodeId ? store.getState().focusProblem(p.nodeId, /^\/nodes\/\d+\/config(\/.*)?$/.exec(p.path)?.[1] ?? null) : store.getState().focusProblem(undefined, p.path)}>
                <span className="problem-code code-environment">{problemKind(p)}</span>
                <span>{p.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
