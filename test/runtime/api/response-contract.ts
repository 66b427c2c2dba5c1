/**
 * Holds the API to its document: every response the API tests receive is
 * checked against what the route declares (the entries the OpenAPI document is
 * generated from): its status must be declared, its media type one the status
 * declares, and its body must parse with the declared schema, with no field
 * the schema lacks. A response that disagrees fails the request, and so the
 * test that made it.
 */
import type { RouteConfig } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { createApp } from '../../../runtime/api/create-app.ts';

type App = ReturnType<typeof createApp>;

interface Declared {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  responses: RouteConfig['responses'];
}

export class ContractMismatch extends Error {
  override name = 'ContractMismatch';
}

function declaredRoutes(app: App): Declared[] {
  const routes: Declared[] = [];
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== 'route') continue;
    const { method, path, responses } = d.route;
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    routes.push({ method: method.toUpperCase(), template: path, pattern: new RegExp(`^${source}$`), params: (path.match(/\{/g) ?? []).length, responses });
  }
  // A literal segment wins over a parameter (`/api/runs/events` before `/api/runs/{id}`).
  return routes.sort((a, b) => a.params - b.params);
}

const describeIssues = (issues: z.core.$ZodIssue[]) => issues.slice(0, 8).map((i) => `  /${i.path.map(String).join('/')}: ${i.message}`).join('\n');

/** The mismatch between `res` and what `route` declares, or null when they agree. */
export async function responseMismatch(route: Pick<Declared, 'method' | 'template' | 'responses'>, res: Response): Promise<string | null> {
  const where = `${route.method} ${route.template} answered ${res.status}`;
  const declared = route.responses[res.status] as { content?: Record<string, { schema?: z.ZodType }> } | undefined;
  if (!declared) return `${where}, a status its OpenAPI entry does not declare (declared: ${Object.keys(route.responses).join(', ')})`;
  const content = declared.content;
  if (!content) return null;
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const entry = content[mediaType];
  if (!entry) return `${where} with ${mediaType || 'no content type'}; declared: ${Object.keys(content).join(', ')}`;
  if (!mediaType.endsWith('json') || !entry.schema) return null;
  const text = await res.clone().text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${where} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  const parsed = entry.schema.safeParse(body);
  return parsed.success ? null : `${where} with a body its schema does not describe:\n${describeIssues(parsed.error.issues)}`;
}

/** Makes `app.request` check each response against the route's declaration; returns the app. */
export function checkResponses<A extends App>(app: A): A {
  const routes = declaredRoutes(app);
  const request = app.request.bind(app);
  app.request = (async (input: string | URL | Request, init?: RequestInit, ...rest: unknown[]) => {
    const res = await (request as (...a: unknown[]) => Response | Promise<Response>)(input, init, ...rest);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const { pathname } = new URL(input instanceof Request ? input.url : String(input), 'http://localhost');
    const route = routes.find((r) => r.method === method && r.pattern.test(pathname));
    if (!route) return res;
    const mismatch = await responseMismatch(route, res);
    if (mismatch) throw new ContractMismatch(mismatch);
    return res;
  }) as A['request'];
  return app;
}
