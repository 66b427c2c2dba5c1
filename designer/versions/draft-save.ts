/**
 * One save of the draft, based on the server revision the document was loaded
 * or last saved as. A save refused because someone else saved since (409)
 * becomes the store's `draftConflict`: nothing more is saved until the user
 * reloads their draft or overwrites it (never silently either way).
 */
import { ApiError, type ApiClient } from '../api-client.ts';
import type { DesignerStore } from '../store/designer-store.ts';
import type { DraftConflict } from '../store/document-slice.ts';

export type DraftSaveOutcome = 'saved' | 'unchanged' | 'conflict';

/** The conflict a refused save answered with, or null for any other error. */
export function draftConflictOf(err: unknown): DraftConflict | null {
  if (!(err instanceof ApiError) || err.status !== 409) return null;
  const p = err.problem as { revision?: unknown; updatedBy?: unknown; updatedAt?: unknown; draft?: unknown };
  if (typeof p.revision !== 'number' || !p.draft || typeof p.draft !== 'object') return null;
  return { revision: p.revision, updatedBy: typeof p.updatedBy === 'string' ? p.updatedBy : null, updatedAt: String(p.updatedAt ?? ''), draft: p.draft as DraftConflict['draft'] };
}

export async function saveDraftOnce(store: DesignerStore, api: Pick<ApiClient, 'saveDraft'>, flowId: string): Promise<DraftSaveOutcome> {
  const s = store.getState();
  if (s.draftConflict) return 'conflict';
  if (!s.document || s.revision === s.savedRevision) return 'unchanged';
  const revision = s.revision;
  try {
    const saved = await api.saveDraft(flowId, s.document, s.draftRevision ?? undefined);
    store.getState().markSaved(revision, saved.revision);
    return 'saved';
  } catch (err) {
    const conflict = draftConflictOf(err);
    if (!conflict) throw err;
    store.getState().draftConflicted(conflict);
    return 'conflict';
  }
}
