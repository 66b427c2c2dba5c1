/**
 * The CLI's commands, by name; each returns the process exit code. A command's
 * module is imported only when it runs, so `ledgerflow runs` does not load the
 * server, the queue or the engine.
 */
import type { ParseArgsConfig } from 'node:util';
import type { EvaluatorRegistry } from '../evaluators.ts';
import type { Settings } from '../settings.ts';

export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The settings, parsed once at start. */
  settings: Settings;
  /** The command's JSONata evaluators, made once at start (runtime/evaluators.ts). */
  evaluators: EvaluatorRegistry;
  /** The environment, only for `$env:NAME` references in connections files. */
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandDefinition {
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number>;
}

type CommandGroup = () => Promise<Record<string, CommandDefinition>>;

const flow: CommandGroup = async () => (await import('./flow-commands.ts')).FLOW_COMMANDS;
const ops: CommandGroup = async () => (await import('./ops-commands.ts')).OPS_COMMANDS;
const dlq: CommandGroup = async () => (await import('./dlq-commands.ts')).DLQ_COMMANDS;
const worker: CommandGroup = async () => (await import('./worker-command.ts')).WORKER_COMMANDS;
const service: CommandGroup = async () => (await import('./service-commands.ts')).SERVICE_COMMANDS;
const reference: CommandGroup = async () => (await import('./reference-commands.ts')).REFERENCE_COMMANDS;
const subflow: CommandGroup = async () => (await import('./subflow-commands.ts')).SUBFLOW_COMMANDS;

const GROUP_OF: Record<string, CommandGroup> = {
  validate: flow, run: flow, replay: flow, nodes: flow,
  runs: ops, trace: ops, find: ops,
  dlq, retention: dlq,
  reference,
  subflow,
  worker,
  serve: service, users: service, examples: service,
};

export const COMMAND_NAMES = Object.keys(GROUP_OF);

/** The command named `name`, its module loaded; undefined when there is no such command. */
export async function loadCommand(name: string): Promise<CommandDefinition | undefined> {
  const group = Object.hasOwn(GROUP_OF, name) ? GROUP_OF[name] : undefined;
  return group ? (await group())[name] : undefined;
}
