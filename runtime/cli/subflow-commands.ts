/** `subflow list|show|save`: the stored sub-flows, as the designer's palette and sub-flow dialog show them. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { catalog } from '../../nodes/catalog.ts';
import type { SubflowDefinition } from '../../nodes/subflow/subflow.ts';
import { listSubflows, saveSubflow, showSubflow } from '../app/subflows.ts';
import type { SubflowVersionRow } from '../store/subflows-repo.ts';
import { CliError } from './cli-error.ts';
import type { CommandContext, CommandDefinition } from './commands.ts';
import { table } from './format.ts';
import { withDatabase } from './store-env.ts';

const USAGE = 'usage: ledgerflow subflow list | show <name> [--version <n>] | save <name> <file.json> [--message "<why>"]';

const HEADERS = ['sub-flow', 'version', 'inputs', 'outputs', 'nodes', 'saved by', 'saved at', 'message'];
const versionRow = (v: SubflowVersionRow) => [v.name, v.version, v.inputs.join(', '), v.outputs.join(', '), v.nodeCount, v.createdBy ?? '', v.createdAt.replace('T', ' ').slice(0, 19), v.message ?? ''];

async function list(ctx: CommandContext): Promise<number> {
  return withDatabase(ctx.settings, async (database) => {
    const items = await listSubflows({ repos: database.service, store: database.store });
    if (ctx.values.json) ctx.out(JSON.stringify({ items }, null, 2));
    else if (!items.length) ctx.out('No sub-flows yet. Save one in the designer (select nodes → Save as sub-flow) or with: ledgerflow subflow save <name> <file.json>');
    else ctx.out(table([...HEADERS, 'used by'], items.map((s) => [...versionRow(s), s.usedBy.map((u) => `${u.flowId}@${u.version}`).join(', ')])));
    return 0;
  });
}

async function show(ctx: CommandContext): Promise<number> {
  const name = ctx.positionals[1];
  if (!name) throw new CliError(USAGE, 64);
  const raw = ctx.values.version as string | undefined;
  const version = raw === undefined ? undefined : Number(raw);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CliError(`--version must be a whole number of at least 1, not '${raw}'`, 64);
  return withDatabase(ctx.settings, async (database) => {
    const shown = await showSubflow({ repos: database.service, store: database.store }, name, version);
    if (ctx.values.json) {
      ctx.out(JSON.stringify(shown, null, 2));
      return 0;
    }
    const { subflow: s } = shown;
    ctx.out(`Sub-flow ${s.name}, version ${s.version} of ${shown.versions[0].version}${s.description ? `: ${s.description}` : ''}`);
    ctx.out(`  inputs:  ${s.definition.inputs.map((p) => `${p.id} → ${p.targets.map((t) => t.node + (t.port ? `.${t.port}` : '')).join(', ')}`).join('; ')}`);
    ctx.out(`  outputs: ${s.definition.outputs.map((p) => `${p.id} ← ${p.sources.map((t) => t.node + (t.port ? `.${t.port}` : '')).join(', ')}`).join('; ') || 'none'}`);
    ctx.out(table(['node', 'type', 'label'], s.definition.nodes.map((x) => [x.id, x.type, x.label ?? catalog.get(x.type)?.title ?? ''])));
    ctx.out(`  used by: ${shown.usedBy.map((u) => `${u.flowId} (node ${u.nodeId}, version ${u.version})`).join(', ') || 'no flow'}`);
    ctx.out('');
    ctx.out(table(HEADERS, shown.versions.map(versionRow)));
    return 0;
  });
}

async function save(ctx: CommandContext): Promise<number> {
  const [, name, file] = ctx.positionals;
  if (!name || !file) throw new CliError(USAGE, 64);
  let definition: SubflowDefinition;
  try {
    definition = JSON.parse(await readFile(resolve(file), 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file} as JSON: ${(err as Error).message}`, 2);
  }
  return withDatabase(ctx.settings, async (database) => {
    const result = await saveSubflow({ repos: database.service, catalog, evaluators: ctx.evaluators }, 'cli', { name, definition, message: ctx.values.message as string | undefined });
    if (ctx.values.json) ctx.out(JSON.stringify(result, null, 2));
    else ctx.out(result.unchanged
      ? `Sub-flow ${name} is unchanged: ${file} holds what version ${result.subflow.version} holds.`
      : `Saved sub-flow ${name} as version ${result.subflow.version} (${result.subflow.nodeCount} nodes; inputs ${result.subflow.inputs.join(', ')}; outputs ${result.subflow.outputs.join(', ') || 'none'}).`);
    return 0;
  });
}

export const SUBFLOW_COMMANDS: Record<string, CommandDefinition> = {
  subflow: {
    options: { version: { type: 'string' }, message: { type: 'string' }, json: { type: 'boolean' } },
    async run(ctx) {
      const sub = ctx.positionals[0];
      if (sub === 'list') return list(ctx);
      if (sub === 'show') return show(ctx);
      if (sub === 'save') return save(ctx);
      throw new CliError(USAGE, 64);
    },
  },
};
