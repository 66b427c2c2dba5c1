/** What the server refused in a dialog: its message and the first problems it listed. */
export interface DialogError {
  text: string;
  list: string[];
}

export function ErrorCallout({ error }: { error: DialogError | null }) {
  if (!error) return null;
  return (
    <div className="callout callout-error">
      {error.text}
      {error.list.length > 0 && <ul>{error.list.slice(0, 8).map((m, i) => <li key={i}>{m}</li>)}</ul>}
    </div>
  );
}
