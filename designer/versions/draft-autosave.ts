/**
 * Saves the draft to the server shortly after each change (never mid-drag),
 * so the draft on the server is what the analyst sees. `flush()` saves at
 * once, e.g. before saving a version.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, type ApiClient } from '../api-client.ts';
import type { DesignerStore } from '../store/designer-store.ts';
import type { SaveStatus } from '../editor-context.tsx';

const DELAY_MS = 800;

export function useDraftAutosave(store: DesignerStore, api: ApiClient, flowId: string, enabled: boolean) {
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const save = useCallback(async (): Promise<void> => {
    if (inFlight.current) await inFlight.current;
    const s = store.getState();
    if (!s.document || s.revision === s.savedRevision) return;
    const revision = s.revision;
    setStatus('saving');
    const p = api.saveDraft(flowId, s.document).then(
      () => {
        store.getState().markSaved(revision);
        const now = store.getState();
        setStatus(now.revision === revision ? 'saved' : 'unsaved');
        setError(null);
      },
      (err) => {
        setStatus('error');
        setError(errorMessage(err));
        throw err;
      },
    );
    inFlight.current = p.catch(() => undefined).finally(() => {
      inFlight.current = null;
    });
    return p;
  }, [store, api, flowId]);

  useEffect(() => {
    if (!enabled) return;
    return store.subscribe((s, prev) => {
      if (s.revision === prev.revision) return;
      if (s.revision !== s.savedRevision) setStatus('unsaved');
      clearTimeout(timer.current);
      if (s.dragStart) return;
      timer.current = setTimeout(() => void save().catch(() => undefined), DELAY_MS);
    });
  }, [store, save, enabled]);

  useEffect(() => {
    const beforeUnload = (e: BeforeUnloadEvent) => {
      const s = store.getState();
      if (enabled && s.revision !== s.savedRevision) e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      clearTimeout(timer.current);
    };
  }, [store, enabled]);

  const flush = useCallback(async () => {
    clearTimeout(timer.current);
    await save();
  }, [save]);

  return { status, error, flush };
}
