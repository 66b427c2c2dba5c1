/**
 * `target.http`: sends each record as JSON to a REST endpoint of a named
 * connection, with an `Idempotency-Key` header carrying the record's key.
 *
 * Outcomes: 2xx → delivered (ref from `idToField` of the JSON answer, else the
 * `Location` header). 409 Conflict → delivered too: every request carries an
 * Idempotency-Key, and APIs that honour the header answer 409 when that key
 * was already processed, i.e. the record is already there. 408, 425, 429 and
 * 5xx, timeouts and network errors → transient (the engine retries, waiting
 * `Retry-After` when given). Other statuses → permanent, with the body excerpt.
 *
 * Single-record mode (`batchMode: 'single'`, the default) is the safe one: a
 * key per request. Array mode posts `batchSize` records as one JSON array with
 * one key for the whole request (first key + count), so a retried array is
 * deduplicated only if the server keys on the whole request.
 */
import { Type, StringEnum, type Static } from '../config-schema.ts';
import { defineNode, TARGET_OUT_PORT, type ConfigProblem, type HttpConnection, type TargetContext, type TargetItem, type TargetOutcome } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { compileFieldPath, fieldPathProblem, type FieldGetter } from '../field-path.ts';
import { describeRequest, statusError, transportError } from './http-errors.ts';
import { urlUnderBase } from './http-url.ts';
import { redact, sensitiveValues } from '../secret-redaction.ts';
import { createHttpAuthorizer, type HttpAuthorizer } from '../http-auth.ts';
import { IdempotencyKey } from './idempotency-config.ts';
import { requestSignal, type RequestSignal } from './request-signal.ts';
import { requestTurn, type Release } from './concurrency-limiter.ts';
import { jsonTextOf } from '../formats/json-text.ts';

const config = Type.Object({
  /** Name of an `http` connection the flow declares (base URL, headers, rate limit). */
  connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
  method: StringEnum(['POST', 'PUT', 'PATCH'], { title: 'Method', default: 'POST' }),
  /** Appended to the connection's base URL; `{{field.path}}` is filled from the record, URL-encoded. */
  path: Type.String({ title: 'Path', description: 'Appended to the connection URL, e.g. /invoices/{{invoiceNumber}}', default: '' }),
  timeoutMs: Type.Integer({ title: 'Timeout (ms)', minimum: 1, maximum: 600000, default: 10000 }),
  batchSize: Type.Integer({ title: 'Batch size', description: 'Records handed to the target at once (array mode: records per request).', minimum: 1, maximum: 1000, default: 20 }),
  /** `array`: post a batch as one JSON array (only when batchSize > 1). */
  batchMode: StringEnum(['single', 'array'], { title: 'Batch mode', default: 'single' }),
  /** Single mode: requests in flight at once (1 keeps strict order). */
  concurrency: Type.Integer({ title: 'Requests at once', description: 'Single mode: how many requests may be in flight together (1 sends strictly one after another). The rate limit still applies.', minimum: 1, maximum: 64, default: 4 }),
  /** Dotted path in the JSON answer holding the id the target assigned (kept as ref). */
  idToField: Type.Optional(Type.String({ title: 'Id field in the answer', description: 'e.g. id or data.invoiceId' })),
  idempotencyKey: IdempotencyKey,
}, { additionalProperties: false });

export type HttpTargetConfig = Static<typeof config>;

export const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

type PathPart = string | { field: string; get: FieldGetter };

function parsePath(path: string): PathPart[] {
  const parts: PathPart[] = [];
  let last = 0;
  for (const m of path.matchAll(PLACEHOLDER)) {
    if (m.index! > last) parts.push(path.slice(last, m.index));
    parts.push({ field: m[1], get: compileFieldPath(m[1]) });
    last = m.index! + m[0].length;
  }
  if (last < path.length) parts.push(path.slice(last));
  return parts;
}

function placeholders(path: string): string[] {
  return [...(path ?? '').matchAll(PLACEHOLDER)].map((m) => m[1]);
}

function configProblems(config: HttpTargetConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const field of placeholders(config.path)) {
    const problem = field === '' ? 'an empty {{ }} placeholder in the path' : fieldPathProblem(field);
    if (problem) problems.push({ path: '/path', message: problem });
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(config.path ?? '') || (config.path ?? '').startsWith('//')) {
    problems.push({ path: '/path', message: 'the path is appended to the connection URL; give a path such as /invoices, not a full URL' });
  }
  const staticPath = urlUnderBase('http://connection.invalid/base', (config.path ?? '').replace(PLACEHOLDER, 'x'));
  if ('problem' in staticPath) problems.push({ path: '/path', message: staticPath.problem });
  if (config.batchMode === 'array' && placeholders(config.path).length > 0) {
    problems.push({ path: '/path', message: 'array mode sends many records in one request, so the path cannot contain {{field}} placeholders' });
  }
  if (config.idToField) {
    const problem = fieldPathProblem(config.idToField);
    if (problem) problems.push({ path: '/idToField', message: problem });
  }
  return problems;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function refText(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  return String(value);
}

