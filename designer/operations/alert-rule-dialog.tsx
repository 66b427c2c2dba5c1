/** Creates or changes an alert rule: which flow and environment, when it fires, and where the alert goes. */
import { useId, useState } from 'react';
import type { AlertChannel, AlertCondition } from '../../runtime/api/contract/enums.ts';
import type { AlertRule, AlertRuleInput } from '../../runtime/api/contract/alert-schemas.ts';
import { errorMessage } from '../api-client.ts';
import { Dialog } from '../shell/dialog.tsx';

/** What each condition means, and what its threshold counts (null: it has none). */
export const CONDITIONS: Record<AlertCondition, { label: string; threshold: string | null }> = {
  'run-failed': { label: 'A run failed', threshold: null },
  'exceptions-above': { label: 'A run completed with more exceptions than', threshold: 'exceptions' },
  'reconciliation-open': { label: "A run's reconciliation does not close", threshold: null },
  'dead-letters-aged': { label: 'Open dead letters older than', threshold: 'hours' },
  'source-silent': { label: 'No run (the source is silent) for', threshold: 'hours' },
};

const CHANNELS: Record<AlertChannel, { label: string; target: string; placeholder: string }> = {
  webhook: { label: 'Webhook (JSON, signed)', target: 'URL', placeholder: 'https://ops.example/ledgerflow-alerts' },
  slack: { label: 'Slack-compatible webhook', target: 'Incoming webhook URL', placeholder: 'https://hooks.slack.com/services/…' },
  email: { label: 'E-mail (SMTP connection)', target: 'Recipients (comma-separated)', placeholder: 'ops@example.com, finance@example.com' },
};

export interface AlertRuleDialogProps {
  rule?: AlertRule;
  flows: { id: string; name: string }[];
  environments: string[];
  /** smtp connection names per environment; null when this user cannot list connections (admins can). */
  smtpConnections: Record<string, string[]> | null;
  onSave: (body: AlertRuleInput) => Promise<unknown>;
  onClose: () => void;
  onDone: () => void;
}

export function AlertRuleDialog({ rule, flows, environments, smtpConnections, onSave, onClose, onDone }: AlertRuleDialogProps) {
  const [form, setForm] = useState({
    name: rule?.name ?? '', flowId: rule?.flowId ?? flows[0]?.id ?? '', environment: rule?.environment ?? environments[0] ?? '',
    condition: rule?.condition ?? 'run-failed' as AlertCondition, threshold: String(rule?.threshold ?? 1), channel: rule?.channel ?? 'webhook' as AlertChannel,
    target: rule?.target ?? '', connection: rule?.connection ?? '', secret: '', enabled: rule?.enabled ?? true,
  });
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const condition = CONDITIONS[form.condition];
  const channel = CHANNELS[form.channel];
  const smtp = smtpConnections?.[form.environment] ?? [];
  const save = () => {
    setBusy(true);
    setError(null);
    onSave({
      name: form.name.trim(), flowId: form.flowId, environment: form.environment, condition: form.condition,
      threshold: condition.threshold ? Number(form.threshold) : 0, channel: form.channel, target: form.target.trim(),
      connection: form.channel === 'email' ? form.connection || null : null, ...(form.channel === 'webhook' && form.secret ? { secret: form.secret } : {}), enabled: form.enabled,
    }).then(onDone, (err) => { setError(errorMessage(err)); setBusy(false); });
  };
  const ready = form.name.trim() !== '' && form.flowId !== '' && form.target.trim() !== '';
  return (
    <Dialog title={rule ? `Change alert rule ${rule.name}` : 'New alert rule'} onClose={onClose} width={560} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-primary" onClick={save} disabled={!ready || busy}>{busy ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}</button>
    </>}>
      <form onSubmit={(e) => { e.preventDefault(); if (ready) save(); }}>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={form.name} maxLength={100} onChange={(e) => set({ name: e.target.value })} placeholder="Payments to ERP failed in prod" />
        </div>
        <div className="alert-form-row">
          <div className="field">
            <label className="field-label" htmlFor={`${id}-flow`}>Flow</label>
            <select id={`${id}-flow`} value={form.flowId} onChange={(e) => set({ flowId: e.target.value })}>{flows.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}</select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-env`}>Environment</label>
            <select id={`${id}-env`} value={form.environment} onChange={(e) => set({ environment: e.target.value })}>{environments.map((e) => <option key={e} value={e}>{e}</option>)}</select>
          </div>
        </div>
        <div className="alert-form-row">
          <div className="field">
            <label className="field-label" htmlFor={`${id}-when`}>When</label>
            <select id={`${id}-when`} value={form.condition} onChange={(e) => set({ condition: e.target.value as AlertCondition })}>
              {(Object.keys(CONDITIONS) as AlertCondition[]).map((c) => <option key={c} value={c}>{CONDITIONS[c].label}</option>)}
            </select>
          </div>
          {condition.threshold && (
            <div className="field alert-threshold">
              <label className="field-label" htmlFor={`${id}-threshold`}>Threshold ({condition.threshold})</label>
              <input id={`${id}-threshold`} type="number" min={condition.threshold === 'hours' ? 1 : 0} value={form.threshold} onChange={(e) => set({ threshold: e.target.value })} />
            </div>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-channel`}>Send to</label>
          <select id={`${id}-channel`} value={form.channel} onChange={(e) => set({ channel: e.target.value as AlertChannel })}>
            {(Object.keys(CHANNELS) as AlertChannel[]).map((c) => <option key={c} value={c}>{CHANNELS[c].label}</option>)}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-target`}>{channel.target}</label>
          <input id={`${id}-target`} value={form.target} maxLength={2000} placeholder={channel.placeholder} onChange={(e) => set({ target: e.target.value })} />
        </div>
        {form.channel === 'webhook' && (
          <div className="field">
            <label className="field-label" htmlFor={`${id}-secret`}>Signing secret{rule?.hasSecret ? ' (leave empty to keep the current one)' : ''}</label>
            <input id={`${id}-secret`} type="password" autoComplete="new-password" value={form.secret} maxLength={1024} onChange={(e) => set({ secret: e.target.value })} />
            <span className="field-help">At least 16 characters. Each alert carries X-Ledgerflow-Signature: sha256=HMAC(secret, timestamp + "." + body) and X-Ledgerflow-Timestamp; it is not shown again.</span>
          </div>
        )}
        {form.channel === 'email' && (
          <div className="field">
            <label className="field-label" htmlFor={`${id}-smtp`}>SMTP connection in {form.environment}</label>
            {smtpConnections ? (
              <select id={`${id}-smtp`} value={form.connection} onChange={(e) => set({ connection: e.target.value })}>
                <option value="">Choose…</option>
                {smtp.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            ) : <input id={`${id}-smtp`} value={form.connection} maxLength={200} placeholder="mail" onChange={(e) => set({ connection: e.target.value })} />}
            {smtpConnections && smtp.length === 0 && <span className="field-help">{form.environment} binds no smtp connection yet: an admin adds one under Admin → Connections.</span>}
            {!smtpConnections && <span className="field-help">The name of an smtp connection bound in {form.environment} (admins bind them under Admin → Connections); the server checks it.</span>}
          </div>
        )}
        <label className="field field-inline">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          <span>Enabled</span>
        </label>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
      {error && <div className="callout callout-error" role="alert">{error}</div>}
    </Dialog>
  );
}
