/**
 * One promotion before it is decided: what it brings, the four-eyes rule as
 * it applies to you, and the impact preview — the records the environment ran
 * last, run again through the new version, compared one by one. Approve and
 * reject ask for confirmation in the app.
 */
import { useState } from 'react';
import type { ImpactPreview, Promotion } from '../../runtime/api/contract/schemas.ts';
import { ApiError } from '../api-client.ts';
import { navigate } from '../router.ts';
import { useAsync } from '../runs/use-async.ts';
import { useSession } from '../session.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { cellText, relativeTime } from '../shell/format.ts';
import { fourEyesRule } from '../versions/deploy-rules.ts';
import { AdminPage } from './admin-tabs.tsx';
import { announcePromotionsChanged } from './pending-promotions.ts';

async function findPromotion(api: ReturnType<typeof useSession>['api'], id: string): Promise<Promotion | null> {
  for (const status of ['pending', 'approved', 'rejected'] as const) {
    const hit = (await api.promotions(status)).items.find((p) => p.id === id);
    if (hit) return hit;
  }
  return null;
}

export default function PromotionReviewPage({ params }: { params: Record<string, string> }) {
  const { api } = useSession();
  const promotion = useAsync(() => findPromotion(api, params.id), [api, params.id]);
  const p = promotion.data;
  const impact = useAsync<ImpactPreview | { nothingDeployed: string } | null>(
    () => (p ? api.impactPreview(p.flowId, p.version, p.environment).catch((err) => {
      if (err instanceof ApiError && err.status === 409) return { nothingDeployed: err.message };
      throw err;
    }) : Promise.resolve(null)),
    [api, p?.id],
  );
  const [confirm, setConfirm] = useState<'approve' | 'reject' | null>(null);
  const decided = () => { announcePromotionsChanged(); navigate('/admin/promotions'); };

  if (promotion.error) return <AdminPage title="Promotion" intro=""><div className="callout callout-error">{promotion.error}</div></AdminPage>;
  if (!p) return <AdminPage title="Promotion" intro={promotion.loading ? 'Loading…' : `There is no promotion ${params.id}.`}>{null}</AdminPage>;

  return (
    <AdminPage title={`Promote ${p.flowId} v${p.version} to ${p.environment}`} intro={`Requested by ${p.requestedBy} ${relativeTime(p.requestedAt)} · changes by ${p.authors.join(', ') || 'unknown'}`} actions={p.status === 'pending' && <>
      <a className="btn" href={`#/flows/${encodeURIComponent(p.flowId)}`}>Open the flow</a>
      <button type="button" className="btn" onClick={() => setConfirm('reject')}>Reject…</button>
      <button type="button" className="btn btn-primary" disabled={!p.canApprove} title={p.cannotApproveReason} onClick={() => setConfirm('approve')}>Approve…</button>
    </>}>
      <div className="rule-note" role="note"><strong>Four-eyes rule:</strong> {fourEyesRule(p.environment)}</div>
      {p.status === 'pending' && !p.canApprove && <div className="callout callout-warning">You cannot approve this promotion: {p.cannotApproveReason}</div>}
      {p.status !== 'pending' && <div className="callout callout-info">This promotion was {p.status} by {p.decidedBy} {relativeTime(p.decidedAt)}{p.reason ? `: ${p.reason}` : ''}.</div>}
      <h2>Impact preview</h2>
      {impact.loading && !impact.data && <p className="muted">Running the records {p.environment} ran last through v{p.version}… (nothing is written)</p>}
      {impact.error && <div className="callout callout-error">{impact.error}</div>}
      {impact.data && 'nothingDeployed' in impact.data && <div className="callout callout-info">{impact.data.nothingDeployed} Approving makes v{p.version} the first version in {p.environment}.</div>}
      {impact.data && 'records' in impact.data && <ImpactView impact={impact.data} />}
      {confirm === 'approve' && (
        <ConfirmDialog title={`Approve v${p.version} for ${p.environment}`} confirmLabel={`Approve and deploy to ${p.environment}`} onConfirm={() => api.approvePromotion(p.id).then(decided)} onClose={() => setConfirm(null)}>
          <p>v{p.version} of {p.flowId} goes live in <strong>{p.environment}</strong> at once; the next runs there use it. Your approval is recorded in the audit log.</p>
        </ConfirmDialog>
      )}
      {confirm === 'reject' && (
        <ConfirmDialog title={`Reject v${p.version} for ${p.environment}`} confirmLabel="Reject" danger reason={{ label: 'Why is it rejected? (the requester reads this)' }} onConfirm={(reason) => api.rejectPromotion(p.id, reason).then(decided)} onClose={() => setConfirm(null)}>
          <p>{p.environment} keeps the version it runs now.</p>
        </ConfirmDialog>
      )}
    </AdminPage>
  );
}

function ImpactView({ impact }: { impact: ImpactPreview }) {
  const changed = impact.records.filter((r) => r.changed);
  return (
    <>
      <div className="impact-figures stat-cards">
        <div className="stat-card"><span className="stat-label">Records compared</span><span className="stat-value">{impact.compared}</span></div>
        <div className={`stat-card ${impact.changed ? 'tone-warn' : 'tone-ok'}`}><span className="stat-label">Output changes</span><span className="stat-value">{impact.changed}</span></div>
        <div className={`stat-card ${impact.newlyInvalid ? 'tone-err' : ''}`}><span className="stat-label">Newly invalid</span><span className="stat-value">{impact.newlyInvalid}</span></div>
        <div className="stat-card"><span className="stat-label">Newly valid</span><span className="stat-value">{impact.newlyValid}</span></div>
      </div>
      <p className="muted small">v{impact.deployedVersion} (running in {impact.environment}) against v{impact.version}, on the records of its last runs.</p>
      {changed.length > 0 && (
        <table className="flows-table ops-table" aria-label="Changed records">
          <thead><tr><th>Record</th><th>Outcome</th><th>Field</th><th>Now</th><th>With v{impact.version}</th></tr></thead>
          <tbody>
            {changed.flatMap((r) => (r.differences.length ? r.differences : [{ path: '', kind: 'changed', expected: r.before.output, actual: r.after.output }]).map((d, i) => (
              <tr key={`${r.lineageKey}:${i}`}>
                <td className="mono">{i === 0 ? r.businessKey ?? r.lineageKey : ''}</td>
                <td>{i === 0 ? `${r.before.outcome ?? '—'} → ${r.after.outcome ?? '—'}` : ''}</td>
                <td className="mono">{d.path || '(whole output)'}</td>
                <td className="mono"><span className="truncate" title={cellText(d.expected, 2000)}>{cellText(d.expected)}</span></td>
                <td className="mono"><span className="truncate" title={cellText(d.actual, 2000)}>{cellText(d.actual)}</span></td>
              </tr>
            )))}
          </tbody>
        </table>
      )}
    </>
  );
}
