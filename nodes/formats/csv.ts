/**
 * CSV → records, streamed. Built on csv-parse's browser ESM build, which runs
 * unchanged in Node and in the designer's Vite bundle (the package's main
 * entry imports Node's `stream`). Chunks are written one at a time and the
 * records they complete are handed on before the next chunk is read, so only
 * the current chunk and row are in memory.
 */
import { Parser } from 'csv-parse/browser/esm';
import { decodeText } from './bytes.ts';
import { fromDecimalComma, toNumberIfCanonical } from './decimal-comma.ts';
import { formatError } from './format-error.ts';
import type { FlowError } from '../errors.ts';

export interface CsvOptions {
  /** Field separator; default `,`. Also common: `;`, `\t`, `|`. */
  delimiter?: string;
  /** First row holds column names: records become objects keyed by them (default). Otherwise arrays. */
  header?: boolean;
  /** Quote character; default `"`. */
  quote?: string;
  /** Text encoding (TextDecoder label); default `utf-8`. */
  encoding?: string;
  /**
   * Columns written with a decimal comma ("1.234,56" → "1234.56"): names (or
   * indexes when there is no header), or `true` for every value that looks like
   * a decimal-comma number.
   */
  decimalComma?: boolean | Array<string | number>;
  /** Trim spaces around fields; default false. */
  trim?: boolean;
  /** Skip blank lines; default true. */
  skipEmptyLines?: boolean;
  /** Turn canonically written numbers ("12.5") into JSON numbers; default false (exact strings). */
  numbers?: boolean;
}

type Row = Record<string, string> | string[];

/** Parses a CSV byte stream into records (objects keyed by header, or arrays). */
export async function* parseCsv(
  chunks: AsyncIterable<Uint8Array>,
  fileName: string,
  options: CsvOptions = {},
): AsyncIterable<unknown> {
  const header = options.header ?? true;
  const parser = new Parser({
    delimiter: options.delimiter || ',',
    quote: options.quote || '"',
    // A quote inside a quoted field is written twice, whatever the quote character.
    escape: options.quote || '"',
    columns: header,
    trim: options.trim ?? false,
    skip_empty_lines: options.skipEmptyLines ?? true,
  });
  const convert = rowConverter(options);
  let failure: unknown;
  let ended = false;
  parser.on('error', (err: unknown) => {
    failure ??= err;
  });
  parser.on('end', () => {
    ended = true;
  });

  function* drain(): Generator<unknown> {
    let row: Row | null;
    while ((row = parser.read() as Row | null) !== null) yield convert(row);
    if (failure !== undefined) throw csvError(fileName, failure);
  }

  let empty = true;
  for await (const text of decodeText(chunks, fileName, options.encoding)) {
    empty = false;
    parser.write(text);
    yield* drain();
  }
  // csv-parse's browser build fails when ended without any input; nothing to read anyway.
  if (empty) return;
  parser.end();
  // The last row is only complete once the parser knows no more input follows.
  for (;;) {
    yield* drain();
    if (ended) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        for (const event of ['readable', 'end', 'error']) parser.removeListener(event, done);
        resolve();
      };
      for (const event of ['readable', 'end', 'error']) parser.on(event, done);
    });
  }
}

function rowConverter(options: CsvOptions): (row: Row) => unknown {
  const dc = options.decimalComma ?? false;
  const all = dc === true;
  const columns = new Set(Array.isArray(dc) ? dc.map(String) : []);
  const numbers = options.numbers ?? false;
  if (!all && columns.size === 0 && !numbers) return (row) => row;
  const convertValue = (key: string, value: string): string | number => {
    let out: string | number = value;
    if (all || columns.has(key)) out = fromDecimalComma(value) ?? value;
    if (numbers) out = toNumberIfCanonical(out);
    return out;
  };
  return (row) => {
    if (Array.isArray(row)) return row.map((value, i) => convertValue(String(i), value));
    const out: Record<string, string | number> = {};
    for (const key of Object.keys(row)) out[key] = convertValue(key, row[key]);
    return out;
  };
}

interface CsvParseError {
  code?: string;
  message?: string;
  lines?: number;
  record?: unknown[];
  columns?: unknown[];
}

/** csv-parse's error, reworded for an analyst and placed at its line. */
function csvError(fileName: string, err: unknown): FlowError {
  const e = (err ?? {}) as CsvParseError;
  const raw = String(e.message ?? err);
  let message: string;
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      message =
        Array.isArray(e.record) && Array.isArray(e.columns)
          ? `the row has ${count(e.record.length, 'field')} but the header has ${count(e.columns.length, 'column')}`
          : 'the row does not have as many fields as the header has columns';
      break;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const m = /expect (\d+), got (\d+)/.exec(raw);
      message = m
        ? `the row has ${count(Number(m[2]), 'field')} but earlier rows have ${m[1]}`
        : 'the row does not have as many fields as earlier rows';
      break;
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      message = 'a quoted field is never closed (the file ends inside quotes)';
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      message = 'unexpected text after the closing quote of a field';
      break;
    default:
      message = raw.replace(/ on line \d+\.?$/, '');
  }
  return formatError(fileName, message, { code: e.code, cause: err }, { line: e.lines });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
