/** Shown when a draft save was refused because someone else saved the draft: reload theirs or overwrite it, never silently. */
import { formatDateTime } from '../runs/ops-format.ts';
import { useDesigner } from '../store/store-context.tsx';

export function DraftConflictBanner() {
  const conflict = useDesigner((s) => s.draftConflict);
  const reload = useDesigner((s) => s.reloadConflictingDraft);
  const overwrite = useDesigner((s) => s.overwriteConflictingDraft);
  if (!conflict) return null;
  return (
    <div className="draft-conflict" role="alert" data-testid="draft-conflict">
      <span>
        <strong>{conflict.updatedBy ?? 'Someone else'}</strong> saved this draft at {formatDateTime(conflict.updatedAt)}, after you opened it.
        Your changes are not saved. Reload their draft (your unsaved changes are dropped) or overwrite it with yours (their changes are lost).
      </span>
      <button type="button" className="btn" onClick={reload}>Reload their draft</button>
      <button type="button" className="btn btn-primary" onClick={overwrite}>Overwrite with mine</button>
    </div>
  );
}
