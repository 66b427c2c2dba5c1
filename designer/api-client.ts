/**
 * The designer's one client of the Ledgerflow HTTP API, typed from the API
 * contract (runtime/api/contract): each call names its route (`'GET /api/runs'`)
 * and takes the route's params, query and body and answers its success body, as
 * the contract's schemas say. Only types are imported from the contract, so no
 * schema code reaches the bundle. Every failure is an ApiError that carries the
 * problem document (title, detail, problems, requiredRole), so screens can show
 * what the server said, not "Request failed".
 */
import type { z } from 'zod';
import type { ApiContract, ApiRouteKey } from '../runtime/api/contract/routes.ts';
import type { FlowDocument, Problem, RunFilters, RunRow, Sample, TestRunRequest } from '../runtime/api/contract/schemas.ts';
import { takeEarlyResponse } from './early-fetch.ts';
import type { DeadLetterStatus, ErrorClass, PromotionStatus, RecordOutcome, ReplayAgainst, ReplayReference } from '../runtime/api/contract/enums.ts';

/** A problem document as received (a proxy's error page may give less). */
export type ProblemDocument = Partial<Problem>;

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDocument;

  constructor(status: number, problem: ProblemDocument) {
    super(describeProblem(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

function describeProblem(status: number, p: ProblemDocument): string {
  if (status === 403 && p.requiredRole && !p.detail) return `This needs the ${[p.requiredRole].flat().join(' or ')} role.`;
  const text = p.detail || p.title || `The server answered ${status}`;
  const count = p.problems?.length ?? 0;
  return count ? `${text} (${count} problem${count === 1 ? '' : 's'})` : text;
}

/** The message to show for any error thrown by the client (or anything else). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'The server cannot be reached. Check that Ledgerflow is running.';
  return err instanceof Error ? err.message : String(err);
}

// ------------------------------------------------------------ types of a route, from the contract

type JsonSchemaOf<C> = C extends { content: { 'application/json': { schema: infer S extends z.ZodType } } } ? S : never;
type SuccessStatus = 200 | 201 | 202 | 204;

/** What a route answers on success: its JSON body, or nothing (204). */
export type ResponseOf<K extends ApiRouteKey> = {
  [S in keyof ApiContract[K]['responses'] & SuccessStatus]: S extends 204 ? undefined : z.output<JsonSchemaOf<ApiContract[K]['responses'][S]>>;
}[keyof ApiContract[K]['responses'] & SuccessStatus];

type RequestOf<K extends ApiRouteKey> = ApiContract[K] extends { request: infer R } ? R : Record<never, never>;
type ParamsPart<R> = R extends { params: infer P extends z.ZodType } ? { params: z.input<P> } : { params?: undefined };
type QueryPart<R> = R extends { query: infer Q extends z.ZodType } ? { query?: Nullable<z.input<Q>> } : { query?: undefined };
type BodyPart<R> = R extends { body: { content: { 'application/json': { schema: infer B extends z.ZodType } }; required: infer Required } }
  ? Required extends false ? { body?: z.input<B> } : { body: z.input<B> }
  : { body?: undefined };
/** Query values may be left empty (null, undefined, ''): they are not sent. */
type Nullable<T> = { [P in keyof T]?: T[P] | null };

/** What a call of route `K` sends. */
export type InputOf<K extends ApiRouteKey> = ParamsPart<RequestOf<K>> & QueryPart<RequestOf<K>> & BodyPart<RequestOf<K>>;

type Query = Record<string, unknown>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const enc = encodeURIComponent;

/** A route's path with its parameters filled in, e.g. `/api/runs/{id}` → `/api/runs/run_1`. */
export function routePath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => enc(String(params[name])));
}

/** Creates the client; `baseUrl` is '' in the browser (same origin). */
export function createApiClient(baseUrl = '', fetchImpl: typeof fetch = (input, init) => (typeof input === 'string' && takeEarlyResponse(input, init)) || fetch(input, init)) {
  /** Calls route `key` (`'METHOD /path'` of the contract). */
  async function call<K extends ApiRouteKey>(key: K, ...[input]: Record<never, never> extends InputOf<K> ? [InputOf<K>?] : [InputOf<K>]): Promise<ResponseOf<K>> {
    const space = key.indexOf(' ');
    const { params, query, body } = (input ?? {}) as { params?: Record<string, unknown>; query?: Query; body?: unknown };
    const res = await fetchImpl(baseUrl + withQuery(routePath(key.slice(space + 1), params), query), {
      method: key.slice(0, space),
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as ResponseOf<K>;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const problem = (json && typeof json === 'object' ? json : { detail: text.slice(0, 300) || res.statusText }) as ProblemDocument;
      throw new ApiError(res.status, problem);
    }
    return json as ResponseOf<K>;
  }

  return {
    call,

    // auth
    login: (username: string, password: string) => call('POST /api/auth/login', { body: { username, password } }),
    logout: () => call('POST /api/auth/logout'),
    me: () => call('GET /api/auth/me'),

    // users (admin)
    users: () => call('GET /api/users'),
    createUser: (body: InputOf<'POST /api/users'>['body']) => call('POST /api/users', { body }),
    updateUser: (id: string, body: InputOf<'PATCH /api/users/{id}'>['body']) => call('PATCH /api/users/{id}', { params: { id }, body }),

    // flows
    listFlows: (search?: string) => call('GET /api/flows', { query: { search } }),
    createFlow: (document: FlowDocument) => call('POST /api/flows', { body: { document: document } }),
    getFlow: (id: string) => call('GET /api/flows/{id}', { params: { id } }),
    /** `revision`: the draft revision `document` is based on; a newer save by someone else makes it a 409. */
    saveDraft: (id: string, document: FlowDocument, revision?: number) =>
      call('PUT /api/flows/{id}/draft', { params: { id }, body: { document: document, revision } }),
    duplicateFlow: (id: string, copy: { id: string; name: string }) => call('POST /api/flows/{id}/duplicate', { params: { id }, body: copy }),
    deleteFlow: (id: string) => call('DELETE /api/flows/{id}', { params: { id } }),
    exportUrl: (id: string) => baseUrl + routePath('/api/flows/{id}/export', { id }),
    importFlow: (document: FlowDocument, overwriteDraft = false) => call('POST /api/flows/import', { body: { document: document, overwriteDraft } }),
    validateFlow: (document: FlowDocument) => call('POST /api/flows/validate', { body: { document } }),

    // sub-flows
    subflows: () => call('GET /api/subflows'),
    subflow: (name: string, version?: number) => call('GET /api/subflows/{name}', { params: { name }, query: { version } }),
    saveSubflow: (name: string, body: InputOf<'PUT /api/subflows/{name}'>['body']) => call('PUT /api/subflows/{name}', { params: { name }, body }),

    // versions
    listVersions: (id: string) => call('GET /api/flows/{id}/versions', { params: { id } }),
    saveVersion: (id: string, message: string) => call('POST /api/flows/{id}/versions', { params: { id }, body: { message } }),
    getVersion: (id: string, version: number) => call('GET /api/flows/{id}/versions/{version}', { params: { id, version } }),
    diff: (id: string, from: number | 'draft', to: number | 'draft') => call('GET /api/flows/{id}/diff', { params: { id }, query: { from, to } }),

    // designing and testing
    storeSample: (id: string, sample: Sample) => call('POST /api/flows/{id}/samples', { params: { id }, body: sample }),
    readiness: (id: string, version: number) => call('GET /api/flows/{id}/versions/{version}/readiness', { params: { id, version } }),
    testRun: (id: string, req: TestRunRequest) => call('POST /api/flows/{id}/test-run', { params: { id }, body: req }),
    listSamples: (id: string) => call('GET /api/flows/{id}/samples', { params: { id } }),
    /** Parses a sample; without content it names a sample stored with the flow. */
    parseSample: (id: string, sample: Sample, sourceNodeId?: string) => call('POST /api/flows/{id}/samples/parse', { params: { id }, body: { ...sample, sourceNodeId } }),
    runMappingTests: (id: string, document?: FlowDocument) =>
      call('POST /api/flows/{id}/mapping-tests/run', { params: { id }, body: { document: document } }),

    // environments, deployments, promotion
    environments: () => call('GET /api/environments'),
    connections: (environment?: string) => call('GET /api/connections', { query: { environment } }),
    putConnection: (environment: string, name: string, body: InputOf<'PUT /api/connections/{environment}/{name}'>['body']) =>
      call('PUT /api/connections/{environment}/{name}', { params: { environment, name }, body }),
    deleteConnection: (environment: string, name: string) => call('DELETE /api/connections/{environment}/{name}', { params: { environment, name } }),
    testConnection: (environment: string, name: string) => call('POST /api/connections/{environment}/{name}/test', { params: { environment, name } }),
    connectionSchema: (environment: string, name: string) => call('GET /api/connections/{environment}/{name}/schema', { params: { environment, name } }),
    environmentChecks: (id: string, environment: string, version?: number) => call('GET /api/flows/{id}/environment-checks', { params: { id }, query: { environment, version } }),
    deploymentHistory: (id: string, environment?: string) => call('GET /api/flows/{id}/deployments/history', { params: { id }, query: { environment } }),
    impactPreview: (id: string, version: number, environment: string) => call('POST /api/flows/{id}/impact-preview', { params: { id }, body: { version, environment } }),
    deployments: (id: string) => call('GET /api/flows/{id}/deployments', { params: { id } }),
    deploy: (id: string, environment: string, version: number) => call('POST /api/flows/{id}/deployments', { params: { id }, body: { environment, version } }),
    requestPromotion: (id: string, version: number, environment: string) => call('POST /api/flows/{id}/promotions', { params: { id }, body: { version, environment } }),
    promotions: (status: PromotionStatus = 'pending') => call('GET /api/promotions', { query: { status } }),
    approvePromotion: (promotionId: string) => call('POST /api/promotions/{id}/approve', { params: { id: promotionId } }),
    rejectPromotion: (promotionId: string, reason: string) => call('POST /api/promotions/{id}/reject', { params: { id: promotionId }, body: { reason } }),
    rollback: (id: string, environment: string, version: number) => call('POST /api/flows/{id}/rollback', { params: { id }, body: { environment, version } }),

    // runs and operations
    /** Starts a run of the version deployed in `environment`; `input` absent: the source reads by itself. */
    startRun: (id: string, environment: string, input?: Sample) => call('POST /api/flows/{id}/runs', { params: { id }, body: { environment, input } }),
    audit: (q: InputOf<'GET /api/audit'>['query']) => call('GET /api/audit', { query: q }),
    runs: (filters: RunFilters, cursor?: string | null, limit = 50) => call('GET /api/runs', { query: { ...filters, cursor, limit } }),
    run: (id: string) => call('GET /api/runs/{id}', { params: { id } }),
    records: (id: string, q: { outcome?: RecordOutcome; search?: string; cursor?: string | null; limit?: number }) => call('GET /api/runs/{id}/records', { params: { id }, query: q }),
    record: (id: string, lineageKey: string) => call('GET /api/runs/{id}/records/{lineageKey}', { params: { id, lineageKey } }),
    cancel: (id: string) => call('POST /api/runs/{id}/cancel', { params: { id } }),
    search: (businessKey: string, cursor?: string | null) => call('GET /api/search', { query: { businessKey, cursor } }),
    deadLetters: (q: { flow?: string; errorClass?: ErrorClass; status?: DeadLetterStatus; olderThan?: string; runId?: string; cursor?: string | null }) => call('GET /api/dead-letters', { query: q }),
    replay: (body: { ids?: number[]; runId?: string; against: ReplayAgainst; reference?: ReplayReference }) => call('POST /api/dead-letters/replay', { body }),
    discard: (ids: number[], reason: string) => call('POST /api/dead-letters/discard', { body: { ids, reason } }),
    health: (hours: number) => call('GET /api/health', { query: { hours } }),
    dailyReconciliation: (q: { flow?: string; environment?: string; days?: number }) => call('GET /api/reconciliation/daily', { query: q }),
    alertRules: (q: { flow?: string; environment?: string } = {}) => call('GET /api/alert-rules', { query: q }),
    createAlertRule: (body: InputOf<'POST /api/alert-rules'>['body']) => call('POST /api/alert-rules', { body }),
    updateAlertRule: (id: string, body: InputOf<'PUT /api/alert-rules/{id}'>['body']) => call('PUT /api/alert-rules/{id}', { params: { id }, body }),
    deleteAlertRule: (id: string) => call('DELETE /api/alert-rules/{id}', { params: { id } }),
    alerts: (q: InputOf<'GET /api/alerts'>['query']) => call('GET /api/alerts', { query: q }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app's client (same origin). */
export const api = createApiClient();

/**
 * Follows run changes over server-sent events (`GET /api/runs/events`); returns a function that stops.
 * `onOpen` is called each time the stream (re)connects: a change made between the caller's last read and
 * the subscription (or while the stream was down) sends no event, so the caller reads again then.
 */
export function followRuns(onRun: (run: RunRow) => void, flow?: string, onOpen?: () => void): () => void {
  const source = new EventSource(withQuery('/api/runs/events', { flow }), { withCredentials: true });
  source.addEventListener('run', (e) => onRun(JSON.parse((e as MessageEvent).data) as RunRow));
  if (onOpen) source.addEventListener('open', onOpen);
  return () => source.close();
}
