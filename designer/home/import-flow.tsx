/** Import a flow file (FlowDocument JSON); offers to overwrite the draft when the id exists. */
import { useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api-client.ts';
import type { FlowDocument } from '../../runtime/api/contract/schemas.ts';
import { useSession } from '../session.tsx';
import { ConfirmDialog } from '../shell/confirm-dialog.tsx';

export function ImportFlowButton({ onImported, onError }: { onImported: (id: string) => void; onError: (message: string) => void }) {
  const { api } = useSession();
  const input = useRef<HTMLInputElement>(null);
  const [replacing, setReplacing] = useState<FlowDocument | null>(null);

  async function importFile(file: File) {
    let doc: FlowDocument;
    try {
      doc = JSON.parse(await file.text()) as FlowDocument;
      if (!doc || typeof doc.id !== 'string' || !Array.isArray(doc.nodes)) throw new Error('no flow id or nodes');
    } catch (err) {
      onError(`${file.name} is not a Ledgerflow flow file (${(err as Error).message}).`);
      return;
    }
    try {
      await api.importFlow(doc);
      onImported(doc.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setReplacing(doc);
      else onError(errorMessage(err));
    }
  }

  return (
    <>
      <input ref={input} type="file" accept=".json,application/json" hidden aria-label="Flow file to import" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importFile(f); }} />
      <button type="button" className="btn" onClick={() => input.current?.click()}>Import…</button>
      {replacing && (
        <ConfirmDialog title="Replace the draft?" confirmLabel="Replace draft" onConfirm={() => api.importFlow(replacing, true).then(() => onImported(replacing.id))} onClose={() => setReplacing(null)}>
          <p>A flow with the id “{replacing.id}” exists. Replace its draft with this file? Its versions stay as they are.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
