/** What each role may do, in one line (as runtime/auth/roles.ts and the routes enforce it). */
import type { Role } from '../../runtime/api/contract/enums.ts';

export const ROLE_HELP: Record<Role, string> = {
  analyst: 'Analyst — designs and tests flows, deploys and runs in dev, requests promotions',
  operator: 'Operator — runs flows, watches runs, replays dead letters',
  admin: 'Admin — users, connections, deploys, approves promotions (four-eyes)',
};
