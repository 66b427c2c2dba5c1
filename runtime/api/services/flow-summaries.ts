/** Flow list rows: the flow with its latest version and what each environment runs. */
import type { FlowRow } from '../../store/store.ts';
import type { ApiContext } from '../app-env.ts';
import { documentHash } from '../../store/canonical-json.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';

export interface FlowSummary {
  id: string;
  name: string;
  description: string | null;
  updatedAt: string;
  updatedBy: string | null;
  latestVersion: number | null;
  deployments: Record<string, number | null>;
}

export async function flowSummaries(ctx: ApiContext, flows: FlowRow[]): Promise<FlowSummary[]> {
  if (!flows.length) return [];
  const { rows } = await ctx.repos.sql.query<{ flow_id: string; latest: unknown }>('select flow_id, max(version) as latest from flow_versions group by flow_id');
  const latest = new Map(rows.map((r) => [r.flow_id, Number(r.latest)]));
  const deployments = await ctx.repos.deployments.listDeployments();
  return flows.map((f) => {
    const deployed: Record<string, number | null> = Object.fromEntries(ctx.environments.map((e) => [e.name, null]));
    for (const d of deployments) if (d.flowId === f.id) deployed[d.environment] = d.version;
    return { id: f.id, name: f.name, description: f.description, updatedAt: f.updatedAt, updatedBy: f.updatedBy, latestVersion: latest.get(f.id) ?? null, deployments: deployed };
  });
}

export async function flowSummary(ctx: ApiContext, flow: FlowRow): Promise<FlowSummary> {
  return (await flowSummaries(ctx, [flow]))[0];
}

/** What the audit log keeps of a document: enough to identify it, not a copy. */
export const documentFingerprint = (doc: FlowDocument) => ({ name: doc.name, hash: documentHash(doc), nodes: doc.nodes?.length ?? 0, edges: doc.edges?.length ?? 0 });
