/** Replay (against the version that failed, or the one deployed now) and discard-with-reason dialogs. */
import { useState } from 'react';
import { errorMessage } from '../api-client.ts';
import { Dialog } from '../shell/dialog.tsx';
import type { ReplayAgainst, ReplayReference } from '../../runtime/api/contract/enums.ts';

export function ReplayDialog({ count, failedVersions, deployedVersion, environment, onReplay, onClose }: {
  count: number; failedVersions: number[]; deployedVersion: number | null; environment: string | null;
  onReplay: (against: ReplayAgainst, reference: ReplayReference) => Promise<void>; onClose: () => void;
}) {
  const oneFailed = failedVersions.length === 1 ? failedVersions[0] : null;
  const [against, setAgainst] = useState<ReplayAgainst>(deployedVersion !== null ? 'deployed' : 'failed-version');
  const [reference, setReference] = useState<ReplayReference>('current');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = () => {
    setBusy(true);
    onReplay(against, reference).then(onClose, (err) => { setError(errorMessage(err)); setBusy(false); });
  };
  return (
    <Dialog title={`Replay ${count} dead letter${count === 1 ? '' : 's'}`} onClose={onClose} width={520} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-primary" onClick={go} disabled={busy}>{busy ? 'Queuing…' : 'Replay'}</button>
    </>}>
      <fieldset className="choice-cards">
        <legend className="field-label">Run the records through</legend>
        <label className={`choice-card ${against === 'deployed' ? 'checked' : ''}`}>
          <input type="radio" name="against" checked={against === 'deployed'} disabled={deployedVersion === null} onChange={() => setAgainst('deployed')} />
          <strong>The version deployed now</strong>
          <span className="muted small">{deployedVersion !== null ? `Version ${deployedVersion} in ${environment}: use this after a fix was deployed.` : `Nothing is deployed in ${environment}.`}</span>
        </label>
        <label className={`choice-card ${against === 'failed-version' ? 'checked' : ''}`}>
          <input type="radio" name="against" checked={against === 'failed-version'} disabled={oneFailed === null} onChange={() => setAgainst('failed-version')} />
          <strong>The version that failed</strong>
          <span className="muted small">{oneFailed !== null ? `Version ${oneFailed}: for transient failures (a target that was down).` : 'The selection failed in several versions.'}</span>
        </label>
      </fieldset>
      <fieldset className="choice-cards">
        <legend className="field-label">Reference (master) data</legend>
        <label className={`choice-card ${reference === 'as-it-was' ? 'checked' : ''}`}>
          <input type="radio" name="reference" checked={reference === 'as-it-was'} onChange={() => setReference('as-it-was')} />
          <strong>As it was</strong>
          <span className="muted small">The reference data as loaded when the records failed: the same evaluation again.</span>
        </label>
        <label className={`choice-card ${reference === 'current' ? 'checked' : ''}`}>
          <input type="radio" name="reference" checked={reference === 'current'} onChange={() => setReference('current')} />
          <strong>Re-evaluate with current reference data</strong>
          <span className="muted small">Use this after the master data was fixed (a missing supplier or cost centre). Recorded in the audit log.</span>
        </label>
      </fieldset>
      <p className="muted small" style={{ marginTop: 12 }}>Replay is safe to repeat: records a target already holds are skipped and counted as duplicates; of a record that fanned out, only the selected items run again. A record that fails again keeps its one dead letter, with one more attempt. The replay is recorded in the audit log.</p>
      {error && <div className="callout callout-error">{error}</div>}
    </Dialog>
  );
}

export function DiscardDialog({ count, onDiscard, onClose }: { count: number; onDiscard: (reason: string) => Promise<void>; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = () => {
    setBusy(true);
    onDiscard(reason.trim()).then(onClose, (err) => { setError(errorMessage(err)); setBusy(false); });
  };
  return (
    <Dialog title={`Discard ${count} dead letter${count === 1 ? '' : 's'}`} onClose={onClose} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-danger" onClick={go} disabled={busy || !reason.trim()}>Discard</button>
    </>}>
      <label className="field">
        <span className="field-label">Reason<span className="required">*</span></span>
        <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. test invoice sent by the supplier by mistake" autoFocus />
        <span className="field-help">Discarded records are not replayed. The reason is kept with the record and in the audit log.</span>
      </label>
      {error && <div className="callout callout-error">{error}</div>}
    </Dialog>
  );
}
