/**
 * The `ledgerflow` command: a composition root like `main.ts`, wiring the
 * store, connections and engine for one command and printing the answer.
 */
import { parseArgs } from 'node:util';
import { COMMANDS, type CommandContext } from './cli/commands.ts';
import { CliError } from './cli/cli-error.ts';
import { printError, printLine } from './cli/output.ts';
import { parseSettings, SettingsError, type Settings } from './settings.ts';

const USAGE = `ledgerflow <command> [options]

Service
  serve [--build-if-missing]                server + designer + in-process worker (npm start)
  worker [--concurrency <n>]                an extra worker process (with DATABASE_URL)
  users add|list|disable|enable             manage users
  examples load                             import the example flows from flows/

Flows
  validate <flow-file> [--json]             check a flow; exit 0 valid, 1 not
  run <flow-file> --input <file> [--json]   run a flow on a document; exit 0 succeeded,
        [--connections <file>] [--dry-run]  3 completed with exceptions, 2 failed
        [--out <dir>] [--chunk-size <n>]
  replay <run-id> [--record <key>]          replay a run's dead letters (idempotent)
        [--flow <file>] [--json]            --flow: replay against a fixed flow file
  nodes [--json]                            list node types

Operations
  runs [--flow <id>] [--status <s>] [--limit <n>] [--json]
  trace <run-id> [--record <key>] [--json]
  find <business-key> [--json]
  dlq list|replay|discard                   dead letters: list, replay by id or run, discard with --reason
  retention [--snapshot-days 90] [--lineage-days 3650]

Storage: embedded PGlite in $LEDGERFLOW_DATA (default ./.ledgerflow),
or a Postgres server with DATABASE_URL=postgres://…`;

/** Runs one command; `env` is read once, into the settings (exit 2 when one is not allowed). */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    printLine(USAGE);
    return 0;
  }
  const def = COMMANDS[command];
  if (!def) {
    printError(`ledgerflow: unknown command '${command}'\n\n${USAGE}`);
    return 64;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: def.options, allowPositionals: true, strict: true });
  } catch (err) {
    printError(`ledgerflow ${command}: ${(err as Error).message}`);
    return 64;
  }
  let settings: Settings;
  try {
    settings = parseSettings(env);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    printError(err.message);
    return 2;
  }
  const ctx: CommandContext = { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals, settings, env, out: printLine, err: printError };
  try {
    return await def.run(ctx);
  } catch (err) {
    if (err instanceof CliError) {
      printError(`ledgerflow ${command}: ${err.message}`);
      return err.exitCode;
    }
    // Where it failed is for developers (LEDGERFLOW_DEBUG=1); the user gets the message.
    printError(`ledgerflow ${command}: ${settings.debug ? (err as Error).stack ?? err : (err as Error).message ?? err}`);
    return 2;
  }
}
