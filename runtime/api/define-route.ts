/**
 * Routes are declared with their schemas (the OpenAPI document is generated
 * from them) and the roles that may call them (enforced here, on the server,
 * and listed in the document).
 */
import { createRoute, z, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Role } from '../auth/roles.ts';
import { describeRoles } from '../auth/roles.ts';
import type { Api, AppEnv } from './app-env.ts';
import { requireRoles } from './middleware/auth.ts';
import { ProblemSchema } from './schemas.ts';

type RouteContext<R extends RouteConfig> = Parameters<RouteHandler<R, AppEnv>>[0];

export type RouteFn<R extends RouteConfig> = (c: RouteContext<R>) => Response | Promise<Response>;

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** Registers `config` on `app` with `handler`; `roles: 'public'` needs no sign-in. */
export function defineRoute<const R extends RouteConfig>(app: Api, config: R & { roles: readonly Role[] | 'public' }, handler: RouteFn<R>): void {
  const { roles, ...rest } = config;
  const secured = roles !== 'public';
  const responses = {
    ...rest.responses,
    ...(rest.request?.body || rest.request?.query || rest.request?.params ? { 400: problemResponse('Malformed request: every problem is listed in `problems`') } : {}),
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

/** A path parameter schema. */
export const pathParams = <K extends string>(...names: K[]) =>
  z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(300).openapi({ param: { name: n, in: 'path' } })])) as Record<K, z.ZodString>);

/** JSON body helper. */
export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({ content: { 'application/json': { schema } }, required });

/** JSON response helper. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
