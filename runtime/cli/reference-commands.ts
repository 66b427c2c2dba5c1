/** `reference load|list|show`: reference (master) data sets in the store, as the Reference data page manages them. */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { listReferenceSets, loadReferenceSet, referenceSetHistory, showReferenceSet } from '../app/reference-sets.ts';
import type { ReferenceSetVersion } from '../store/reference-sets.ts';
import { CliError } from './cli-error.ts';
import type { CommandContext, CommandDefinition } from './commands.ts';
import { table } from './format.ts';
import { withDatabase } from './store-env.ts';

const USAGE = 'usage: ledgerflow reference load <set> <file> --key <field>[,<field>…] [--valid-from <field>] [--valid-to <field>] [--multiple] | list | show <set> [--version <n>] [--rows <n>]';

const keyedBy = (v: ReferenceSetVersion) => [
  v.keyFields.join(' + '), v.validFrom || v.validTo ? `valid ${v.validFrom ?? '…'} – ${v.validTo ?? '…'}` : '', v.multiple ? 'one-to-many' : '',
].filter(Boolean).join(', ');

const versionRow = (v: ReferenceSetVersion) => [v.set, v.version, v.rowCount, keyedBy(v), v.sourceName ?? '', v.loadedBy ?? '', v.loadedAt.replace('T', ' ').slice(0, 19)];

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number of at least 1, not '${String(value)}'`, 64);
  return n;
}

async function load(ctx: CommandContext): Promise<number> {
  const [, set, file] = ctx.positionals;
  const key = ctx.values.key as string | undefined;
  if (!set || !file || !key) throw new CliError(USAGE, 64);
  let content: string;
  try {
    content = await readFile(resolve(file), 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  return withDatabase(ctx.settings, async (database) => {
    const result = await loadReferenceSet({ repos: database.service }, 'cli', {
      set, key: key.split(',').map((k) => k.trim()).filter(Boolean), fileName: basename(file), content,
      validFrom: ctx.values['valid-from'] as string | undefined, validTo: ctx.values['valid-to'] as string | undefined, multiple: Boolean(ctx.values.multiple),
    });
    if (ctx.values.json) ctx.out(JSON.stringify(result, null, 2));
    else ctx.out(result.unchanged
      ? `Reference data set ${set} is unchanged: ${file} holds what version ${result.version.version} holds.`
      : `Loaded ${result.version.rowCount} row(s) into reference data set ${set} as version ${result.version.version} (keyed by ${keyedBy(result.version)}).`);
    return 0;
  });
}

async function list(ctx: CommandContext): Promise<number> {
  return withDatabase(ctx.settings, async (database) => {
    const sets = await listReferenceSets({ repos: database.service });
    if (ctx.values.json) ctx.out(JSON.stringify({ items: sets }, null, 2));
    else if (!sets.length) ctx.out('No reference data sets yet. Load one with: ledgerflow reference load <set> <file> --key <field>');
    else ctx.out(table(['set', 'version', 'rows', 'keyed by', 'file', 'loaded by', 'loaded at'], sets.map(versionRow)));
    return 0;
  });
}

async function show(ctx: CommandContext): Promise<number> {
  const set = ctx.positionals[1];
  if (!set) throw new CliError(USAGE, 64);
  const version = positiveInt(ctx.values.version, 'version');
  const rows = positiveInt(ctx.values.rows, 'rows') ?? 20;
  return withDatabase(ctx.settings, async (database) => {
    const repos = { repos: database.service };
    const [history, shown] = await Promise.all([referenceSetHistory(repos, set), showReferenceSet(repos, set, version, rows)]);
    if (ctx.values.json) {
      ctx.out(JSON.stringify({ ...shown, versions: history.versions }, null, 2));
      return 0;
    }
    ctx.out(`Reference data set ${set}, version ${shown.version} of ${history.current.version} (keyed by ${keyedBy(shown)}), ${shown.rowCount} row(s)`);
    const fields = [...new Set(shown.rows.flatMap((r) => Object.keys(r)))];
    if (shown.rows.length) ctx.out(table(fields, shown.rows.map((r) => fields.map((f) => (r[f] === undefined || r[f] === null ? '' : typeof r[f] === 'object' ? JSON.stringify(r[f]) : String(r[f]))))));
    if (shown.truncated) ctx.out(`… the first ${rows} of ${shown.rowCount} rows (--rows <n> for more)`);
    ctx.out('');
    ctx.out(table(['set', 'version', 'rows', 'keyed by', 'file', 'loaded by', 'loaded at'], history.versions.map(versionRow)));
    return 0;
  });
}

export const REFERENCE_COMMANDS: Record<string, CommandDefinition> = {
  reference: {
    options: {
      key: { type: 'string' }, 'valid-from': { type: 'string' }, 'valid-to': { type: 'string' }, multiple: { type: 'boolean' },
      version: { type: 'string' }, rows: { type: 'string' }, json: { type: 'boolean' },
    },
    async run(ctx) {
      const sub = ctx.positionals[0];
      if (sub === 'load') return load(ctx);
      if (sub === 'list') return list(ctx);
      if (sub === 'show') return show(ctx);
      throw new CliError(USAGE, 64);
    },
  },
};
