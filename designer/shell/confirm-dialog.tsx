/**
 * The app's confirmation before a change that matters (deploy, approve, roll
 * back, delete): an in-app dialog, never the browser's `confirm()`. The action
 * runs from the dialog; its error is shown in it, and it closes on success.
 * With `reason`, a required text the action receives (e.g. why a promotion is rejected).
 */
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api-client.ts';
import { Dialog } from './dialog.tsx';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
  reason?: { label: string };
  onConfirm: (reason: string) => Promise<unknown>;
  onClose: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, reason, onConfirm, onClose }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const go = () => {
    setBusy(true);
    setError(null);
    onConfirm(text.trim()).then(onClose, (err) => { setError(errorMessage(err)); setBusy(false); });
  };
  const blocked = busy || (reason !== undefined && text.trim() === '');
  return (
    <Dialog title={title} onClose={onClose} width={520} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} onClick={go} disabled={blocked}>{busy ? 'Working…' : confirmLabel}</button>
    </>}>
      <div className="confirm-body">{children}</div>
      {reason && (
        <label className="field">
          <span className="field-label">{reason.label}</span>
          <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} />
        </label>
      )}
      {error && <div className="callout callout-error" role="alert">{error}</div>}
    </Dialog>
  );
}
