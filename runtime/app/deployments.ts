/**
 * Deployments, promotions (requested, approved under four-eyes, rejected) and
 * rollbacks with their rules (runtime/promotion). Each change and its audit
 * entry commit together, whoever calls.
 */
import type { AuthUser } from '../auth/roles.ts';
import { canApprove, canDeployDirectly, canRequestPromotion, changeAuthors, orderGate, testsGate, type Decision } from '../promotion/rules.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import type { DeploymentRow, PromotionRow } from '../store/service-deployments.ts';
import type { AppContext } from './app-context.ts';
import { requireFlow, requireVersion } from './flow-checks.ts';
import { mappingTestsOf } from './mapping-test-runs.ts';
import { AppProblem, conflict, notFound } from './problem.ts';
import { assertReferenceDataReady } from './reference-sets.ts';

function enforce(decision: Decision): void {
  if (!decision.ok) throw new AppProblem(decision.status, decision.reason, { requiredRole: decision.requiredRole });
}

export const deploymentView = (d: DeploymentRow) => ({ environment: d.environment, version: d.version, deployedBy: d.deployedBy, deployedAt: d.deployedAt });

async function requireFlowVersion(ctx: AppContext, flowId: string, version: number) {
  await requireFlow(ctx, flowId);
  return requireVersion(ctx, flowId, version);
}

/** Runs the version's mapping tests (and stores the outcome); 422 listing the failures when `env` needs them to pass. */
async function gateOnTests(ctx: AppContext, env: EnvironmentConfig, flowId: string, version: number): Promise<void> {
  if (env.position === 0) return;
  const v = (await ctx.store.getVersion(flowId, version))!;
  const { passed, results } = await mappingTestsOf(ctx, v.document);
  await ctx.repos.deployments.putTestResults(flowId, version, passed, results);
  const failing = results.filter((r) => !r.passed);
  const decision = testsGate(env, passed, failing.map((r) => r.name));
  if (!decision.ok) {
    throw new AppProblem(422, decision.reason, {
      problems: failing.map((r) => ({
        path: `/tests/${v.document.tests?.findIndex((t) => t.name === r.name) ?? 0}`,
        message: `Mapping test '${r.name}' fails: ${r.error ?? r.differences.map((d) => `${d.path || '(whole output)'} ${d.kind}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`).join('; ')}`,
        ...(r.node ? { nodeId: r.node } : {}),
      })),
      extra: { testResults: results },
    });
  }
}

/** 422 listing the version's reference-data problems (unknown set, a key that is not the set's …). */
async function gateOnReferenceData(ctx: AppContext, env: EnvironmentConfig, flowId: string, version: number): Promise<void> {
  const v = (await ctx.store.getVersion(flowId, version))!;
  await assertReferenceDataReady(ctx, v.document, env.name);
}

/** 409 unless `version` went through the environment before `env` as LEDGERFLOW_PROMOTION_ORDER requires. */
async function gateOnOrder(ctx: AppContext, env: EnvironmentConfig, flowId: string, version: number): Promise<void> {
  const order = ctx.deps.promotionOrder ?? 'ran';
  const previous = ctx.environments.find((e) => e.position === env.position - 1);
  if (order === 'off' || !previous) return;
  const { deployments } = ctx.repos;
  const [here, before, ran] = await Promise.all([
    deployments.deploymentHistory(flowId, env.name), deployments.deploymentHistory(flowId, previous.name), deployments.versionRanIn(flowId, version, previous.name),
  ]);
  enforce(orderGate(order, env, version, {
    previous, ranInPrevious: ran, deployedInPrevious: before.some((h) => h.version === version), deployedHereBefore: here.some((h) => h.version === version),
  }));
}

/** A direct deploy or a rollback to an environment. */
export async function deployVersion(ctx: AppContext, user: AuthUser, req: { flowId: string; environment: string; version: number; kind: 'deploy' | 'rollback' }) {
  const env = ctx.environment(req.environment);
  await requireFlowVersion(ctx, req.flowId, req.version);
  enforce(canDeployDirectly(user.role, env, req.kind));
  if (req.kind === 'rollback') {
    const history = await ctx.repos.deployments.deploymentHistory(req.flowId, env.name);
    if (!history.some((h) => h.version === req.version)) {
      throw new AppProblem(422, `Version ${req.version} was never deployed to ${env.name}; a rollback goes back to a version that ran there before${env.requiresApproval ? ' (promote a new version instead)' : ''}.`, { problems: [{ path: '/version', message: `never deployed to ${env.name}` }] });
    }
  } else {
    await gateOnOrder(ctx, env, req.flowId, req.version);
    await gateOnReferenceData(ctx, env, req.flowId, req.version);
    await gateOnTests(ctx, env, req.flowId, req.version);
  }
  return ctx.repos.transaction(async (tx) => {
    const { before, after } = await ctx.repos.deployments.deploy({ flowId: req.flowId, environment: env.name, version: req.version, by: user.username, kind: req.kind }, tx);
    await ctx.repos.audit.append({
      actor: user.username, action: req.kind === 'rollback' ? 'deployment.rolled-back' : 'deployment.deployed', entity: 'deployment', entityId: `${req.flowId}/${env.name}`,
      before: before && deploymentView(before), after: deploymentView(after),
    }, tx);
    return deploymentView(after);
  });
}

