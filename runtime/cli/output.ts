/**
 * The CLI's own output: answers to stdout, mistakes and notices to stderr, as
 * plain lines. This is the command's user interface, not logging (log lines
 * go through the logger, see runtime/observability/logger.ts), and the one
 * place of the runtime that writes to the console.
 */

/** Writes one line of the command's answer to stdout. */
export function printLine(text: string): void {
  console.log(text);
}

/** Writes one line for the user to stderr (a mistake, a warning, progress). */
export function printError(text: string): void {
  console.error(text);
}
