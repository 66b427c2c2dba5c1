/**
 * Before a version is deployed: the connections it names that an environment
 * does not bind (or binds as another kind). A run there would fail on its
 * first record; saying so in the deploy dialog finds it before prod runs.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import type { AppContext } from './app-context.ts';
import { requireFlow, requireVersion } from './flow-checks.ts';
import type { ProblemItem } from './problem.ts';

export interface EnvironmentReadiness {
  environment: string;
  problems: ProblemItem[];
}

/** For every environment, the version's connections it does not bind. */
export async function connectionReadiness(ctx: AppContext, req: { flowId: string; version: number }): Promise<{ environments: EnvironmentReadiness[] }> {
  await requireFlow(ctx, req.flowId);
  const { document } = await requireVersion(ctx, req.flowId, req.version);
  const environments = await Promise.all([...ctx.environments].sort((a, b) => a.position - b.position).map(async (env): Promise<EnvironmentReadiness> => (
    { environment: env.name, problems: await unboundConnections(ctx, env, document) }
  )));
  return { environments };
}

/** The connections `document` declares that `env` does not bind, or binds as another kind. */
export async function unboundConnections(ctx: Pick<AppContext, 'repos'>, env: EnvironmentConfig, document: Pick<FlowDocument, 'connections'>): Promise<ProblemItem[]> {
  const bound = new Map((await ctx.repos.connections.listConnections(env.name)).map((c) => [c.name, c.kind]));
  const problems: ProblemItem[] = [];
  for (const [name, { kind }] of Object.entries(document.connections ?? {})) {
    const has = bound.get(name);
    if (has === undefined) problems.push({ path: `/connections/${name}`, message: `Connection '${name}' (${kind}) is not bound in ${env.name}: an admin binds it (Connections, ${env.name}) before a run there can reach it.` });
    else if (has !== kind) problems.push({ path: `/connections/${name}`, message: `Connection '${name}' is bound in ${env.name} as ${has}, but the flow uses it as ${kind}.` });
  }
  return problems;
}
