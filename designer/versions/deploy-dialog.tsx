/** Deploy or request promotion per environment, by role; pending promotions with the four-eyes rule visible. */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api-client.ts';
import type { ConnectionReadiness, Promotion } from '../../runtime/api/contract/schemas.ts';
import { useEditor } from '../editor-context.tsx';
import { Dialog } from '../shell/dialog.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';
import { relativeTime } from '../shell/format.ts';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import { approvalBlocker, deployOption } from './deploy-rules.ts';
import { EnvironmentCheckNotes } from './environment-check-notes.tsx';

export function DeployDialog() {
  const store = useDesignerStoreApi();
  const { api, flowId, user, environments, deployments, versions, latestVersion, reloadMeta } = useEditor();
  const [version, setVersion] = useState<number | null>(latestVersion);
  const [pending, setPending] = useState<Promotion[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<{ title: string; body: string; label: string; reason?: string; run: (reason: string) => Promise<unknown>; done: string } | null>(null);
  const close = () => store.getState().openDialog(null);
  const envs = [...environments].sort((a, b) => a.position - b.position);

  const loadPending = useCallback(() => {
    api.promotions('pending').then((r) => setPending(r.items.filter((p) => p.flowId === flowId)), () => setPending([]));
  }, [api, flowId]);
  useEffect(loadPending, [loadPending]);
  // Connections the chosen version uses that an environment does not bind: said before deploying, not when it runs.
  const [readiness, setReadiness] = useState<ConnectionReadiness | null>(null);
  useEffect(() => {
    if (version === null) return;
    let current = true;
    api.readiness(flowId, version).then((r) => { if (current) setReadiness(r); }, () => { if (current) setReadiness(null); });
    return () => { current = false; };
  }, [api, flowId, version]);

  const act = async (key: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(key);
    setError(null);
    try {
      await fn();
      store.getState().notify('success', done);
      await reloadMeta().catch(() => undefined);
      loadPending();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  /** Deploy, roll back, approve and reject are confirmed in the app first; the dialog shows the server's refusal. */
  const confirmThen = async (c: NonNullable<typeof confirming>, reason: string) => {
    await c.run(reason);
    store.getState().notify('success', c.done);
    await reloadMeta().catch(() => undefined);
    loadPending();
  };

  if (latestVersion === null || version === null) {
    return (
      <Dialog title="Deploy" onClose={close}>
        <p>Only saved versions can be deployed. Save a version of this flow first.</p>
        <button type="button" className="btn btn-primary" onClick={() => store.getState().openDialog('save-version')}>Save a version…</button>
      </Dialog>
    );
  }

  return (
    <Dialog title="Deploy and promote" onClose={close} width={640}>
      <label className="field">
        <span className="field-label">Version</span>
        <select value={version} onChange={(e) => setVersion(Number(e.target.value))}>
          {(versions ?? [{ version: latestVersion, message: '', author: '', createdAt: '', hash: '', testsPassed: null }]).map((v) => (
            <option key={v.version} value={v.version}>v{v.version}{v.message ? ` — ${v.message}` : ''}{v.testsPassed === false ? ' (tests failing)' : ''}</option>
          ))}
        </select>
      </label>
      <div className="env-rows">
        {envs.map((env) => {
          const live = deployments[env.name] ?? null;
          const option = deployOption(user.role, env, envs, version, live, pending);
          const key = `${env.name}:${version}`;
          return (
            <div key={env.name} className="env-row">
              <div className="env-row-head">
                <span className={`env-badge env-${env.name}`}><span className="env-name">{env.name}</span></span>
                <span className="muted small">{live === null ? 'Nothing deployed' : `Runs v${live}`}</span>
                {env.requiresApproval && <span className="chip">Approval required</span>}
              </div>
              <div className="env-row-action">
                {option.kind === 'deploy' && (
                  <button type="button" className="btn btn-primary btn-small" disabled={busy !== null} onClick={() => setConfirming({
                    title: option.label, label: option.label, done: `v${version} is live in ${env.name}.`,
                    body: `${env.name} runs ${live === null ? 'nothing yet' : `v${live}`} now; it runs v${version} from the next run on.`,
                    run: () => (live !== null && version < live ? api.rollback(flowId, env.name, version) : api.deploy(flowId, env.name, version)),
                  })}>{busy === key ? 'Deploying…' : option.label}</button>
                )}
                {option.kind === 'request' && (
                  <>
                    <button type="button" className="btn btn-small" disabled={busy !== null} onClick={() => act(key, () => api.requestPromotion(flowId, version, env.name), `Promotion of v${version} to ${env.name} requested.`)}>{busy === key ? 'Requesting…' : option.label}</button>
                    <span className="muted small">{option.why}</span>
                  </>
                )}
                {option.kind === 'pending' && <span className="chip chip-warning">Promotion requested by {option.promotion.requestedBy}</span>}
                {option.kind === 'none' && <span className="muted small">{option.why}</span>}
              </div>
              <EnvironmentCheckNotes env={env} version={version} unbound={readiness?.environments.find((r) => r.environment === env.name)?.problems ?? []} />
            </div>
          );
        })}
      </div>
      {pending.length > 0 && (
        <div className="promotions">
          <h3>Pending promotions</h3>
          {pending.map((p) => {
            const blocker = approvalBlocker(user.role, p);
            return (
              <div key={p.id} className="promotion">
                <div>
                  <strong>v{p.version} → {p.environment}</strong>
                  <div className="muted small">Requested by {p.requestedBy} {relativeTime(p.requestedAt)} · changes by {p.authors.join(', ') || 'unknown'}</div>
                  {blocker && <div className="four-eyes" role="note"><strong>Four-eyes rule:</strong> {blocker}</div>}
                </div>
                {user.role === 'admin' && (
                  <div className="button-row">
                    <button type="button" className="btn btn-primary btn-small" disabled={!!blocker || busy !== null} title={blocker ?? 'Deploys the version'} onClick={() => setConfirming({
                      title: `Approve v${p.version} for ${p.environment}`, label: `Approve and deploy to ${p.environment}`, done: `Approved: v${p.version} is live in ${p.environment}.`,
                      body: `v${p.version} goes live in ${p.environment} at once. The impact preview (Admin → Promotions) shows what changes on the records ${p.environment} ran last.`,
                      run: () => api.approvePromotion(p.id),
                    })}>Approve…</button>
                    <button type="button" className="btn btn-small" disabled={busy !== null} onClick={() => setConfirming({
                      title: `Reject v${p.version} for ${p.environment}`, label: 'Reject', done: 'Promotion rejected.', reason: 'Why is it rejected? (the requester reads this)',
                      body: `${p.environment} keeps the version it runs now.`, run: (reason) => api.rejectPromotion(p.id, reason),
                    })}>Reject…</button>
                  </div>
                )}
              </div>
            );
          })}
        </div>
      )}
      {error && <div className="callout callout-error">{error}</div>}
      {confirming && (
        <ConfirmDialog title={confirming.title} confirmLabel={confirming.label} reason={confirming.reason ? { label: confirming.reason } : undefined} onConfirm={(reason) => confirmThen(confirming, reason)} onClose={() => setConfirming(null)}>
          <p>{confirming.body}</p>
        </ConfirmDialog>
      )}
    </Dialog>
  );
}
