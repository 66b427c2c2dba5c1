import { peekBytes } from './bytes.ts';
import { formatError } from './format-error.ts';
import { parseCsv, type CsvOptions } from './csv.ts';
import { detectFormat, type DocumentFormat } from './detect-format.ts';
import { parseJson, type JsonOptions } from './json.ts';
import { parseJsonl } from './jsonl.ts';
import { parseXml, type XmlOptions } from './xml.ts';
import { recordProblem, recordLimitsOf, type RecordLimits } from './record-limits.ts';

/** How to read a document: its format (or `auto`) and each format's options. */
export interface FormatOptions {
  /** Default `auto`: by file extension, else by sniffing the first bytes. */
  format?: 'auto' | DocumentFormat;
  /** Text encoding for every format (TextDecoder label); a format's own `encoding` wins. */
  encoding?: string;
  csv?: CsvOptions;
  /** JSON options; `exactNumbers` also applies to JSON Lines. */
  json?: JsonOptions;
  xml?: XmlOptions;
  /** Depth and size limits of every record (defaults: 1,000 levels, 16 MiB). */
  limits?: Partial<RecordLimits>;
  /** Only check the document (a run's precheck): JSON Lines stand in `true` for plainly valid lines instead of parsing them. */
  checkOnly?: boolean;
}

/** How many bytes `auto` looks at to recognise a format. */
const SNIFF_BYTES = 4096;

/**
 * Reads a document into records, streamed, in the given (or detected) format.
 * Throws a `validation` FlowError naming the file and line on malformed input.
 */
export async function* parseDocument(
  chunks: AsyncIterable<Uint8Array>,
  fileName: string,
  options: FormatOptions = {},
): AsyncIterable<unknown> {
  let format = options.format ?? 'auto';
  let stream = chunks;
  let sniffed = false;
  if (format === 'auto') {
    const peeked = await peekBytes(chunks, SNIFF_BYTES);
    format = detectFormat(fileName, peeked.head);
    stream = peeked.stream;
    sniffed = true;
  }
  const encoding = options.encoding || undefined;
  switch (format) {
    case 'csv': {
      const csv: CsvOptions = { ...options.csv, encoding: options.csv?.encoding || encoding };
      // A .tsv file read in `auto` mode is tab-separated unless told otherwise.
      if (sniffed && !options.csv?.delimiter && /\.tsv$/i.test(fileName)) csv.delimiter = '\t';
      yield* checked(parseCsv(stream, fileName, csv), fileName, options.limits);
      return;
    }
    case 'json':
      yield* parseJson(stream, fileName, { ...options.json, encoding: options.json?.encoding || encoding, limits: options.limits });
      return;
    case 'jsonl':
      yield* parseJsonl(stream, fileName, {
        exactNumbers: options.json?.exactNumbers,
        encoding: options.json?.encoding || encoding,
        limits: options.limits,
        checkOnly: options.checkOnly,
      });
      return;
    case 'xml':
      yield* checked(parseXml(stream, fileName, { ...options.xml, encoding: options.xml?.encoding || encoding }), fileName, options.limits);
      return;
    default:
      throw formatError(fileName, `unknown document format "${String(format)}" (use csv, json, jsonl or xml)`);
  }
}

/** Records of a format whose parser does not check the limits itself (CSV, XML): checked one by one, named by number. */
async function* checked(records: AsyncIterable<unknown>, fileName: string, partial?: Partial<RecordLimits>): AsyncIterable<unknown> {
  const limits = recordLimitsOf(partial);
  let n = 0;
  for await (const record of records) {
    n++;
    const problem = recordProblem(record, limits);
    if (problem) throw formatError(fileName, `record ${n}: ${problem}`, { code: 'RECORD_LIMIT' });
    yield record;
  }
}
