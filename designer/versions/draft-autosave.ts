/**
 * Saves the draft to the server shortly after each change (never mid-drag),
 * so the draft on the server is what the analyst sees. `flush()` saves at
 * once, e.g. before saving a version. While the server refuses a save
 * because someone else saved the draft (see draft-save.ts), nothing is saved.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, type ApiClient } from '../api-client.ts';
import { saveDraftOnce } from './draft-save.ts';
import type { DesignerStore } from '../store/designer-store.ts';
import type { SaveStatus } from '../editor-context.tsx';

const DELAY_MS = 800;
const CONFLICT_MESSAGE = 'Someone else saved this draft since you opened it: reload theirs or overwrite it with yours.';

export function useDraftAutosave(store: DesignerStore, api: ApiClient, flowId: string, enabled: boolean) {
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const save = useCallback(async (): Promise<void> => {
    if (inFlight.current) await inFlight.current;
    const s = store.getState();
    if (s.draftConflict) throw new Error(CONFLICT_MESSAGE);
    if (!s.document || s.revision === s.savedRevision) return;
    setStatus('saving');
    const p = saveDraftOnce(store, api, flowId).then(
      (outcome) => {
        if (outcome === 'conflict') {
          setStatus('conflict');
          setError(CONFLICT_MESSAGE);
          throw new Error(CONFLICT_MESSAGE);
        }
        const now = store.getState();
        setStatus(now.revision === now.savedRevision ? 'saved' : 'unsaved');
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
      if (prev.draftConflict && !s.draftConflict && s.revision === s.savedRevision) setStatus('saved'); // reloaded
      if (s.revision === prev.revision || s.draftConflict) return;
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
