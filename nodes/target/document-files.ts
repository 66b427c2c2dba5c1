/**
 * One file per record: XML documents (a payment file, an e-invoice) and JSON
 * documents. Used by `target.file` (format xml) and `target.sftp`. The file
 * name is a template whose `{{field.path}}` placeholders are filled from the
 * record (`payments/pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml`);
 * a value that would leave the folder (`/`, `\`, `..`, a NUL) is refused.
 * Browser-safe.
 */
import type { ConfigProblem } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import { compileFieldPath, fieldPathProblem } from '../field-path.ts';
import { jsonTextOf } from '../formats/json-text.ts';
import { loadXmlWriter, writeXml, xmlWriteOptionsProblem, type XmlWriteOptions } from '../formats/xml-write.ts';

export type DocumentFormat = 'xml' | 'json';

/** How an XML document is written (see nodes/formats/xml-write.ts). */
export const XML_WRITE_SCHEMA = {
  type: 'object',
  title: 'XML',
  description: 'The record is written by the inverse of the XML convention: keys are elements in order, lists repeat, "@name" is an attribute, "#text" the text, the root\'s "@xmlns" its namespace.',
  additionalProperties: false,
  properties: {
    namespaces: {
      type: 'object',
      title: 'Namespace prefixes',
      description: 'Prefix → namespace URI, declared on the root, e.g. cac and cbc for UBL',
      additionalProperties: { type: 'string', minLength: 1 },
    },
    prefixes: {
      type: 'object',
      title: 'Prefix rule',
      description: 'Prefix for elements written without one: leaf (holding text) and branch (holding elements). UBL: cbc and cac.',
      additionalProperties: false,
      properties: { leaf: { type: 'string' }, branch: { type: 'string' } },
    },
    declaration: { type: 'boolean', title: 'XML declaration', default: true },
    indent: { type: 'boolean', title: 'Indent', default: true },
  },
} as const;

type Part = { text: string } | { field: string; get: (record: unknown) => unknown };

/** The parts of a file-name template, or the problem with it. */
function templateParts(template: string): Part[] | string {
  const parts: Part[] = [];
  const re = /\{\{([^{}]*)\}\}/g;
  let last = 0;
  for (const m of template.matchAll(re)) {
    if (m.index > last) parts.push({ text: template.slice(last, m.index) });
    const field = m[1].trim();
    const problem = field === '' ? 'an empty {{ }} placeholder in the file name' : fieldPathProblem(field);
    if (problem) return problem;
    parts.push({ field, get: compileFieldPath(field) });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

/** Problems of a one-document-per-record file name: it needs a placeholder, or every record would overwrite the last. */
export function fileNameTemplateProblems(template: string, path: string): ConfigProblem[] {
  if (typeof template !== 'string' || template.trim() === '') return [{ path, message: 'give the file name, e.g. pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml' }];
  const parts = templateParts(template);
  if (typeof parts === 'string') return [{ path, message: parts }];
  if (!parts.some((p) => 'field' in p)) {
    return [{ path, message: 'each record is a document of its own: put a {{field}} placeholder in the file name (e.g. {{invoiceNumber}}) so records do not overwrite each other' }];
  }
  return [];
}

/** A function naming a record's file from the template; a missing or unsafe value is a permanent error. */
export function compileFileName(template: string, nodeId: string): (record: unknown) => string | FlowError {
  const parts = templateParts(template);
  if (typeof parts === 'string') throw new FlowError('permanent', parts, { nodeId });
  return (record) => {
    let name = '';
    for (const part of parts) {
      if ('text' in part) {
        name += part.text;
        continue;
      }
      const value = part.get(record);
      if (value === undefined || value === null || value === '' || typeof value === 'object') {
        return new FlowError('permanent', `the record has no value for {{${part.field}}} used in the file name`, { nodeId, field: part.field });
      }
      const text = String(value);
      if (/[\\/\0]/.test(text) || text === '.' || text === '..') {
        return new FlowError('permanent', `the value '${text}' of {{${part.field}}} cannot be part of a file name`, { nodeId, field: part.field });
      }
      name += text;
    }
    return name;
  };
}

/** The XML options' problem, as a config problem under `path`. */
export function xmlOptionsProblems(options: XmlWriteOptions | undefined, path: string): ConfigProblem[] {
  const problem = xmlWriteOptionsProblem(options ?? {});
  return problem ? [{ path: `${path}${problem.path}`, message: problem.message }] : [];
}

/** Loads what writing `format` needs (xmlbuilder2 for XML). */
export async function loadDocumentWriter(format: DocumentFormat): Promise<void> {
  if (format === 'xml') await loadXmlWriter();
}

/** The text of one record as a document; a permanent FlowError when it has no such form. */
export function documentText(format: DocumentFormat, data: unknown, xml: XmlWriteOptions | undefined, nodeId: string): string | FlowError {
  try {
    if (format === 'xml') return writeXml(data, xml);
    const json = jsonTextOf(data);
    return json === undefined ? new FlowError('permanent', 'the record has no JSON form', { nodeId }) : `${json}\n`;
  } catch (err) {
    return toFlowError(err, 'permanent', { nodeId });
  }
}