export async function requestPromotion(ctx: AppContext, user: AuthUser, req: { flowId: string; environment: string; version: number }): Promise<PromotionRow> {
  const env = ctx.environment(req.environment);
  await requireFlowVersion(ctx, req.flowId, req.version);
  enforce(canRequestPromotion(user.role, env));
  const deployed = await ctx.repos.deployments.getDeployment(req.flowId, env.name);
  if (deployed?.version === req.version) throw conflict(`Version ${req.version} already runs in ${env.name}.`);
  const pending = (await ctx.repos.deployments.listPromotions({ status: 'pending', flowId: req.flowId })).find((p) => p.environment === env.name);
  if (pending) throw conflict(`A promotion of '${req.flowId}' to ${env.name} is already pending (${pending.id}, version ${pending.version}); approve or reject it first.`);
  await gateOnOrder(ctx, env, req.flowId, req.version);
  await gateOnReferenceData(ctx, env, req.flowId, req.version);
  await gateOnTests(ctx, env, req.flowId, req.version);
  const versions = await ctx.store.listVersions(req.flowId);
  const authors = changeAuthors(versions, req.version, deployed?.version ?? null, await ctx.store.listDraftChanges(req.flowId));
  return ctx.repos.transaction(async (tx) => {
    const p = await ctx.repos.deployments.createPromotion({ ...req, environment: env.name, requestedBy: user.username, authors }, tx);
    await ctx.repos.audit.append({ actor: user.username, action: 'promotion.requested', entity: 'promotion', entityId: p.id, after: p }, tx);
    return p;
  });
}

/** The promotion as the current user sees it: may they approve it, and if not, why. */
export async function promotionView(ctx: AppContext, user: AuthUser, p: PromotionRow) {
  const base = { id: p.id, flowId: p.flowId, version: p.version, environment: p.environment, status: p.status, requestedBy: p.requestedBy, requestedAt: p.requestedAt, authors: p.authors, decidedBy: p.decidedBy, decidedAt: p.decidedAt, reason: p.reason };
  if (p.status !== 'pending') return { ...base, canApprove: false, cannotApproveReason: `This promotion was already ${p.status}.` };
  const env = ctx.environments.find((e) => e.name === p.environment);
  if (!env) return { ...base, canApprove: false, cannotApproveReason: `Environment ${p.environment} is no longer configured.` };
  const deployed = await ctx.repos.deployments.getDeployment(p.flowId, env.name);
  const decision = canApprove(await approvalInput(ctx, user, env, p, deployed?.version ?? null));
  return decision.ok ? { ...base, canApprove: true } : { ...base, canApprove: false, cannotApproveReason: decision.reason };
}

/** What the four-eyes rule looks at: every hand in the versions the promotion brings, and who asked for it. */
async function approvalInput(ctx: AppContext, user: AuthUser, env: EnvironmentConfig, p: PromotionRow, deployedVersion: number | null) {
  return {
    approver: user, env, version: p.version, deployedVersion, requestedBy: p.requestedBy,
    versions: await ctx.store.listVersions(p.flowId), draftChanges: await ctx.store.listDraftChanges(p.flowId),
  };
}

async function requirePendingPromotion(ctx: AppContext, id: string) {
  const p = await ctx.repos.deployments.getPromotion(id);
  if (!p) throw notFound(`Promotion ${id} does not exist.`);
  if (p.status !== 'pending') throw conflict(`Promotion ${id} was already ${p.status}${p.decidedBy ? ` by ${p.decidedBy}` : ''}.`);
  return p;
}

export async function approvePromotion(ctx: AppContext, user: AuthUser, id: string) {
  const p = await requirePendingPromotion(ctx, id);
  const env = ctx.environment(p.environment);
  const deployed = await ctx.repos.deployments.getDeployment(p.flowId, env.name);
  enforce(canApprove(await approvalInput(ctx, user, env, p, deployed?.version ?? null)));
  await gateOnOrder(ctx, env, p.flowId, p.version);
  await gateOnReferenceData(ctx, env, p.flowId, p.version);
  await gateOnTests(ctx, env, p.flowId, p.version);
  return ctx.repos.transaction(async (tx) => {
    const decided = await ctx.repos.deployments.decidePromotion(id, { status: 'approved', by: user.username, reason: null }, tx);
    if (!decided) throw conflict(`Promotion ${id} was decided by someone else meanwhile.`);
    // Promoting an earlier version is how an environment that needs approval is rolled back.
    const kind = deployed && p.version < deployed.version ? 'rollback' : 'promotion';
    const { before, after } = await ctx.repos.deployments.deploy({ flowId: p.flowId, environment: env.name, version: p.version, by: user.username, kind, promotionId: id }, tx);
    await ctx.repos.audit.append([
      { actor: user.username, action: 'promotion.approved', entity: 'promotion', entityId: id, before: p, after: decided },
      { actor: user.username, action: kind === 'rollback' ? 'deployment.rolled-back' : 'deployment.promoted', entity: 'deployment', entityId: `${p.flowId}/${env.name}`, before: before && deploymentView(before), after: { ...deploymentView(after), promotionId: id, requestedBy: p.requestedBy } },
    ], tx);
    return { promotion: decided, deployment: deploymentView(after) };
  });
}

export async function rejectPromotion(ctx: AppContext, user: AuthUser, id: string, reason: string) {
  const p = await requirePendingPromotion(ctx, id);
  const env = ctx.environment(p.environment);
  // Rejecting needs the same role as approving, but not four-eyes: an author may withdraw their own request.
  if (user.role !== 'admin' && user.username !== p.requestedBy) {
    throw new AppProblem(403, `Rejecting a promotion to ${env.name} needs the admin role (or being the one who requested it).`, { requiredRole: 'admin' });
  }
  return ctx.repos.transaction(async (tx) => {
    const decided = await ctx.repos.deployments.decidePromotion(id, { status: 'rejected', by: user.username, reason }, tx);
    if (!decided) throw conflict(`Promotion ${id} was decided by someone else meanwhile.`);
    await ctx.repos.audit.append({ actor: user.username, action: 'promotion.rejected', entity: 'promotion', entityId: id, before: p, after: decided }, tx);
    return decided;
  });
}
