/** The CLI's commands, by name; each returns the process exit code. */
import type { ParseArgsConfig } from 'node:util';
import type { Settings } from '../settings.ts';
import { FLOW_COMMANDS } from './flow-commands.ts';
import { OPS_COMMANDS } from './ops-commands.ts';
import { DLQ_COMMANDS } from './dlq-commands.ts';
import { SERVICE_COMMANDS } from './service-commands.ts';
import { WORKER_COMMANDS } from './worker-command.ts';

export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The settings, parsed once at start. */
  settings: Settings;
  /** The environment, only for `$env:NAME` references in connections files. */
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandDefinition {
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number>;
}

export const COMMANDS: Record<string, CommandDefinition> = { ...FLOW_COMMANDS, ...OPS_COMMANDS, ...DLQ_COMMANDS, ...WORKER_COMMANDS, ...SERVICE_COMMANDS };
