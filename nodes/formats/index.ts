/**
 * Streaming, browser-safe document parsers: bytes in, records out, with
 * bounded memory and errors that name the file and line.
 */
export { parseDocument, type FormatOptions } from './parse-document.ts';
export { detectFormat, DOCUMENT_FORMATS, type DocumentFormat } from './detect-format.ts';
export { parseCsv, type CsvOptions } from './csv.ts';
export { parseJson, type JsonOptions } from './json.ts';
export { parseJsonl, type JsonlOptions } from './jsonl.ts';
export { parseXml, sniffXmlEncoding, type XmlOptions } from './xml.ts';
export { bytesOf, chunked, decodeText, peekBytes } from './bytes.ts';
export { fromDecimalComma } from './decimal-comma.ts';
export { formatError } from './format-error.ts';
export { DEFAULT_RECORD_LIMITS, recordLimitsOf, recordProblem, type RecordLimits } from './record-limits.ts';
