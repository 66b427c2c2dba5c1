/**
 * Structured logs: one JSON line per event through pino, with `level` (a
 * name), `time` (ISO 8601) and, where they apply, `reqId`, `runId`, `flowId`,
 * `nodeId`. Human-readable (pino-pretty) when the stream is a terminal. The
 * logger is made by a composition root and passed in; there is no global one.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Settings } from '../settings.ts';

export type { Logger };

export interface LoggerOptions {
  level?: Settings['logLevel'];
  format?: Settings['logFormat'];
  /** Where lines go; default stderr (stdout is the CLI's answer, e.g. `--json`). */
  destination?: DestinationStream & { isTTY?: boolean };
}

/** The logger of a process, as the settings (LEDGERFLOW_LOG_LEVEL, LEDGERFLOW_LOG_FORMAT) say. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const format = options.format ?? 'auto';
  const readable = format === 'pretty' || (format === 'auto' && destination.isTTY === true);
  // Loaded only for a terminal: it costs a CLI command's start-up time otherwise.
  const pretty = readable ? createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty : null;
  const stream = pretty
    ? pretty({ destination, colorize: destination.isTTY === true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : destination;
  return pino({
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, stream);
}

/** A logger that writes nothing (tests, and callers that were given none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
