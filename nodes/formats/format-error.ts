import { FlowError, type FlowErrorDetails } from '../errors.ts';

/** Where in a file a problem is; line and column are 1-based. */
export interface TextPosition {
  line?: number;
  column?: number;
}

/**
 * A `validation` error about an unreadable input document, worded as
 * "invoice.xml line 12, column 5: unclosed tag <cbc:ID>".
 */
export function formatError(
  fileName: string,
  message: string,
  details: FlowErrorDetails = {},
  at: TextPosition = {},
): FlowError {
  let where = fileName || 'input';
  if (at.line !== undefined) where += ` line ${at.line}`;
  if (at.line !== undefined && at.column !== undefined) where += `, column ${at.column}`;
  return new FlowError('validation', `${where}: ${message}`, details);
}
