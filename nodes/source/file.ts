/**
 * File source: reads the document the trigger brought (an upload, a CLI
 * `--input`, a file dropped in a folder) as CSV, JSON, JSON Lines or XML, and
 * emits one record per row, list element or XML record element.
 */
import { Enum, Type, schemaDefaults, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type SourceContext } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import type { FormatOptions } from '../formats/parse-document.ts';

// Nested fields are optional: a flow may give part of an object, the rest comes from the defaults (see `fileFormatOptions`).
const csv = Type.Object({
  delimiter: Type.Optional(Enum([',', ';', '\t', '|'], { title: 'Separator', description: 'The character between fields.', default: ',' })),
  header: Type.Optional(Type.Boolean({
    title: 'First row holds column names',
    description: 'On: each row becomes an object keyed by the column names. Off: each row is a list of values.',
    default: true,
  })),
  quote: Type.Optional(Type.String({ title: 'Quote character', minLength: 1, maxLength: 1, default: '"' })),
  decimalComma: Type.Optional(Type.Unsafe<boolean | string[]>({
    title: 'Decimal comma',
    description: 'Columns whose amounts are written like "1.234,56"; they are read as "1234.56". Choose columns by name (or by position 0, 1, … without a header row), or turn on for every column that looks like such a number.',
    oneOf: [
      Type.Boolean({ title: 'All number-like columns' }),
      Type.Array(Type.String(), { title: 'These columns', uniqueItems: true }),
    ],
    default: false,
  })),
  trim: Type.Optional(Type.Boolean({ title: 'Trim spaces around values', default: false })),
  skipEmptyLines: Type.Optional(Type.Boolean({ title: 'Skip empty lines', default: true })),
  numbers: Type.Optional(Type.Boolean({
    title: 'Read numbers as numbers',
    description: 'Off (recommended for money): every value stays text exactly as written. On: values like "12.5" become numbers.',
    default: false,
  })),
}, { title: 'CSV', additionalProperties: false });

const json = Type.Object({
  recordPath: Type.Optional(Type.String({
    title: 'Records at',
    description: 'Dotted path of the list whose elements are the records, e.g. "data.items". Empty: a top-level list gives one record per element; a top-level object is one record.',
    default: '',
  })),
  exactNumbers: Type.Optional(Type.Boolean({
    title: 'Keep numbers exactly as written',
    description: 'On: numbers stay text as written ("96.00", long ids). Off: they become ordinary numbers.',
    default: false,
  })),
}, { title: 'JSON', additionalProperties: false });

const xml = Type.Object({
  recordElement: Type.Optional(Type.String({
    title: 'Record element',
    description: 'Path of element names from the root, without prefixes, e.g. "Document/BkToCstmrStmt/Stmt" for camt.053 statements; each such element is one record. Empty: the whole document is one record.',
    default: '',
  })),
  repeat: Type.Optional(Type.Array(Type.String(), {
    title: 'Always lists',
    description: 'Element names that are always read as lists, even when they occur once, so mappings can rely on it (e.g. InvoiceLine, TaxSubtotal, Ntry, TxDtls, CdtTrfTxInf).',
    uniqueItems: true,
    default: [],
  })),
}, { title: 'XML', additionalProperties: false });

