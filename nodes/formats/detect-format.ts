/** The document formats the parsers read. */
export type DocumentFormat = 'csv' | 'json' | 'jsonl' | 'xml';

export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['csv', 'json', 'jsonl', 'xml'];

const BY_EXTENSION: Record<string, DocumentFormat> = {
  csv: 'csv',
  tsv: 'csv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  xml: 'xml',
};

/**
 * The format of a document: by the file name's extension, else by sniffing its
 * first bytes (`<` → XML; `{`/`[` → JSON, or JSON Lines when the first line is
 * a complete value and another follows; anything else → CSV).
 */
export function detectFormat(fileName: string, firstBytes: Uint8Array): DocumentFormat {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (ext && BY_EXTENSION[ext]) return BY_EXTENSION[ext];
  const text = new TextDecoder('utf-8', { fatal: false }).decode(firstBytes).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('<')) return 'xml';
  if (start.startsWith('{') || start.startsWith('[')) {
    const lines = start.split('\n');
    if (lines.length > 1 && isJson(lines[0]) && /^\s*[{[]/.test(lines[1])) return 'jsonl';
    return 'json';
  }
  return 'csv';
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