/**
 * What the target passes on by its `out` port: the status and the body, parsed when it is JSON
 * (in array mode the answer's element for the record, when the answer is an array of as many),
 * else as text (null when empty).
 */
function responseOf(reply: Reply, parsed: unknown): { status: number; body: unknown } {
  return { status: reply.status, body: parsed !== undefined ? parsed : reply.body || null };
}

// Headers the target sets itself; a connection's own copy (in any letter case) must not double them.
const OWN_HEADERS = new Set(['content-type', 'accept', 'idempotency-key']);

function connectionHeaders(conn: HttpConnection): Record<string, string> {
  return Object.fromEntries(Object.entries(conn.headers ?? {}).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase())));
}

/** What every request of one `write` call shares: the connection, the context, the secrets to hide, the headers and (a path without placeholders) the URL. */
interface Batch {
  conn: HttpConnection;
  ctx: TargetContext;
  hidden: string[];
  /** The request headers but the Idempotency-Key. */
  headers: Record<string, string>;
  url: string | FlowError | undefined;
}

interface Reply {
  status: number;
  statusText: string;
  body: string;
  retryAfter: string | null;
  location: string | null;
}

/** Sends an HTTP-target record; see the module comment. */
export const httpTarget = defineNode({
  type: 'target.http',
  version: 1,
  title: 'HTTP / REST call',
  description: 'Sends each record as JSON to a REST API, with an Idempotency-Key, rate limit and timeout.',
  category: 'target',
  inputs: [{ id: 'in', title: 'Records' }],
  outputs: [TARGET_OUT_PORT],
  config,
  check: configProblems,
  summary(config) {
    return `${config.method} ${config.connection || '(no connection)'}${config.path}`;
  },
  // The endpoint as a template: every record sent to it shares one scope, whatever its placeholders give.
  deliveryTarget: (config) => ({ connection: config.connection, object: `${config.method}:${config.path}` }),
  create(config, setup) {
    const problems = configProblems(config);
    if (problems.length > 0) {
      throw new FlowError('permanent', `HTTP target is misconfigured: ${problems.map((p) => p.message).join('; ')}`, {
        nodeId: setup.nodeId,
        field: problems[0].path,
      });
    }
    const nodeId = setup.nodeId;
    const pathParts = parsePath(config.path);
    const idOf = config.idToField ? compileFieldPath(config.idToField) : undefined;
    const arrayMode = config.batchMode === 'array' && config.batchSize > 1;
    const staticPath = pathParts.every((part) => typeof part === 'string');

    function fillPath(record: unknown): string | FlowError {
      let out = '';
      for (const part of pathParts) {
        if (typeof part === 'string') {
          out += part;
          continue;
        }
        const value = part.get(record);
        if (value === undefined || value === null || value === '' || typeof value === 'object') {
          return new FlowError('permanent', `the record has no value for {{${part.field}}} used in the URL path`, { nodeId, field: part.field });
        }
        out += encodeURIComponent(String(value));
      }
      return out;
    }

    function urlOf(conn: HttpConnection, path: string): string | FlowError {
      const joined = urlUnderBase(conn.baseUrl, path);
      return 'url' in joined ? joined.url : new FlowError('permanent', `not sent: ${joined.problem}`, { nodeId, field: 'path' });
    }

    // One authorizer per resolved connection (a write call); OAuth2 tokens are shared across calls by its cache.
    const authorizers = new WeakMap<HttpConnection, HttpAuthorizer>();
    function authorizerOf(conn: HttpConnection, ctx: TargetContext): HttpAuthorizer {
      let authorizer = authorizers.get(conn);
      if (!authorizer) authorizers.set(conn, (authorizer = createHttpAuthorizer(conn.auth, { connection: config.connection, nodeId, fetch: ctx.fetch, timeoutMs: config.timeoutMs })));
      return authorizer;
    }

    async function send(batch: Batch, url: string, body: string, key: string, renewed = false): Promise<Reply> {
      const { conn, ctx } = batch;
      let limit: RequestSignal | undefined;
      let release: Release | undefined;
      try {
        // A connection without a concurrency or rate limit has no turn to wait for.
        if (conn.holdInFlight || conn.waitForSlot) release = await requestTurn(conn, ctx.signal);
        const authorizer = authorizerOf(conn, ctx);
        const authorized = await authorizer.apply({ url, headers: { ...batch.headers, 'Idempotency-Key': key } }, ctx.signal);
        limit = requestSignal(ctx.signal, config.timeoutMs);
        const { signal } = limit;
        const response = await ctx.fetch(authorized.url, { method: config.method, headers: authorized.headers, body, signal });
        // An expired or revoked OAuth2 token: a new one, and the same request (same Idempotency-Key) once more.
        if (response.status === 401 && !renewed && authorizer.renew(authorized)) {
          await response.text();
          limit.clear();
          await release?.();
          release = undefined;
          return send(batch, url, body, key, true);
        }
        return {
          status: response.status,
          statusText: response.statusText,
          body: await response.text(),
          retryAfter: response.headers.get('retry-after'),
          location: response.headers.get('location'),
        };
      } catch (err) {
        if (err instanceof FlowError) throw err; // the token endpoint's refusal, already worded
        throw transportError(describeRequest(config.method, url), err, nodeId, limit?.timedOut() === true, config.timeoutMs);
      } finally {
        limit?.clear();
        await release?.().catch(() => {}); // a place not given back lapses with its lease
      }
    }

    function toJson(data: unknown): string | FlowError {
      try {
        return jsonTextOf(data) ?? 'null';
      } catch (err) {
        return new FlowError('permanent', `the record cannot be sent as JSON: ${(err as Error).message}`, { nodeId, cause: err });
      }
    }

    function accepted(reply: Reply): boolean {
      return (reply.status >= 200 && reply.status < 300) || reply.status === 409;
    }

    async function writeOne(batch: Batch, item: TargetItem): Promise<TargetOutcome> {
      let url = batch.url;
      if (url === undefined) {
        const path = fillPath(item.data);
        if (path instanceof FlowError) return { ok: false, error: path };
        url = urlOf(batch.conn, path);
      }
      if (url instanceof FlowError) return { ok: false, error: url };
      const body = toJson(item.data);
      if (body instanceof FlowError) return { ok: false, error: body };
      let reply: Reply;
      try {
        reply = await send(batch, url, body, item.key);
      } catch (err) {
        if (err instanceof FlowError) return { ok: false, error: err };
        throw err;
      }
      if (!accepted(reply)) return { ok: false, error: statusError(describeRequest(config.method, url), { ...reply, body: redact(reply.body, batch.hidden) }, nodeId) };
      const answer = parseJson(reply.body);
      const ref = refText(idOf?.(answer)) ?? reply.location ?? undefined;
      return { ok: true, status: reply.status, ...(ref !== undefined ? { ref } : {}), answer: responseOf(reply, answer) };
    }

    async function writeArray(batch: Batch, items: TargetItem[]): Promise<TargetOutcome[]> {
      const url = batch.url ?? urlOf(batch.conn, config.path);
      if (url instanceof FlowError) return items.map(() => ({ ok: false as const, error: url }));
      const key = `${items[0].key}+${items.length}`;
      const body = toJson(items.map((i) => i.data));
      if (body instanceof FlowError) return items.map(() => ({ ok: false as const, error: body }));
      let reply: Reply;
      try {
        reply = await send(batch, url, body, key);
      } catch (err) {
        if (err instanceof FlowError) return items.map(() => ({ ok: false as const, error: err }));
        throw err;
      }
      if (!accepted(reply)) {
        const error = statusError(describeRequest(config.method, url), { ...reply, body: redact(reply.body, batch.hidden) }, nodeId);
        return items.map(() => ({ ok: false as const, error }));
      }
      const answer = parseJson(reply.body);
      const perItem = Array.isArray(answer) && answer.length === items.length ? answer : undefined;
      return items.map((_, i) => {
        const ref = perItem && idOf ? refText(idOf(perItem[i])) : undefined;
        return { ok: true as const, status: reply.status, ...(ref !== undefined ? { ref } : {}), answer: responseOf(reply, perItem ? perItem[i] : answer) };
      });
    }

    /** The error with every credential of the connection replaced by ***: an error body (hidden before it is cut to an excerpt) or a transport error may echo the request's headers. */
    function withoutSecrets(error: FlowError, hidden: string[]): FlowError {
      const message = redact(error.message, hidden);
      return message === error.message ? error : new FlowError(error.errorClass, message, error.details);
    }

    async function writeAll(batch: Batch, items: TargetItem[]): Promise<TargetOutcome[]> {
      const { ctx } = batch;
      if (arrayMode) return writeArray(batch, items);
      const outcomes: TargetOutcome[] = new Array(items.length);
      // Up to `concurrency` requests in flight; each still waits for the rate limiter.
      let next = 0;
      const lane = async () => {
        while (next < items.length) {
          const i = next++;
          if (ctx.signal.aborted) {
            // Keep the outcomes of records already sent; the rest are retried or replayed later.
            outcomes[i] = { ok: false, error: new FlowError('transient', 'not sent because the run was stopped', { nodeId }) };
            continue;
          }
          outcomes[i] = await writeOne(batch, items[i]);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(config.concurrency ?? 1, items.length)) }, lane));
      return outcomes;
    }

    return {
      batchSize: config.batchSize,
      async write(items, ctx) {
        if (items.length === 0) return [];
        const conn = ctx.connections.http(config.connection);
        const hidden = [...sensitiveValues(conn.headers, conn.secretValues), ...authorizerOf(conn, ctx).secrets];
        const batch: Batch = {
          conn, ctx, hidden,
          // A path without placeholders is the same URL for every record of the batch: joined and checked once.
          url: staticPath ? urlOf(conn, config.path) : undefined,
          headers: { ...connectionHeaders(conn), 'Content-Type': 'application/json', Accept: 'application/json' },
        };
        return (await writeAll(batch, items)).map((o) => (o.ok || !hidden.length ? o : { ok: false, error: withoutSecrets(o.error, hidden) }));
      },
    };
  },
});
