/**
 * Routes are declared with their schemas (the OpenAPI document is generated
 * from them) and the roles that may call them (enforced here, on the server,
 * and listed in the document).
 */
import { createRoute, type RouteConfig, type RouteConfigToTypedResponse, type RouteHandler } from '@hono/zod-openapi';
import type { TypedResponse } from 'hono';
import type { Role } from '../auth/roles.ts';
import { describeRoles } from '../auth/roles.ts';
import type { Api, AppEnv } from './app-env.ts';
import { requireRoles } from './middleware/auth.ts';
import { ProblemSchema } from './contract/schemas.ts';

type RouteContext<R extends RouteConfig> = Parameters<RouteHandler<R, AppEnv>>[0];

/**
 * A handler answers one of its route's declared responses: `c.json(body, status)` must give a body of the
 * status's schema (errors are thrown as problems). A stream or a bodiless answer is any Response.
 */
export type RouteFn<R extends RouteConfig> = (c: RouteContext<R>) => RouteAnswer<R> | Promise<RouteAnswer<R>>;
type RouteAnswer<R extends RouteConfig> = RouteConfigToTypedResponse<R> | TypedResponse<null, 204, 'body'> | (Response & { _format?: never });

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };
const problemResponse = (description: string) => ({ description, content: problemContent });

/** Each error the route declares without a body answers a problem document. */
function withProblems(responses: RouteConfig['responses']): RouteConfig['responses'] {
  return Object.fromEntries(Object.entries(responses).map(([status, r]) => [status, Number(status) >= 400 && !('content' in r && r.content) ? { ...r, content: problemContent } : r]));
}

/** Registers `config` on `app` with `handler`; `roles: 'public'` needs no sign-in. */
export function defineRoute<const R extends RouteConfig>(app: Api, config: R & { roles: readonly Role[] | 'public' }, handler: RouteFn<R>): void {
  const { roles, ...rest } = config;
  const secured = roles !== 'public';
  const responses = {
    ...withProblems(rest.responses),
    // Every request passes the input limits (a NUL byte or an over-long query answers 400), whatever its route declares.
    400: problemResponse('Malformed request: every problem is listed in `problems`'),
    ...(rest.request?.body ? {
      413: problemResponse('The request body is larger than the limit'),
      415: problemResponse('The body is not of the declared media type (e.g. JSON without `Content-Type: application/json`)'),
    } : {}),
    ...(secured ? { 401: problemResponse('Not signed in'), 403: problemResponse('The role is not allowed (`requiredRole` names the one needed)') } : {}),
  };
  const route = createRoute({
    ...rest,
    responses,
    description: [rest.description, secured ? `**Roles:** ${describeRoles(roles)}.` : '**Public.**'].filter(Boolean).join('\n\n'),
    ...(secured ? { security: [{ sessionCookie: [] }, { bearerToken: [] }] } : { security: [] }),
    middleware: [requireRoles(roles)],
  } as RouteConfig);
  app.openapi(route, handler as never);
}
