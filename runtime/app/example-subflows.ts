/**
 * The example sub-flows: `flows/subflows/<name>/subflow.json`, each a pinned
 * sub-flow (`name`, `version`, ports, nodes, edges) as the example flows
 * carry it. They are saved into the store before the flows that use them, so
 * the designer lists them and a flow's pinned copy is the stored version.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { definitionOf, pinnedSubflows } from '../../nodes/subflow/definition.ts';
import type { SubflowConfig } from '../../nodes/subflow/subflow.ts';
import { subflowHash } from '../store/subflows-repo.ts';
import type { AppContext } from './app-context.ts';
import { saveSubflow } from './subflows.ts';

/** The folder under an examples folder holding its sub-flows. */
export const EXAMPLE_SUBFLOWS_DIR = 'subflows';

export interface LoadedExampleSubflow {
  name: string;
  version: number;
  skipped?: string;
}

/** Every `<dir>/subflows/<name>/subflow.json`, by name. */
export async function readExampleSubflows(dir: string): Promise<Map<string, SubflowConfig>> {
  const root = join(dir, EXAMPLE_SUBFLOWS_DIR);
  const found = new Map<string, SubflowConfig>();
  if (!existsSync(root)) return found;
  for (const entry of (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(root, entry.name, 'subflow.json');
    if (!existsSync(path)) continue;
    const config = JSON.parse(await readFile(path, 'utf8')) as SubflowConfig;
    found.set(config.name, config);
  }
  return found;
}

/** Sub-flows a sub-flow uses come first (a stored version of it checks their copies). */
function usingOrder(subflows: Map<string, SubflowConfig>): SubflowConfig[] {
  const ordered: SubflowConfig[] = [];
  const seen = new Set<string>();
  const visit = (config: SubflowConfig) => {
    if (seen.has(config.name)) return;
    seen.add(config.name);
    for (const used of pinnedSubflows(config.nodes ?? [])) {
      const file = subflows.get(used.config.name);
      if (file) visit(file);
    }
    ordered.push(config);
  };
  for (const config of subflows.values()) visit(config);
  return ordered;
}

/**
 * Saves each example sub-flow as the version it names (by `system`, audited);
 * one the store holds already with that content is left alone, and one whose
 * version the store cannot take next (it holds another content there, or an
 * earlier version is missing) is skipped with the reason.
 */
export async function loadExampleSubflows(ctx: Pick<AppContext, 'repos' | 'catalog' | 'evaluators'>, dir: string): Promise<LoadedExampleSubflow[]> {
  const results: LoadedExampleSubflow[] = [];
  for (const config of usingOrder(await readExampleSubflows(dir))) {
    const { name, version } = config;
    const definition = definitionOf(config);
    const stored = await ctx.repos.subflows.get(name, version);
    if (stored) {
      results.push({ name, version, skipped: stored.hash === subflowHash(definition) ? 'already exists' : `the store's version ${version} differs from the file` });
      continue;
    }
    const latest = (await ctx.repos.subflows.get(name))?.version ?? 0;
    if (latest !== version - 1) {
      results.push({ name, version, skipped: `the store holds version ${latest}, not ${version - 1}` });
      continue;
    }
    await saveSubflow(ctx, 'system', { name, definition, message: `Example loaded from flows/${EXAMPLE_SUBFLOWS_DIR}/${name}` });
    results.push({ name, version });
  }
  return results;
}
