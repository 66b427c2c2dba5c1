/**
 * Under an environment of the deploy dialog: what would fail there. Where the
 * user may look into the environment's database, the server's full check
 * (unbound connections, missing tables and columns, constants and stored
 * samples' values their columns cannot hold); elsewhere the unbound connections alone.
 */
import type { Environment, ProblemItem } from '../../runtime/api/contract/schemas.ts';
import { useEditor } from '../editor-context.tsx';
import { mayInspect, useEnvironmentChecks } from './environment-checks.ts';

export function EnvironmentCheckNotes({ env, version, unbound }: { env: Environment; version: number; unbound: ProblemItem[] }) {
  const { api, flowId, user } = useEditor();
  const inspect = mayInspect(user.role, env);
  const { checks, error, loading } = useEnvironmentChecks(api, flowId, inspect ? env.name : null, version, null);
  const problems = checks?.problems ?? unbound;
  return (
    <div className="env-row-checks" data-testid={`env-checks-${env.name}`} aria-busy={loading}>
      {problems.map((p) => <div key={`${p.path}:${p.message}`} className="env-row-problem text-error small" role="note">⚠ {p.message}</div>)}
      {error && <div className="env-row-problem muted small" role="note">The database of {env.name} was not checked: {error}</div>}
      {inspect && checks && problems.length === 0 && checks.checkedTargets > 0 && (
        <div className="muted small">✓ Tables and columns checked against {env.name}'s database{checks.checkedSamples.length ? `, with the values of the stored sample${checks.checkedSamples.length === 1 ? '' : 's'} ${checks.checkedSamples.join(', ')}` : ''}.</div>
      )}
    </div>
  );
}
