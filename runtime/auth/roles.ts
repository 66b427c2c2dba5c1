/**
 * The three roles and what each may do. Routes declare the roles they allow;
 * the check happens on the server for every request.
 */
export type Role = 'analyst' | 'admin' | 'operator';

export const ROLES: readonly Role[] = ['analyst', 'admin', 'operator'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The signed-in user as routes see it (never the password hash). */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  displayName: string;
  /** How the request authenticated. */
  via: 'session' | 'token';
}

/** Role sets used by routes. */
export const ANY_ROLE: readonly Role[] = ROLES;
export const EDITORS: readonly Role[] = ['analyst', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];
export const OPERATORS: readonly Role[] = ['operator', 'admin'];
export const RUNNERS: readonly Role[] = ['analyst', 'admin', 'operator'];

/** "admin", "analyst or admin", "operator, analyst or admin": for 403 messages. */
export function describeRoles(roles: readonly Role[]): string {
  if (roles.length <= 1) return roles[0] ?? 'none';
  return `${roles.slice(0, -1).join(', ')} or ${roles[roles.length - 1]}`;
}
