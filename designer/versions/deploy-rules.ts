/**
 * What the deploy dialog offers per environment, by role (the server enforces
 * the same rules; this only decides which button to show and why):
 * dev — analysts and admins deploy; test — admins deploy, analysts request a
 * promotion; environments that require approval (prod) — promotion only,
 * approved by an admin who authored none of the version's changes.
 */
import type { Environment, Promotion } from '../../runtime/api/contract/schemas.ts';
import type { Role } from '../../runtime/api/contract/enums.ts';

export type DeployOption =
  | { kind: 'deploy'; label: string }
  | { kind: 'request'; label: string; why: string }
  | { kind: 'pending'; label: string; promotion: Promotion }
  | { kind: 'none'; why: string };

/** The first environment (lowest position) is the development one. */
export function isDevelopment(env: Environment, all: Environment[]): boolean {
  return env.position === Math.min(...all.map((e) => e.position));
}

export function deployOption(role: Role, env: Environment, all: Environment[], version: number, live: number | null, pending: Promotion[]): DeployOption {
  if (role === 'operator') return { kind: 'none', why: 'Operators run and watch flows; an analyst or admin deploys them.' };
  const waiting = pending.find((p) => p.environment === env.name && p.version === version && p.status === 'pending');
  if (waiting) return { kind: 'pending', label: 'Waiting for approval', promotion: waiting };
  const verb = live !== null && version < live ? `Roll back to v${version}` : live === version ? `Redeploy v${version}` : `Deploy v${version}`;
  if (env.requiresApproval) {
    return { kind: 'request', label: `Request promotion of v${version}`, why: fourEyesRule(env.name) };
  }
  if (isDevelopment(env, all) || role === 'admin') return { kind: 'deploy', label: verb };
  return { kind: 'request', label: `Request promotion of v${version}`, why: `Only admins deploy to ${env.name} directly.` };
}

/** The four-eyes rule as the server applies it (runtime/promotion/rules.ts). */
export function fourEyesRule(envName: string): string {
  return `${envName} needs the approval of an admin who neither requested the promotion nor changed the flow since the version ${envName} runs (saved a version or edited the draft): four-eyes rule.`;
}

/** Why the current user cannot approve, as the server says, or a fallback for non-admins. */
export function approvalBlocker(role: Role, promotion: Promotion): string | null {
  if (role !== 'admin') return 'Only an admin can approve a promotion.';
  if (promotion.canApprove === false) return promotion.cannotApproveReason ?? 'You cannot approve this promotion.';
  return null;
}
