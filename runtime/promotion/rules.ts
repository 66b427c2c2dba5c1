/**
 * Who may put which version where: pure functions over plain data, so the
 * API, the CLI and tests apply exactly the same rules.
 *
 * - the first environment (dev): analyst or admin deploy directly;
 * - later environments: admin only;
 * - environments that require approval (prod): only through a promotion
 *   approved by an admin who authored no version in it (four-eyes);
 * - a version whose mapping tests fail is not deployed beyond the first
 *   environment.
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
  if (!roles.includes(role)) {
    return { ok: false, status: 403, requiredRole: roles.length === 1 ? roles[0] : roles, reason: `Deploying to ${env.name} needs the ${roles.join(' or ')} role; you are ${role}.` };
  }
  if (env.requiresApproval && kind === 'deploy') {
    return { ok: false, status: 409, reason: `${env.name} only takes versions through an approved promotion (four-eyes): request a promotion instead.` };
  }
  return { ok: true };
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

/**
 * The users who authored a change in `version`: authors of every version
 * after the one deployed in the target environment (all versions when none
 * is) up to and including `version`, plus the author of `version` itself.
 */
export function changeAuthors(versions: readonly VersionAuthor[], version: number, deployedVersion: number | null): string[] {
  const authors = new Set<string>();
  for (const v of versions) {
    if (v.version <= version && (deployedVersion === null || v.version > deployedVersion)) authors.add(v.author);
  }
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
}): Decision {
  const roles = deployRoles(input.env);
  if (!roles.includes(input.approver.role)) {
    return { ok: false, status: 403, requiredRole: roles.length === 1 ? roles[0] : roles, reason: `Approving a promotion to ${input.env.name} needs the ${roles.join(' or ')} role; you are ${input.approver.role}.` };
  }
  const authors = changeAuthors(input.versions, input.version, input.deployedVersion);
  if (input.env.requiresApproval && authors.includes(input.approver.username)) {
    const own = input.versions
      .filter((v) => v.author === input.approver.username && v.version <= input.version && (v.version === input.version || input.deployedVersion === null || v.version > input.deployedVersion))
      .map((v) => v.version);
    return { ok: false, status: 403, requiredRole: 'admin', reason: `You authored version${own.length > 1 ? 's' : ''} ${own.join(', ')}; ${input.env.name} promotion needs another admin (four-eyes).` };
  }
  return { ok: true };
}

/** Who may request a promotion to `env`: anyone who edits flows (analyst, admin). */
export function canRequestPromotion(role: Role, env: EnvironmentConfig): Decision {
  if (role === 'analyst' || role === 'admin') return { ok: true };
  return { ok: false, status: 403, requiredRole: ['analyst', 'admin'], reason: `Requesting a promotion to ${env.name} needs the analyst or admin role; you are ${role}.` };
}
