/**
 * A flow against one environment before it is deployed there (the deploy
 * dialog) or while it is drafted (the problems panel): the connections it
 * uses that the environment does not bind, and its table targets checked
 * against the live database the environment binds (missing table or column,
 * a NOT NULL column left without a value, a constant its column's type
 * cannot hold, and the values the flow's stored samples give its columns
 * that their types cannot hold: sample-value-checks.ts). The databases are only read (information_schema). Who may
 * look at an environment's databases is who may run there: analysts the
 * first environment, operators and admins every one.
 */
import { FlowError } from '../../nodes/errors.ts';
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';
import { TABLE_TARGET_TYPES, tableTargetFindings, type TableTargetShape } from '../../nodes/target/column-fit.ts';
import type { AuthUser } from '../auth/roles.ts';
import type { TargetSchema } from '../connectors/target-schema.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import { canStartRun } from '../promotion/rules.ts';
import type { AppContext } from './app-context.ts';
import { unboundConnections } from './connection-readiness.ts';
import { requireFlow, requireVersion } from './flow-checks.ts';
import { AppProblem, notFound, type ProblemItem } from './problem.ts';
import { sampleValueProblems, type CheckedTarget } from './sample-value-checks.ts';

/** How a use case reads a connection's database (runtime/connectors/environment-connections.ts). */
export interface SchemaReader {
  schema(environment: string, name: string): Promise<TargetSchema | null>;
}

export interface EnvironmentChecks {
  environment: string;
  /** Checked against the draft, or that version. */
  version: number | null;
  problems: ProblemItem[];
  /** The table targets checked against a database. */
  checkedTargets: number;
  /** The stored samples whose records were checked against the targets' column types. */
  checkedSamples: string[];
}

/** 403 unless `actor` may look into `env`'s databases (as for starting a run there). */
export function assertMayInspect(actor: Pick<AuthUser, 'role'>, env: EnvironmentConfig): void {
  const allowed = canStartRun(actor.role, env);
  if (!allowed.ok) throw new AppProblem(403, `Reading the databases of ${env.name} needs the operator or admin role; analysts look into the first environment only.`, { requiredRole: allowed.requiredRole });
}

const isTableTarget = (n: FlowNode) => TABLE_TARGET_TYPES.includes(n.type) && typeof (n.config as { connection?: unknown })?.connection === 'string';

/** Every finding of `document`'s table targets against the databases `env` binds. */
async function tableProblems(reader: SchemaReader, env: EnvironmentConfig, document: FlowDocument, skip: Set<string>): Promise<{ problems: ProblemItem[]; checked: CheckedTarget[] }> {
  const problems: ProblemItem[] = [];
  const schemas = new Map<string, Promise<TargetSchema | null>>();
  const checked: CheckedTarget[] = [];
  for (const [index, node] of document.nodes.entries()) {
    if (!isTableTarget(node)) continue;
    const config = node.config as unknown as TableTargetShape & { connection: string };
    if (!config.connection || skip.has(config.connection) || !config.table) continue;
    if (!schemas.has(config.connection)) schemas.set(config.connection, reader.schema(env.name, config.connection));
    let schema: TargetSchema | null;
    try {
      schema = await schemas.get(config.connection)!;
    } catch (err) {
      problems.push({ path: `/nodes/${index}/config/connection`, nodeId: node.id, message: `${nodeName(node)}: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    if (!schema) continue;
    checked.push({ index, node, schema });
    if (schema.truncated) problems.push({ path: `/nodes/${index}/config/table`, nodeId: node.id, message: `${nodeName(node)}: connection '${config.connection}' in ${env.name} has more tables than are read at once; only the first were checked` });
    for (const f of tableTargetFindings(config, schema.tables, schema.searchPath, `'${config.connection}' in ${env.name}`)) {
      problems.push({ path: `/nodes/${index}/config${f.path}`, nodeId: node.id, message: `${nodeName(node)}: ${f.message}` });
    }
  }
  return { problems, checked };
}

const nodeName = (n: FlowNode) => (n.label ? `${n.label} (${n.id})` : `Node '${n.id}'`);

/** The checks of a flow's draft (no `version`) or of one version against environment `environment`. */
export async function environmentChecks(ctx: AppContext, reader: SchemaReader, req: { flowId: string; version?: number; environment: string; actor: Pick<AuthUser, 'role'> }): Promise<EnvironmentChecks> {
  const env = ctx.environment(req.environment);
  assertMayInspect(req.actor, env);
  const flow = await requireFlow(ctx, req.flowId);
  const document = req.version === undefined ? flow.draft : (await requireVersion(ctx, req.flowId, req.version)).document;
  const unbound = await unboundConnections(ctx, env, document);
  const skip = new Set(unbound.map((p) => p.path.slice('/connections/'.length)));
  const tables = await tableProblems(reader, env, document, skip);
  const values = await sampleValueProblems(ctx, flow.id, document, tables.checked, nodeName);
  return {
    environment: env.name, version: req.version ?? null, problems: [...unbound, ...tables.problems, ...values.problems],
    checkedTargets: tables.checked.length, checkedSamples: values.samples,
  };
}

/** The tables and columns of connection `connection`'s database in `environment`, for the inspector's picker. */
export async function connectionSchema(ctx: AppContext, reader: SchemaReader, req: { environment: string; connection: string; actor: Pick<AuthUser, 'role'> }): Promise<TargetSchema> {
  const env = ctx.environment(req.environment);
  assertMayInspect(req.actor, env);
  let schema: TargetSchema | null;
  try {
    schema = await reader.schema(env.name, req.connection);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw err instanceof FlowError && err.errorClass === 'permanent' ? new AppProblem(422, message) : new AppProblem(502, message, { title: 'Database not reachable' });
  }
  if (!schema) throw notFound(`${env.name} has no connection '${req.connection}'.`);
  return schema;
}
