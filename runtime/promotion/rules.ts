/**
 * Who may put which version where: pure functions over plain data, so the
 * API, the CLI and tests apply exactly the same rules.
 *
 * - the first environment (dev): analyst or admin deploy and roll back directly;
 * - later environments: admin only;
 * - environments that require approval (prod): only through a promotion —
 *   a rollback too — approved by an admin who neither requested it nor
 *   changed anything in it: no version saved and no draft edit since the
 *   version the environment runs (four-eyes);
 * - a version whose mapping tests fail is not deployed beyond the first
 *   environment;
 * - promotion follows the environment order (LEDGERFLOW_PROMOTION_ORDER): a
 *   version goes to an environment only after it had a finished run in the one
 *   before (`ran`, the default), or was at least deployed there (`deployed`);
 *   `off` allows any order. A version that already ran in the environment (a
 *   rollback) may always go back.
 */
import type { Role } from '../auth/roles.ts';
import type { EnvironmentConfig } from './environments.ts';

export type Decision = { ok: true } | { ok: false; status: 403 | 409 | 422; reason: string; requiredRole?: Role | Role[] };

/** Roles that may deploy to `env` (directly, or by approving a promotion). */
export function deployRoles(env: EnvironmentConfig): Role[] {
  return env.position === 0 ? ['analyst', 'admin'] : ['admin'];
}

/** A direct deployment (or rollback) by `role` to `env`. */
export function canDeployDirectly(role: Role, env: EnvironmentConfig, kind: 'deploy' | 'rollback' = 'deploy'): Decision {
  const roles = deployRoles(env);
  const verb = kind === 'rollback' ? 'Rolling back' : 'Deploying to';
  if (!roles.includes(role)) {
    return { ok: false, status: 403, requiredRole: roles.length === 1 ? roles[0] : roles, reason: `${verb} ${env.name} needs the ${roles.join(' or ')} role; you are ${role}.` };
  }
  if (env.requiresApproval) {
    return kind === 'rollback'
      ? { ok: false, status: 409, reason: `A rollback of ${env.name} needs a second admin (four-eyes): request a promotion of the earlier version instead; another admin approves it.` }
      : { ok: false, status: 409, reason: `${env.name} only takes versions through an approved promotion (four-eyes): request a promotion instead.` };
  }
  return { ok: true };
}

/**
 * Whether `role` may start a run in `env` by hand: analysts try their flows in
 * the first environment (dev) only; operators and admins run in every one.
 */
export function canStartRun(role: Role, env: EnvironmentConfig): Decision {
  if (env.position === 0 || role !== 'analyst') return { ok: true };
  return { ok: false, status: 403, requiredRole: ['operator', 'admin'], reason: `Starting a run in ${env.name} needs the operator or admin role; analysts run flows in the first environment only.` };
}

/** Whether a version whose tests `testsPassed` may go to `env`. */
export function testsGate(env: EnvironmentConfig, testsPassed: boolean, failing: string[]): Decision {
  if (env.position === 0 || testsPassed) return { ok: true };
  return { ok: false, status: 422, reason: `Version cannot go to ${env.name}: ${failing.length} mapping test(s) fail (${failing.join(', ')}).` };
}

export interface VersionAuthor {
  version: number;
  author: string;
}

/** A save of the draft: it went into version `afterVersion + 1`. */
export interface DraftAuthor {
  author: string;
  afterVersion: number;
}

/** Whether version `v` is among the changes `version` brings to an environment running `deployedVersion`. */
const brings = (v: number, version: number, deployedVersion: number | null) => v <= version && (deployedVersion === null || v > deployedVersion);

/**
 * The users who had a hand in `version`: who saved every version after the
 * one deployed in the target environment (all versions when none is) up to
 * and including `version`, who edited the draft that became those versions,
 * and who saved `version` itself.
 */
export function changeAuthors(versions: readonly VersionAuthor[], version: number, deployedVersion: number | null, draftChanges: readonly DraftAuthor[] = []): string[] {
  const authors = new Set<string>();
  for (const v of versions) if (brings(v.version, version, deployedVersion)) authors.add(v.author);
  for (const c of draftChanges) if (brings(c.afterVersion + 1, version, deployedVersion)) authors.add(c.author);
  const own = versions.find((v) => v.version === version);
  if (own) authors.add(own.author);
  return [...authors].sort();
}

