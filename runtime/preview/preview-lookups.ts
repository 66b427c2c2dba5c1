/**
 * Lookups in a designer test run. The preview worker (preview-pool.ts) has no connections,
 * credentials or sockets; a lookup there asks the main thread instead (`proxyLookups`): it posts
 * the connection's name, the node's query or HTTP path and the batch of keys, and gets the rows
 * back. The main thread answers with `devLookups`: the dev environment's bound connection, queried
 * by the lookup's own code (`directLookups`, read-only Postgres or HTTP under the outbound policy),
 * within caps per test run. A connection not bound in dev is "not evaluated", naming it.
 */
import type { LookupRequest, LookupSource, ProcessContext } from '../../nodes/define-node.ts';
import { FlowError, toFlowError, type FlowErrorDetails } from '../../nodes/errors.ts';
import { directLookups } from '../../nodes/transform/lookup-sources.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { EnvironmentConnections } from '../connectors/environment-connections.ts';
import type { ClosableConnectionResolver } from '../connectors/connection-registry.ts';
import { NOT_EVALUATED_IN_PREVIEW } from '../engine/run-types.ts';

/** The environment a designer test run's lookups read. */
export const PREVIEW_ENVIRONMENT = 'dev';

export interface PreviewLookupLimits {
  /** Queries (Postgres) or key batches (HTTP) per test run; default 50. */
  maxQueries: number;
  /** Rows per test run, all lookups together; default 10,000. */
  maxRows: number;
  /** Longest one query may take, ms (the node's own timeout when shorter); default 10,000. */
  timeoutMs: number;
}

export const PREVIEW_LOOKUP_LIMITS: PreviewLookupLimits = { maxQueries: 50, maxRows: 10_000, timeoutMs: 10_000 };

/** What the main thread needs to answer a test run's lookups. */
export interface DevLookupDeps {
  connections: Pick<EnvironmentConnections, 'connectionsFor'>;
  /** Names of the connections bound in dev. */
  boundNames(): Promise<string[]>;
  /** The runtime's outbound fetch (HTTP lookups). */
  fetch: typeof fetch;
}

/** A test run's lookups on the main thread (a LookupSource: it needs no run context). */
export interface ClosableLookupSource {
  rows(request: LookupRequest, keys: string[]): Promise<Map<string, unknown[]>>;
  close(): Promise<void>;
}

const notEvaluated = (message: string) => new FlowError('permanent', `not evaluated in preview: ${message}`, { code: NOT_EVALUATED_IN_PREVIEW });

/**
 * The main thread's lookups for one test run of `doc`: dev connections opened on the first query
 * and closed by `close()`; at most `limits` queries and rows, each within its timeout.
 */
export function devLookups(doc: Pick<FlowDocument, 'connections'>, deps: DevLookupDeps, limits: PreviewLookupLimits = PREVIEW_LOOKUP_LIMITS): ClosableLookupSource {
  let opened: Promise<{ bound: Set<string>; resolver: ClosableConnectionResolver }> | undefined;
  let queries = 0;
  let rows = 0;
  const open = () => (opened ??= (async () => ({
    bound: new Set(await deps.boundNames()),
    resolver: await deps.connections.connectionsFor(PREVIEW_ENVIRONMENT, doc),
  }))());
  return {
    async rows(request, keys) {
      const { bound, resolver } = await open();
      if (!bound.has(request.connection)) throw notEvaluated(`connection '${request.connection}' is not bound in ${PREVIEW_ENVIRONMENT} (a test run's lookups query the ${PREVIEW_ENVIRONMENT} environment's connections)`);
      if (++queries > limits.maxQueries) throw notEvaluated(`the test run's lookups reached their limit of ${limits.maxQueries} queries; test on a smaller sample`);
      const timeoutMs = Math.min(request.timeoutMs, limits.timeoutMs);
      const ctx: ProcessContext = {
        connections: resolver, fetch: deps.fetch, signal: AbortSignal.timeout(timeoutMs), runId: 'test-run',
        state: { read: refuseState, apply: refuseState },
      };
      const found = await directLookups.rows({ ...request, timeoutMs }, keys, ctx);
      for (const list of found.values()) rows += list.length;
      if (rows > limits.maxRows) throw notEvaluated(`the test run's lookups reached their limit of ${limits.maxRows} rows; test on a smaller sample`);
      return found;
    },
    async close() {
      const current = opened;
      opened = undefined;
      if (current) await (await current.catch(() => undefined))?.resolver.close();
    },
  };
}

async function refuseState(): Promise<never> {
  throw new Error('a lookup does not use keyed state');
}

// ---------------------------------------------------------------------------
// The messages between the worker and the main thread

/** Worker → main thread: one batched fetch (no connection settings, only the connection's name). */
export interface LookupAsk {
  lookup: { askId: number; request: LookupRequest; keys: string[] };
}

/** Main thread → worker: the rows, or the error as data. */
export interface LookupReply {
  lookupReply: { askId: number; rows?: [string, unknown[]][]; error?: { errorClass: FlowError['errorClass']; message: string; details: FlowErrorDetails } };
}

export const isLookupAsk = (msg: unknown): msg is LookupAsk => typeof msg === 'object' && msg !== null && 'lookup' in msg;
export const isLookupReply = (msg: unknown): msg is LookupReply => typeof msg === 'object' && msg !== null && 'lookupReply' in msg;

/** The main thread's answer to `ask`, from `source`. */
export async function answerLookup(ask: LookupAsk, source: Pick<ClosableLookupSource, 'rows'>): Promise<LookupReply> {
  const { askId, request, keys } = ask.lookup;
  try {
    const found = await source.rows(request, keys);
    return { lookupReply: { askId, rows: [...found.entries()] } };
  } catch (err) {
    const e = toFlowError(err, 'transient', { nodeId: request.nodeId });
    const { cause: _cause, ...details } = e.details;
    return { lookupReply: { askId, error: { errorClass: e.errorClass, message: e.message, details } } };
  }
}

/**
 * The worker's lookups: each batch is posted to the main thread with `post`; `receive` is called
 * with every reply the worker gets.
 */
export function proxyLookups(post: (ask: LookupAsk) => void): LookupSource & { receive(reply: LookupReply): void } {
  let nextAsk = 1;
  const waiting = new Map<number, { resolve: (rows: Map<string, unknown[]>) => void; reject: (err: FlowError) => void }>();
  return {
    rows(request, keys) {
      const askId = nextAsk++;
      return new Promise((resolve, reject) => {
        waiting.set(askId, { resolve, reject });
        post({ lookup: { askId, request, keys } });
      });
    },
    receive({ lookupReply }) {
      const w = waiting.get(lookupReply.askId);
      if (!w) return;
      waiting.delete(lookupReply.askId);
      if (lookupReply.error) w.reject(new FlowError(lookupReply.error.errorClass, lookupReply.error.message, lookupReply.error.details));
      else w.resolve(new Map(lookupReply.rows ?? []));
    },
  };
}
