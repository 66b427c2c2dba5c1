/**
 * Refuses input no route can use, before any route looks at it:
 * - a NUL character in the path, the query or a JSON body (400): the store
 *   (Postgres text and jsonb) cannot hold it, and it has no business in a
 *   name, an id or a record;
 * - a body that is not JSON where JSON is declared (400);
 * - a flow document over the size limits (413, nodes/flow-limits.ts), found as
 *   the body itself or its `document`, so no validation, compilation or dry
 *   run starts on it.
 * The body is read as text once; Hono keeps it for the route (and for webhook
 * signatures, which need the exact bytes).
 */
import type { MiddlewareHandler } from 'hono';
import { flowSizeProblems } from '../../../nodes/flow-limits.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiProblem, problemResponse } from '../problem.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const NUL_IN_URL = /%00|\u0000/i;

/** The JSON pointer of the first string (or key) holding U+0000, if any. Iterative: bodies can nest deeply. */
export function nulPath(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path || '/';
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) return `${path}/${key.replaceAll('\u0000', '\\u0000')}`;
        stack.push({ value: child, path: `${path}/${key}` });
      }
    }
  }
  return undefined;
}

function flowDocumentsIn(body: unknown): unknown[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  const document = (body as { document?: unknown }).document;
  return [body, document].filter((d) => d && typeof d === 'object' && (Array.isArray((d as { nodes?: unknown }).nodes) || Array.isArray((d as { edges?: unknown }).edges)));
}

/** The input checks above, for `/api/*` and `/hooks/*`. */
export function inputLimits(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (NUL_IN_URL.test(c.req.url)) {
      return problemResponse(c, new ApiProblem(400, 'The address contains a NUL character (%00), which no name or id can hold.', { problems: [{ path: 'url', message: 'NUL character' }] }));
    }
    const type = c.req.header('content-type') ?? '';
    if (!/\bjson\b/i.test(type) || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const text = await c.req.text();
    if (text.trim() === '') return next();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return problemResponse(c, new ApiProblem(400, `The request body is not valid JSON: ${why}.`, { problems: [{ path: '/', message: 'not valid JSON' }] }));
    }
    // In JSON text a NUL can only be written as the escape \u0000: without one, no walk is needed.
    const nul = /\\u0000/i.test(text) ? nulPath(body) : undefined;
    if (nul !== undefined) {
      return problemResponse(c, new ApiProblem(400, `The request body contains a NUL character (\\u0000) at ${nul}, which the store cannot hold.`, { problems: [{ path: nul, message: 'NUL character' }] }));
    }
    // The route's validator reads this parse instead of parsing again.
    c.req.bodyCache.json = Promise.resolve(body);
    for (const doc of flowDocumentsIn(body)) {
      const problems = flowSizeProblems(doc);
      if (problems.length > 0) {
        return problemResponse(c, new ApiProblem(413, `The flow document is over the size limits: ${problems.map((p) => p.message).join('; ')}.`, { problems: problems.map(({ path, message, nodeId }) => ({ path: doc === body ? path : `/document${path}`, message, ...(nodeId ? { nodeId } : {}) })) }));
      }
    }
    return next();
  };
}
