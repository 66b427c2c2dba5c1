/** A JSON logger whose lines are kept, parsed, for tests to read. */
import { createLogger, type Logger } from '../../../runtime/observability/logger.ts';

export interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

export function captureLogger(level: 'debug' | 'info' = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level, format: 'json', destination: { write: (line: string) => { lines.push(JSON.parse(line)); } } });
  return { logger, lines };
}
