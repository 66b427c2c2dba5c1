/** "← Newer · Page n · Older →" under a list paged by cursors (the API's `nextCursor`); hidden when one page holds everything. */
export function CursorPager({ cursors, nextCursor, onChange }: {
  /** The cursor of each page visited, the first page's null. */
  cursors: (string | null)[];
  nextCursor: string | null | undefined;
  onChange: (cursors: (string | null)[]) => void;
}) {
  if (cursors.length <= 1 && !nextCursor) return null;
  return (
    <div className="pager">
      <button type="button" className="btn btn-small" disabled={cursors.length <= 1} onClick={() => onChange(cursors.slice(0, -1))}>← Newer</button>
      <span className="muted small">Page {cursors.length}</span>
      <button type="button" className="btn btn-small" disabled={!nextCursor} onClick={() => nextCursor && onChange([...cursors, nextCursor])}>Older →</button>
    </div>
  );
}
