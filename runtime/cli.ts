/**
 * The `ledgerflow` command: a composition root like `main.ts`, wiring the
 * store, connections and engine for one command and printing the answer.
 */
import { parseArgs } from 'node:util';
import { loadCommand, type CommandContext } from './cli/commands.ts';
import { AppProblem } from './app/problem.ts';
import { createEvaluatorRegistry } from './evaluators.ts';
import { CliError } from './cli/cli-error.ts';
import { commandUsage, fullUsage } from './cli/command-usage.ts';
import { printError, printLine } from './cli/output.ts';
import { parseSettings, SettingsError, type Settings } from './settings.ts';

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/** Runs one command line; returns the exit code (README, CLI reference). `env` is read once, into the settings (exit 2 when one is not allowed). */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || isHelp(command)) {
    const topic = command === 'help' ? rest[0] : undefined;
    printLine(topic && (await loadCommand(topic)) ? commandUsage(topic) : fullUsage());
    return 0;
  }
  const def = await loadCommand(command);
  if (!def) {
    printError(`ledgerflow: there is no command '${command}'\n\n${fullUsage()}`);
    return 64;
  }
  // `--help` anywhere before a `--` asks for this command's usage.
  const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.some(isHelp)) {
    printLine(commandUsage(command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: def.options, allowPositionals: true, strict: true });
  } catch (err) {
    printError(`ledgerflow ${command}: ${optionProblem(err as Error)}\n\n${commandUsage(command)}`);
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
  const ctx: CommandContext = { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals, settings, evaluators: createEvaluatorRegistry(), env, out: printLine, err: printError };
  try {
    return await def.run(ctx);
  } catch (err) {
    // A use case's refusal (runtime/app): its message, as for a command's own error.
    if (err instanceof AppProblem) {
      printError(`ledgerflow ${command}: ${err.message}`);
      return 2;
    }
    if (err instanceof CliError) {
      // 64: the command line was wrong, so its usage follows the one line.
      printError(`ledgerflow ${command}: ${err.message}${err.exitCode === 64 ? `\n\n${commandUsage(command)}` : ''}`);
      return err.exitCode;
    }
    // Where it failed is for developers (LEDGERFLOW_DEBUG=1); the user gets the message.
    const error = err as Error;
    if (settings.debug) printError(`ledgerflow ${command}: ${error?.stack ?? err}`);
    else printError(`ledgerflow ${command}: ${firstLine(error?.message ?? String(err))} (LEDGERFLOW_DEBUG=1 shows where)`);
    return 2;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim() || 'unexpected error';
}

/** node:util's parseArgs messages, shortened to the mistake. */
function optionProblem(err: Error): string {
  const code = (err as Error & { code?: string }).code;
  const option = /'(-[^' ]*)/.exec(err.message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `there is no option '${option}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `option '${option}' ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}`;
  return firstLine(err.message).replace(/\. To specify a positional.*$/, '');
}
