/** Pretty JSON with light colouring; very large values are cut (with a note). */
import { memo } from 'react';

const MAX_CHARS = 40_000;
const TOKEN = /("(?:\\.|[^"\\])*"\s*:)|("(?:\\.|[^"\\])*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

function JsonViewImpl({ value, className }: { value: unknown; className?: string }) {
  // Focusable: a long value scrolls, and keyboard users scroll it by focusing it.
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
  if (value === undefined) return <pre tabIndex={0} className={`json-view ${className ?? ''}`}><span className="json-undefined">(no value)</span></pre>;
  let text = JSON.stringify(value, null, 2) ?? String(value);
  const cut = text.length > MAX_CHARS;
  if (cut) text = text.slice(0, MAX_CHARS);
  const parts: React.ReactNode[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index! > last) parts.push(text.slice(last, m.index));
    const cls = m[1] ? 'json-key' : m[2] ? 'json-string' : m[3] ? 'json-number' : 'json-atom';
    parts.push(<span key={key++} className={cls}>{m[0]}</span>);
    last = m.index! + m[0].length;
  }
  parts.push(text.slice(last));
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <pre tabIndex={0} className={`json-view ${className ?? ''}`}>
      {parts}
      {cut && <span className="json-cut">{'\n'}… cut: the value is larger than {MAX_CHARS.toLocaleString()} characters</span>}
    </pre>
  );
}

export const JsonView = memo(JsonViewImpl);