/** Whether `approver` may approve a promotion of `version` to `env`, given the flow's versions and what `env` runs now. */
export function canApprove(input: {
  approver: { username: string; role: Role };
  env: EnvironmentConfig;
  version: number;
  versions: readonly VersionAuthor[];
  deployedVersion: number | null;
  /** Saves of the draft (who edited what went into the versions). */
  draftChanges?: readonly DraftAuthor[];
  /** Who requested the promotion. */
  requestedBy?: string;
}): Decision {
  const roles = deployRoles(input.env);
  const { approver, env, version, deployedVersion } = input;
  if (!roles.includes(approver.role)) {
    return { ok: false, status: 403, requiredRole: roles.length === 1 ? roles[0] : roles, reason: `Approving a promotion to ${env.name} needs the ${roles.join(' or ')} role; you are ${approver.role}.` };
  }
  if (!env.requiresApproval) return { ok: true };
  const me = approver.username;
  if (input.requestedBy === me) {
    return { ok: false, status: 403, requiredRole: 'admin', reason: `You requested this promotion; ${env.name} needs another admin to approve it (four-eyes).` };
  }
  if (!changeAuthors(input.versions, version, deployedVersion, input.draftChanges).includes(me)) return { ok: true };
  const saved = input.versions.filter((v) => v.author === me && (v.version === version || brings(v.version, version, deployedVersion))).map((v) => v.version);
  const edited = [...new Set((input.draftChanges ?? []).filter((c) => c.author === me && brings(c.afterVersion + 1, version, deployedVersion)).map((c) => c.afterVersion + 1))];
  const parts = [
    ...(saved.length ? [`saved version${saved.length > 1 ? 's' : ''} ${saved.join(', ')}`] : []),
    ...(edited.length ? [`edited the draft of version${edited.length > 1 ? 's' : ''} ${edited.join(', ')}`] : []),
  ];
  return { ok: false, status: 403, requiredRole: 'admin', reason: `You ${parts.join(' and ')}; ${env.name} promotion needs another admin (four-eyes).` };
}

/** Who may request a promotion to `env`: anyone who edits flows (analyst, admin). */
export function canRequestPromotion(role: Role, env: EnvironmentConfig): Decision {
  if (role === 'analyst' || role === 'admin') return { ok: true };
  return { ok: false, status: 403, requiredRole: ['analyst', 'admin'], reason: `Requesting a promotion to ${env.name} needs the analyst or admin role; you are ${role}.` };
}

/** How strictly promotion follows the environment order (see the file's comment). */
export const PROMOTION_ORDERS = ['ran', 'deployed', 'off'] as const;
export type PromotionOrder = (typeof PROMOTION_ORDERS)[number];

/** What is known of `version` in the environment before `env`, and in `env` itself. */
export interface OrderEvidence {
  previous: EnvironmentConfig | undefined;
  /** Deployed in the previous environment, now or before. */
  deployedInPrevious: boolean;
  /** Had a finished run (succeeded or completed with exceptions) in the previous environment. */
  ranInPrevious: boolean;
  /** Deployed in `env` itself before (going back to it is a rollback). */
  deployedHereBefore: boolean;
}

/** Whether `version` may go to `env` given the order rule. */
export function orderGate(order: PromotionOrder, env: EnvironmentConfig, version: number, e: OrderEvidence): Decision {
  if (order === 'off' || !e.previous || e.deployedHereBefore) return { ok: true };
  if (order === 'deployed' && (e.deployedInPrevious || e.ranInPrevious)) return { ok: true };
  if (order === 'ran' && e.ranInPrevious) return { ok: true };
  const need = order === 'ran' ? `a finished run in ${e.previous.name}` : `a deployment to ${e.previous.name}`;
  const has = e.deployedInPrevious ? ` (it is deployed there but has not run yet${order === 'ran' ? ': run it there first' : ''})` : ` (it was never deployed there: deploy it to ${e.previous.name} first)`;
  return { ok: false, status: 409, reason: `Version ${version} cannot go to ${env.name} before it went through ${e.previous.name}: promotion follows the environment order and needs ${need}${has}.` };
}