const config = Type.Object({
  format: Enum(['auto', 'csv', 'json', 'jsonl', 'xml'], {
    title: 'Format',
    description: 'How to read the file. "auto" goes by the file name (.csv, .json, .jsonl, .ndjson, .xml), else by its first bytes.',
    default: 'auto',
  }),
  /** Text encoding; empty = UTF-8 (XML: as its declaration says). */
  encoding: Type.String({
    title: 'Text encoding',
    description: 'Leave empty for UTF-8 (XML files: the encoding their declaration names). Older bank and ERP exports are often windows-1252 or iso-8859-1; some Excel exports are utf-16le.',
    examples: ['utf-8', 'windows-1252', 'iso-8859-1', 'utf-16le'],
    default: '',
  }),
  csv,
  json,
  xml,
  /** Nesting levels a record may have; unset: 1,000. */
  maxDepth: Type.Optional(Type.Integer({
    title: 'Deepest nesting of a record',
    description: 'A record nested deeper than this many levels is refused with its file and line (default 1,000).',
    minimum: 1,
  })),
  /** Characters one record's text may have (a JSON Lines line); unset: 16 MiB. */
  maxRecordSize: Type.Optional(Type.Integer({
    title: 'Largest record (characters)',
    description: 'A record whose text is longer (e.g. one JSON Lines line) is refused as soon as it passes this size (default 16 MiB).',
    minimum: 1,
  })),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', additionalProperties: false });

/** A `source.file` config as a flow holds it (nested objects may be partial). */
export type FileSourceConfig = Static<typeof config>;

const defaults = schemaDefaults(config) as unknown as {
  format: FileSourceConfig['format'];
  csv: Required<FileSourceConfig['csv']>;
  json: Required<FileSourceConfig['json']>;
  xml: Required<FileSourceConfig['xml']>;
};

/** The parser options this config stands for; tolerant of missing fields. */
export function fileFormatOptions(config: Partial<FileSourceConfig>): FormatOptions {
  const csv = { ...defaults.csv, ...config.csv };
  return {
    format: config.format ?? defaults.format,
    encoding: config.encoding || undefined,
    csv,
    json: { ...defaults.json, ...config.json, recordPath: config.json?.recordPath?.trim() || undefined },
    xml: { ...defaults.xml, ...config.xml, recordElement: config.xml?.recordElement?.trim() || undefined },
    limits: { maxDepth: config.maxDepth, maxRecordSize: config.maxRecordSize },
  };
}

const FORMAT_LABEL: Record<FileSourceConfig['format'], string> = {
  auto: 'Any format',
  csv: 'CSV',
  json: 'JSON',
  jsonl: 'JSON Lines',
  xml: 'XML',
};

const DELIMITER_LABEL: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

function summary(config: FileSourceConfig): string {
  const parts = [FORMAT_LABEL[config.format] ?? String(config.format)];
  if (config.format === 'csv') {
    parts.push(`${DELIMITER_LABEL[config.csv?.delimiter ?? ','] ?? config.csv?.delimiter}-separated`);
    if (config.csv?.decimalComma === true || (Array.isArray(config.csv?.decimalComma) && config.csv.decimalComma.length > 0)) {
      parts.push('decimal comma');
    }
  } else if (config.format === 'json' && config.json?.recordPath) {
    parts.push(`records at ${config.json.recordPath}`);
  } else if (config.format === 'xml') {
    const element = config.xml?.recordElement?.split('/').filter(Boolean).pop();
    parts.push(element ? `record ${element}` : 'whole document');
  }
  if (config.encoding) parts.push(config.encoding);
  return parts.join(' · ');
}

function check(config: FileSourceConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const delimiter = config.csv?.delimiter ?? ',';
  if (delimiter.length !== 1) problems.push({ path: '/csv/delimiter', message: 'The separator must be a single character.' });
  const quote = config.csv?.quote ?? '"';
  if (quote.length !== 1) problems.push({ path: '/csv/quote', message: 'The quote must be a single character.' });
  if (quote === delimiter) problems.push({ path: '/csv/quote', message: 'The quote and the separator must differ.' });
  if (config.encoding) {
    try {
      new TextDecoder(config.encoding);
    } catch {
      problems.push({ path: '/encoding', message: `Unknown text encoding "${config.encoding}".` });
    }
  }
  const recordPath = (config.json?.recordPath ?? '').trim();
  if (recordPath !== '' && recordPath.split('.').some((segment) => segment.trim() === '')) {
    problems.push({ path: '/json/recordPath', message: 'Write the path as names separated by single dots, e.g. data.items.' });
  }
  const recordElement = config.xml?.recordElement ?? '';
  if (recordElement.includes(':')) {
    problems.push({ path: '/xml/recordElement', message: 'Leave out namespace prefixes: write Invoice, not ubl:Invoice.' });
  }
  return problems;
}

/** Reads CSV, JSON, JSON Lines or XML documents into records. */
export const fileSource = defineNode({
  type: 'source.file',
  version: 1,
  title: 'File',
  description: 'Reads a CSV, JSON, JSON Lines or XML file (UBL invoices, camt.053 statements, exports) into records.',
  category: 'source',
  inputs: [],
  outputs: [{ id: 'out', title: 'Records' }],
  config,
  summary,
  check,
  create(config, setup) {
    const options = fileFormatOptions(config);
    return {
      async *read(ctx: SourceContext): AsyncIterable<unknown> {
        const input = ctx.input;
        if (!input) {
          throw new FlowError('validation', `File source "${setup.nodeId}" has no file to read: upload a file or run the flow with an input file.`, {
            nodeId: setup.nodeId,
          });
        }
        try {
          // Loaded when a file is read: the designer opens flows without the parsers (csv-parse, saxes, …).
          const { parseDocument } = await import('../formats/parse-document.ts');
          for await (const record of parseDocument(input.chunks(), input.name, ctx.check ? { ...options, checkOnly: true } : options)) {
            if (ctx.signal.aborted) return;
            yield record;
          }
        } catch (err) {
          throw toFlowError(err, 'validation', { nodeId: setup.nodeId });
        }
      },
    };
  },
});
