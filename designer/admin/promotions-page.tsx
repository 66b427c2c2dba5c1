/** The promotions inbox (admin): pending promotions first, whether you may approve each (four-eyes), and the ones decided. */
import { useState } from 'react';
import type { PromotionStatus } from '../../runtime/api/contract/enums.ts';
import type { Promotion } from '../../runtime/api/contract/schemas.ts';
import { navigate } from '../router.ts';
import { useAsync } from '../runs/use-async.ts';
import { useSession } from '../session.tsx';
import { relativeTime } from '../shell/format.ts';
import { AdminPage } from './admin-tabs.tsx';

export function PromotionsPage() {
  const { api } = useSession();
  const [status, setStatus] = useState<PromotionStatus>('pending');
  const list = useAsync(() => api.promotions(status), [api, status]);
  const flows = useAsync(() => api.listFlows(), [api]);
  const name = (id: string) => flows.data?.items.find((f) => f.id === id)?.name ?? id;
  const tabs: { status: PromotionStatus; label: string }[] = [{ status: 'pending', label: 'Waiting for approval' }, { status: 'approved', label: 'Approved' }, { status: 'rejected', label: 'Rejected' }];

  return (
    <AdminPage title="Promotions" intro="Versions waiting to go to an environment that needs approval. Open one to see its impact on the records the environment ran before approving.">
      <div className="status-tabs" role="tablist" aria-label="Promotions by status">
        {tabs.map((t) => <button key={t.status} type="button" role="tab" aria-selected={status === t.status} className={status === t.status ? 'active' : ''} onClick={() => setStatus(t.status)}>{t.label}</button>)}
      </div>
      {list.error && <div className="callout callout-error">{list.error}</div>}
      {list.data && list.data.items.length === 0 && <div className="empty-state"><h2>{status === 'pending' ? 'Nothing waits for approval' : `No ${status} promotions`}</h2></div>}
      {list.data && list.data.items.length > 0 && (
        <table className="flows-table ops-table">
          <thead><tr><th>Flow</th><th>Version</th><th>To</th><th>Requested</th><th>Changes by</th><th>{status === 'pending' ? 'You may approve' : 'Decided'}</th></tr></thead>
          <tbody>
            {list.data.items.map((p) => <PromotionRow key={p.id} p={p} flowName={name(p.flowId)} />)}
          </tbody>
        </table>
      )}
    </AdminPage>
  );
}

function PromotionRow({ p, flowName }: { p: Promotion; flowName: string }) {
  const open = () => navigate(`/admin/promotions/${encodeURIComponent(p.id)}`);
  return (
    <tr className="clickable" onClick={open} data-promotion={p.id}>
      <td><a className="truncate" title={flowName} href={`#/admin/promotions/${encodeURIComponent(p.id)}`} onClick={(e) => e.stopPropagation()}>{flowName}</a></td>
      <td><span className="version-pill">v{p.version}</span></td>
      <td><span className={`env-badge env-${p.environment}`}><span className="env-name">{p.environment}</span></span></td>
      <td title={p.requestedAt}>{p.requestedBy}, {relativeTime(p.requestedAt)}</td>
      <td>{p.authors.join(', ') || '—'}</td>
      <td>
        {p.status === 'pending'
          ? (p.canApprove ? <span className="check-ok">Yes</span> : <span className="muted" title={p.cannotApproveReason}>No — {p.cannotApproveReason}</span>)
          : <span>{p.status} by {p.decidedBy}{p.reason ? `: ${p.reason}` : ''}</span>}
      </td>
    </tr>
  );
}
