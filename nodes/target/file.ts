/**
 * `target.file`: appends records to a JSONL or CSV file in the run's output
 * folder (the runtime's file sink decides where that is; the designer keeps
 * it in memory). The CSV header is written once per file per run. The ref of
 * each record is `<path>:<n>`, its record number in the file. Format `xml`
 * writes each record as an XML document of its own, in the file its `path`
 * template names (see document-files.ts); the ref is that file.
 */
import { StringEnum, StringMap, Type, type Static } from '../config-schema.ts';
import { defineNode, TARGET_OUT_PORT, type ConfigProblem, type TargetContext, type TargetOutcome } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import { compileFieldPath, fieldPathProblem, type FieldGetter } from '../field-path.ts';
import { IdempotencyKey } from './idempotency-config.ts';
import { jsonTextOf } from '../formats/json-text.ts';
import type { XmlWriteOptions } from '../formats/xml-write.ts';
import { XML_WRITE_SCHEMA, compileFileName, documentText, fileNameTemplateProblems, loadDocumentWriter, xmlOptionsProblems } from './document-files.ts';

const config = Type.Object({
  /** File name relative to the run's output folder, e.g. `exports/invoices.csv`; xml: with `{{field}}` placeholders. */
  path: Type.String({ title: 'File name', description: "Relative to the run's output folder; XML: one file per record, named with {{field}} placeholders", minLength: 1, default: '' }),
  format: StringEnum(['jsonl', 'csv', 'xml'], { title: 'Format', default: 'jsonl' }),
  /** XML: namespaces and prefix rule (see nodes/formats/xml-write.ts). */
  xml: Type.Optional(Type.Unsafe<XmlWriteOptions>(XML_WRITE_SCHEMA)),
  /** CSV header → dotted field path; absent: the first record's top-level fields. */
  csvColumns: Type.Optional(StringMap({ title: 'CSV columns', description: 'Header → field path; empty: the fields of the first record' })),
  /** CSV field delimiter. */
  delimiter: Type.String({ title: 'CSV delimiter', minLength: 1, maxLength: 1, default: ',' }),
  batchSize: Type.Integer({ title: 'Batch size', minimum: 1, maximum: 100000, default: 500 }),
  idempotencyKey: IdempotencyKey,
}, { additionalProperties: false });

export type FileTargetConfig = Static<typeof config>;

/** Why `path` may not be used as an output file name, or null. */
export function outputPathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.trim() === '') return 'give the output file name, e.g. invoices.csv';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
    return `output file '${path}' must be relative to the run's output folder`;
  }
  if (path.split(/[\\/]/).some((segment) => segment === '..')) return `output file '${path}' may not leave the output folder ('..')`;
  if (path.includes('\0')) return 'output file name contains a NUL character';
  return null;
}

