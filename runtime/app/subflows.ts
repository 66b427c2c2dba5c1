/**
 * Sub-flows: save a group of nodes as a new version of a named sub-flow
 * (audited), list them with the flows that use each, show one version, and
 * check that the copies flows pin are the stored versions they name.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { definitionOf, pinnedSubflows, subflowProblems } from '../../nodes/subflow/definition.ts';
import type { SubflowDefinition } from '../../nodes/subflow/subflow.ts';
import { subflowHash, type StoredSubflow, type SubflowVersionRow } from '../store/subflows-repo.ts';
import type { AppContext } from './app-context.ts';
import { problemItems } from './flow-checks.ts';
import { AppProblem, notFound, type ProblemItem } from './problem.ts';

/** A flow (its draft) using a sub-flow, at the version it pins. */
export interface SubflowUse {
  flowId: string;
  flowName: string;
  nodeId: string;
  version: number;
  /** The sub-flows it is used through, outermost first (absent: the flow uses it itself). */
  via?: string[];
}

export interface SubflowSummary extends SubflowVersionRow {
  usedBy: SubflowUse[];
}

async function usesOf(ctx: Pick<AppContext, 'store'>): Promise<Map<string, SubflowUse[]>> {
  const uses = new Map<string, SubflowUse[]>();
  for (const flow of await ctx.store.listFlows()) {
    for (const { outerNodeId, config, via } of pinnedSubflows(flow.draft.nodes ?? [])) {
      const list = uses.get(config.name) ?? [];
      list.push({ flowId: flow.id, flowName: flow.name, nodeId: outerNodeId, version: config.version, ...(via.length ? { via } : {}) });
      uses.set(config.name, list);
    }
  }
  return uses;
}

/** Every sub-flow at its latest version, with the flows whose drafts use it. */
export async function listSubflows(ctx: Pick<AppContext, 'repos' | 'store'>): Promise<SubflowSummary[]> {
  const [rows, uses] = await Promise.all([ctx.repos.subflows.listLatest(), usesOf(ctx)]);
  return rows.map((r) => ({ ...r, usedBy: uses.get(r.name) ?? [] }));
}

/** One version (default the latest) with its content, every version, and the flows using it; 404 when missing. */
export async function showSubflow(ctx: Pick<AppContext, 'repos' | 'store'>, name: string, version?: number): Promise<{ subflow: StoredSubflow; versions: SubflowVersionRow[]; usedBy: SubflowUse[] }> {
  const subflow = await ctx.repos.subflows.get(name, version);
  if (!subflow) throw notFound(version === undefined ? `There is no sub-flow '${name}'.` : `Sub-flow '${name}' has no version ${version}.`);
  const versions = await ctx.repos.subflows.listVersions(name);
  return { subflow, versions, usedBy: (await usesOf(ctx)).get(name) ?? [] };
}

/** Saves a group of nodes as the next version of `name` (nothing new when it is the latest one unchanged); 422 with every problem. */
export async function saveSubflow(ctx: Pick<AppContext, 'repos' | 'catalog' | 'evaluators'>, actor: string, req: { name: string; definition: SubflowDefinition; message?: string }): Promise<{ subflow: StoredSubflow; unchanged: boolean }> {
  const checked = problemItems(subflowProblems(req.name, req.definition, ctx.catalog, ctx.evaluators.for({} as FlowDocument)));
  const problems = checked.length ? checked : await pinnedSubflowProblems(ctx, req.definition);
  if (problems.length) {
    throw new AppProblem(422, `Sub-flow '${req.name}' has ${problems.length} problem(s); nothing was saved. ${problems.slice(0, 3).map((p) => p.message).join(' ')}`, { problems });
  }
  const { repos } = ctx;
  const put = await repos.transaction(async (tx) => {
    const put = await repos.subflows.put(tx, { name: req.name, definition: req.definition, message: req.message, createdBy: actor });
    if (!put.unchanged) {
      const { definition: _d, ...after } = put.saved;
      await repos.audit.append({ actor, action: 'subflow.saved', entity: 'subflow', entityId: `${req.name}@${put.saved.version}`, before: put.previous, after }, tx);
    }
    return put;
  });
  return { subflow: put.saved, unchanged: put.unchanged };
}

/**
 * Sub-flow nodes whose pinned copy is not the stored version it names (edited
 * by hand, or a store where that version differs). A copy of a sub-flow the
 * store does not hold (a flow file from elsewhere) is taken as it is.
 */
export async function pinnedSubflowProblems(ctx: Pick<AppContext, 'repos'>, doc: Pick<FlowDocument, 'nodes'>): Promise<ProblemItem[]> {
  const problems: ProblemItem[] = [];
  // Nested copies too: a sub-flow's stored version pins the versions of those it uses.
  for (const { path, nodeId, outerNodeId, config, via } of pinnedSubflows(doc.nodes ?? [])) {
    const stored = await ctx.repos.subflows.get(config.name, config.version);
    if (stored && stored.hash !== subflowHash(definitionOf(config))) {
      const inside = via.length ? ` (inside sub-flow ${via.map((v) => `'${v}'`).join(' › ')})` : '';
      problems.push({ path: `${path}/config`, nodeId: outerNodeId, message: `Sub-flow node '${nodeId}'${inside} pins '${config.name}' version ${config.version}, but its content differs from that stored version: update it to a stored version (or save the change as a new version of the sub-flow).` });
    }
  }
  return problems;
}
