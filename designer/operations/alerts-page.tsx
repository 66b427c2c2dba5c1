/**
 * Alerts: the notification rules per flow and environment (operators and
 * admins create, change and delete them; the server enforces it) and the
 * alerts they raised, with how each was delivered and a link to its run.
 */
import { useState } from 'react';
import type { AlertStatus } from '../../runtime/api/contract/enums.ts';
import type { AlertRule } from '../../runtime/api/contract/alert-schemas.ts';
import { useAsync } from '../runs/use-async.ts';
import { formatDateTime } from '../runs/ops-format.ts';
import { useSession } from '../session.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { CursorPager } from '../shell/cursor-pager.tsx';
import { AlertRuleDialog, CONDITIONS } from './alert-rule-dialog.tsx';
import './operations.css';
import './alerts.css';

const STATUS_CHIP: Record<AlertStatus, string> = { sent: 'chip-added', pending: 'chip-warning', failed: 'chip-removed' };

type Pending = { kind: 'create' } | { kind: 'edit'; rule: AlertRule } | { kind: 'delete'; rule: AlertRule };

export function AlertsPage() {
  const { api, user } = useSession();
  const manages = user.role === 'operator' || user.role === 'admin';
  const [flow, setFlow] = useState('');
  const [status, setStatus] = useState<AlertStatus | ''>('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const [pending, setPending] = useState<Pending | null>(null);
  const flows = useAsync(() => api.listFlows(), [api]);
  const envs = useAsync(() => api.environments(), [api]);
  const rules = useAsync(() => api.alertRules({ flow: flow || undefined }), [api, flow]);
  const alerts = useAsync(() => api.alerts({ flow: flow || undefined, status: status || undefined, cursor, limit: 50 }), [api, flow, status, cursor]);
  // Only admins may list connections; others type the smtp connection's name.
  const smtp = useAsync(async () => {
    if (user.role !== 'admin') return null;
    const byEnv: Record<string, string[]> = {};
    for (const c of (await api.connections()).items) if (c.kind === 'smtp') (byEnv[c.environment] ??= []).push(c.name);
    return byEnv;
  }, [api, user.role]);
  const names = new Map((flows.data?.items ?? []).map((f) => [f.id, f.name]));
  const close = () => setPending(null);
  const done = () => { close(); rules.reload(); };

  return (
    <main className="ops-page ops-wide">
      <div className="home-header">
        <div>
          <h1>Alerts</h1>
          <p className="muted">Who is told, and how, when a run fails or ends with too many exceptions, its reconciliation does not close, dead letters age, or a source goes silent. One alert per incident, with a link to the run.</p>
        </div>
        {manages && <button type="button" className="btn btn-primary" onClick={() => setPending({ kind: 'create' })} disabled={!flows.data?.items.length}>New rule…</button>}
      </div>
      <div className="filter-bar">
        <select aria-label="Flow" value={flow} onChange={(e) => { setFlow(e.target.value); setCursors([null]); }}>
          <option value="">All flows</option>
          {flows.data?.items.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
        </select>
      </div>

      <h2 className="alerts-heading">Rules</h2>
      {rules.error && <div className="callout callout-error">{rules.error}</div>}
      {rules.data && rules.data.items.length === 0 && <p className="muted">No rules{flow ? ' for this flow' : ''} yet.{manages ? ' Create one with New rule….' : ' Operators and admins create them.'}</p>}
      {rules.data && rules.data.items.length > 0 && (
        <table className="flows-table ops-table" aria-label="Alert rules">
          <thead><tr><th>Rule</th><th>Flow</th><th>Env</th><th>When</th><th>Send to</th><th>Status</th>{manages && <th><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {rules.data.items.map((r) => (
              <tr key={r.id} data-rule={r.name}>
                <td><strong>{r.name}</strong><div className="flow-meta">by {r.updatedBy}</div></td>
                <td>{names.get(r.flowId) ?? r.flowId}</td>
                <td><span className={`env-badge env-${r.environment}`}><span className="env-name">{r.environment}</span></span></td>
                <td>{CONDITIONS[r.condition].label}{CONDITIONS[r.condition].threshold ? ` ${r.threshold} ${CONDITIONS[r.condition].threshold}` : ''}</td>
                <td><span className="kind-pill">{r.channel}</span> <span className="alert-target mono small" title={r.target}>{r.target}{r.connection ? ` via ${r.connection}` : ''}</span></td>
                <td>{r.enabled ? <span className="chip chip-added">Enabled</span> : <span className="chip">Paused</span>}</td>
                {manages && (
                  <td>
                    <span className="row-buttons">
                      <button type="button" className="btn btn-small" onClick={() => setPending({ kind: 'edit', rule: r })} aria-label={`Change rule ${r.name}`}>Change…</button>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => setPending({ kind: 'delete', rule: r })} aria-label={`Delete rule ${r.name}`}>Delete…</button>
                    </span>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div className="filter-bar">
        <h2 className="alerts-heading">Sent alerts</h2>
        <span className="spacer" />
        <select aria-label="Delivery status" value={status} onChange={(e) => { setStatus(e.target.value as AlertStatus | ''); setCursors([null]); }}>
          <option value="">Any status</option>
          <option value="sent">Sent</option>
          <option value="pending">Retrying</option>
          <option value="failed">Failed</option>
        </select>
        <button type="button" className="btn btn-small" onClick={alerts.reload}>Refresh</button>
      </div>
      {alerts.error && <div className="callout callout-error">{alerts.error}</div>}
      {alerts.data && alerts.data.items.length === 0 && <p className="muted">No alert has been raised{flow ? ' for this flow' : ''}.</p>}
      {alerts.data && alerts.data.items.length > 0 && (
        <table className="flows-table ops-table" aria-label="Sent alerts">
          <thead><tr><th>Raised</th><th>Rule</th><th>What happened</th><th>Run</th><th>Delivery</th></tr></thead>
          <tbody>
            {alerts.data.items.map((a) => {
              const last = a.attempts[a.attempts.length - 1];
              return (
                <tr key={a.id} data-alert={a.id}>
                  <td className="nowrap">{formatDateTime(a.openedAt)}{a.resolvedAt && <div className="flow-meta">resolved {formatDateTime(a.resolvedAt)}</div>}</td>
                  <td>{a.ruleName}<div className="flow-meta"><span className="kind-pill">{a.channel}</span> {a.environment}</div></td>
                  <td><div className="alert-summary" title={a.summary}>{a.summary}</div></td>
                  <td>{a.runId ? <a href={`#/runs/${encodeURIComponent(a.runId)}`} className="mono small">{a.runId}</a> : '—'}</td>
                  <td title={a.attempts.map((t) => `${formatDateTime(t.at)}: ${t.ok ? 'delivered' : 'failed'} — ${t.detail}`).join('\n')}>
                    <span className={`chip ${STATUS_CHIP[a.status]}`}>{a.status === 'pending' ? 'Retrying' : a.status === 'sent' ? 'Sent' : 'Failed'}</span>
                    <div className="flow-meta">{a.attempts.length} attempt{a.attempts.length === 1 ? '' : 's'}{last ? ` · ${last.detail}` : ''}</div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {alerts.data && <CursorPager cursors={cursors} nextCursor={alerts.data.nextCursor} onChange={setCursors} />}

      {(pending?.kind === 'create' || pending?.kind === 'edit') && flows.data && envs.data && (
        <AlertRuleDialog
          rule={pending.kind === 'edit' ? pending.rule : undefined}
          flows={flows.data.items} environments={envs.data.items.map((e) => e.name)} smtpConnections={smtp.data ?? null}
          onSave={(body) => (pending.kind === 'edit' ? api.updateAlertRule(pending.rule.id, body) : api.createAlertRule(body))}
          onClose={close} onDone={done}
        />
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog title="Delete alert rule" confirmLabel="Delete rule" danger onConfirm={() => api.deleteAlertRule(pending.rule.id).then(() => { rules.reload(); alerts.reload(); })} onClose={close}>
          <p>Nobody is told any more when {CONDITIONS[pending.rule.condition].label.toLowerCase()} in {pending.rule.flowId} ({pending.rule.environment}). The alerts it raised are deleted with it; the audit log keeps the rule and every alert sent.</p>
        </ConfirmDialog>
      )}
    </main>
  );
}