function configProblems(config: FileTargetConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const pathProblem = outputPathProblem(config.path);
  if (pathProblem) problems.push({ path: '/path', message: pathProblem });
  if (config.format === 'xml') problems.push(...fileNameTemplateProblems(config.path, '/path'), ...xmlOptionsProblems(config.xml, '/xml'));
  if (config.format === 'csv') {
    if (typeof config.delimiter !== 'string' || config.delimiter.length !== 1 || /["\r\n]/.test(config.delimiter)) {
      problems.push({ path: '/delimiter', message: 'the delimiter must be one character other than a quote or line break' });
    }
    for (const [header, field] of Object.entries(config.csvColumns ?? {})) {
      const problem = fieldPathProblem(field);
      if (problem) problems.push({ path: `/csvColumns/${header}`, message: problem });
    }
  }
  return problems;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Writes records to a file; see the module comment. */
export const fileTarget = defineNode({
  type: 'target.file',
  version: 1,
  title: 'File (JSONL / CSV / XML)',
  description: "Appends records to a JSON Lines or CSV file in the run's output folder, or writes each record as an XML document.",
  category: 'target',
  inputs: [{ id: 'in', title: 'Records' }],
  outputs: [TARGET_OUT_PORT],
  config,
  check: configProblems,
  summary(config) {
    return `${config.format.toUpperCase()} → ${config.path || '(no file)'}`;
  },
  deliveryTarget: (config) => ({ connection: 'files', object: `file:${config.path}` }),
  create(config, setup) {
    const problems = configProblems(config);
    if (problems.length > 0) {
      throw new FlowError('permanent', `File target is misconfigured: ${problems.map((p) => p.message).join('; ')}`, {
        nodeId: setup.nodeId,
        field: problems[0].path,
      });
    }
    const nodeId = setup.nodeId;
    if (config.format === 'xml') return xmlDocuments(config, nodeId);
    // Per run (one instance per run): how many records the file holds, and its CSV columns once known.
    let written = 0;
    let columns: { header: string; get: FieldGetter }[] | undefined = config.csvColumns && Object.keys(config.csvColumns).length
      ? Object.entries(config.csvColumns).map(([header, field]) => ({ header, get: compileFieldPath(field) }))
      : undefined;
    const derivedColumns = !columns;
    let headerWritten = false;

    // csv-stringify is loaded by the first CSV write: the designer opens flows without it.
    let stringify: typeof import('csv-stringify/browser/esm/sync').stringify | undefined;

    /** The record's line, in `lines` (a JSONL line as its JSON text and its newline: no copy of the text made to join them). */
    function serialize(data: unknown, lines: string[]): FlowError | undefined {
      try {
        if (config.format === 'jsonl') {
          const json = jsonTextOf(data);
          if (json === undefined) return new FlowError('permanent', `${config.path}: the record has no JSON form`, { nodeId });
          lines.push(json, '\n');
          return;
        }
        if (derivedColumns && (data === null || typeof data !== 'object' || Array.isArray(data))) {
          // Columns come from the records' fields: anything else would vanish as an empty row.
          return new FlowError('permanent', `${config.path}: a CSV row needs a record with fields; set the CSV columns to write other values`, { nodeId });
        }
        // Field names are taken as they are (a name may contain dots), not as paths.
        columns ??= Object.keys(data as object).map((header) => ({
          header,
          get: (r: unknown) => (r && typeof r === 'object' && Object.hasOwn(r, header) ? (r as Record<string, unknown>)[header] : undefined),
        }));
        lines.push(stringify!([columns.map((c) => cell(c.get(data)))], { delimiter: config.delimiter, eof: true }));
      } catch (err) {
        return toFlowError(err, 'permanent', { nodeId });
      }
    }

    return {
      batchSize: config.batchSize,
      async write(items, ctx) {
        if (config.format === 'csv') stringify ??= (await import('csv-stringify/browser/esm/sync')).stringify;
        const outcomes: TargetOutcome[] = new Array(items.length);
        // The header's place, filled once the columns are known (from the first record).
        const lines: string[] = [''];
        let count = written;
        for (let i = 0; i < items.length; i++) {
          const error = serialize(items[i].data, lines);
          if (error) outcomes[i] = { ok: false, error };
          else outcomes[i] = { ok: true, ref: `${config.path}:${++count}`, answer: { file: config.path, recordNumber: count } };
        }
        if (lines.length === 1) return outcomes;
        const header =
          config.format === 'csv' && !headerWritten && columns
            ? stringify!([columns.map((c) => c.header)], { delimiter: config.delimiter, eof: true })
            : '';
        lines[0] = header;
        try {
          await ctx.files.append(config.path, lines);
        } catch (err) {
          throw toFlowError(err, 'transient', { nodeId });
        }
        if (header) headerWritten = true;
        written = count;
        return outcomes;
      },
    };
  },
});

/** Format xml: each record is a document in the file its path template names, written whole (replacing an earlier one). */
function xmlDocuments(config: FileTargetConfig, nodeId: string) {
  const nameOf = compileFileName(config.path, nodeId);
  return {
    batchSize: config.batchSize,
    async write(items: { data: unknown }[], ctx: TargetContext): Promise<TargetOutcome[]> {
      await loadDocumentWriter('xml');
      const outcomes: TargetOutcome[] = [];
      for (const item of items) {
        const name = nameOf(item.data);
        const problem = name instanceof FlowError ? name : outputPathProblem(name) ? new FlowError('permanent', outputPathProblem(name)!, { nodeId }) : null;
        const text = problem ?? documentText('xml', item.data, config.xml, nodeId);
        if (text instanceof FlowError) {
          outcomes.push({ ok: false, error: text });
          continue;
        }
        try {
          await (ctx.files.write ? ctx.files.write(name as string, text) : ctx.files.append(name as string, text));
        } catch (err) {
          throw toFlowError(err, 'transient', { nodeId });
        }
        outcomes.push({ ok: true, ref: name as string, answer: { file: name } });
      }
      return outcomes;
    },
  };
}
