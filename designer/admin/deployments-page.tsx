/**
 * Where each version of a flow runs, per environment, with its history and a
 * rollback for every environment. Environments that need approval (prod) are
 * rolled back through a promotion of the earlier version that a second admin
 * approves (four-eyes); the rule is stated beside the button.
 */
import { useState } from 'react';
import type { Environment } from '../../runtime/api/contract/schemas.ts';
import type { ResponseOf } from '../api-client.ts';
import { navigate, useLocation } from '../router.ts';
import { useAsync } from '../runs/use-async.ts';
import { useSession } from '../session.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { relativeTime } from '../shell/format.ts';
import { fourEyesRule } from '../versions/deploy-rules.ts';
import { AdminPage } from './admin-tabs.tsx';
import { announcePromotionsChanged } from './pending-promotions.ts';

type DeploymentHistoryEntry = ResponseOf<'GET /api/flows/{id}/deployments/history'>['items'][number];

export function DeploymentsPage() {
  const { api } = useSession();
  const { query } = useLocation();
  const flows = useAsync(() => api.listFlows(), [api]);
  const flowId = query.get('flow') ?? flows.data?.items[0]?.id ?? '';
  const envs = useAsync(() => api.environments(), [api]);
  const history = useAsync(() => (flowId ? api.deploymentHistory(flowId) : Promise.resolve({ items: [] })), [api, flowId]);
  const current = useAsync(() => (flowId ? api.deployments(flowId) : Promise.resolve({ items: [] })), [api, flowId]);
  const reload = () => { history.reload(); current.reload(); };

  return (
    <AdminPage title="Deployments" intro="What runs where, what ran before, and the way back: a rollback puts an earlier version that ran in that environment back in place.">
      <div className="filter-bar">
        <label className="field-inline">
          <span className="field-label">Flow</span>
          <select value={flowId} onChange={(e) => navigate(`/admin/deployments?flow=${encodeURIComponent(e.target.value)}`, { replace: true })}>
            {flows.data?.items.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </select>
        </label>
      </div>
      {history.error && <div className="callout callout-error">{history.error}</div>}
      <div className="env-cards">
        {[...(envs.data?.items ?? [])].sort((a, b) => a.position - b.position).map((env) => (
          <EnvironmentCard key={`${flowId}:${env.name}`} flowId={flowId} env={env} live={current.data?.items.find((d) => d.environment === env.name)?.version ?? null}
            history={(history.data?.items ?? []).filter((h) => h.environment === env.name)} onChanged={reload} />
        ))}
      </div>
    </AdminPage>
  );
}

function EnvironmentCard({ flowId, env, live, history, onChanged }: { flowId: string; env: Environment; live: number | null; history: DeploymentHistoryEntry[]; onChanged: () => void }) {
  const { api } = useSession();
  const earlier = [...new Set(history.map((h) => h.version))].filter((v) => v !== live).sort((a, b) => b - a);
  const [target, setTarget] = useState<number | ''>('');
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const chosen = target === '' ? earlier[0] : target;
  const rule = env.requiresApproval
    ? `Rolling back ${env.name} requests a promotion of the earlier version; ${fourEyesRule(env.name)}`
    : `Admins roll back ${env.name} directly${env.position === 0 ? ' (analysts too)' : ''}; it takes effect at once.`;

  const rollback = async () => {
    if (env.requiresApproval) {
      const p = await api.requestPromotion(flowId, chosen, env.name);
      announcePromotionsChanged();
      setNotice(`Rollback to v${chosen} requested (${p.id}); it waits in the promotions inbox for a second admin.`);
    } else {
      await api.rollback(flowId, env.name, chosen);
      setNotice(`${env.name} runs v${chosen} again.`);
    }
    onChanged();
  };

  return (
    <section className="env-card" aria-label={`Environment ${env.name}`} data-environment={env.name}>
      <div className="env-row-head">
        <span className={`env-badge env-${env.name}`}><span className="env-name">{env.name}</span></span>
        <strong>{live === null ? 'Nothing deployed' : `Runs v${live}`}</strong>
        {env.requiresApproval && <span className="chip">Approval required</span>}
      </div>
      {history.length > 0 && (
        <table className="mini-table">
          <thead><tr><th>Version</th><th>How</th><th>By</th><th>When</th></tr></thead>
          <tbody>
            {history.slice(0, 6).map((h, i) => (
              <tr key={i}><td>v{h.version}</td><td>{h.kind}</td><td>{h.deployedBy}</td><td title={h.deployedAt}>{relativeTime(h.deployedAt)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="rule-note" role="note">{rule}</div>
      {earlier.length === 0 ? <span className="muted small">No earlier version ran in {env.name}: nothing to roll back to.</span> : (
        <div className="button-row">
          <select aria-label={`Version to roll ${env.name} back to`} value={chosen} onChange={(e) => setTarget(Number(e.target.value))}>
            {earlier.map((v) => <option key={v} value={v}>v{v}</option>)}
          </select>
          <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>{env.requiresApproval ? `Request rollback of ${env.name}…` : `Roll back ${env.name}…`}</button>
        </div>
      )}
      {notice && <div className="callout callout-ok" role="status">{notice}</div>}
      {confirming && (
        <ConfirmDialog title={`Roll back ${env.name} to v${chosen}`} confirmLabel={env.requiresApproval ? 'Request the rollback' : `Roll back to v${chosen}`} danger onConfirm={rollback} onClose={() => setConfirming(false)}>
          <p>{env.name} runs v{live} now. {env.requiresApproval ? `After a second admin approves, it runs v${chosen}.` : `It runs v${chosen} from the next run on.`}</p>
          <p className="muted">{rule}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
