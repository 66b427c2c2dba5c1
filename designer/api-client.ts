/**
 * Typed client of the Ledgerflow HTTP API. Every failure is an ApiError that
 * carries the problem document (title, detail, problems, requiredRole), so
 * screens can show what the server said, not "Request failed".
 */
import type {
  ConnectionInfo, Deployment, Environment, FlowDetail, FlowDocument, FlowProblem, FlowSummary, MappingTestResult,
  Promotion, SampleContent, TestRunRequest, TestRunResult, User, VersionInfo, VersionRow,
} from './api-types.ts';

export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  problems?: { path: string; message: string; nodeId?: string; position?: number }[];
  requiredRole?: string;
}

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
  if (status === 403 && p.requiredRole && !p.detail) return `This needs the ${p.requiredRole} role.`;
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

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const enc = encodeURIComponent;

/** Creates the client; `baseUrl` is '' in the browser (same origin). */
export function createApiClient(baseUrl = '', fetchImpl: typeof fetch = (...a) => fetch(...a)) {
  async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const res = await fetchImpl(baseUrl + withQuery(path, query), {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
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
    return json as T;
  }

  return {
    // auth
    login: (username: string, password: string) => request<{ user: User }>('POST', '/api/auth/login', { username, password }),
    logout: () => request<void>('POST', '/api/auth/logout'),
    me: () => request<{ user: User }>('GET', '/api/auth/me'),

    // flows
    listFlows: (search?: string) => request<{ items: FlowSummary[] }>('GET', '/api/flows', undefined, { search }),
    createFlow: (document: FlowDocument) => request<FlowSummary & { draft: FlowDocument }>('POST', '/api/flows', { document }),
    getFlow: (id: string) => request<FlowDetail>('GET', `/api/flows/${enc(id)}`),
    /** `revision`: the draft revision `document` is based on; a newer save by someone else makes it a 409. */
    saveDraft: (id: string, document: FlowDocument, revision?: number) =>
      request<{ draft: FlowDocument; revision: number; problems: FlowProblem[] }>('PUT', `/api/flows/${enc(id)}/draft`, { document, revision }),
    duplicateFlow: (id: string, copy: { id: string; name: string }) => request<FlowSummary>('POST', `/api/flows/${enc(id)}/duplicate`, copy),
    deleteFlow: (id: string) => request<void>('DELETE', `/api/flows/${enc(id)}`),
    exportUrl: (id: string) => `${baseUrl}/api/flows/${enc(id)}/export`,
    importFlow: (document: FlowDocument, overwriteDraft = false) => request<FlowSummary>('POST', '/api/flows/import', { document, overwriteDraft }),
    validateFlow: (document: FlowDocument) => request<{ problems: FlowProblem[] }>('POST', '/api/flows/validate', { document }),

    // versions
    listVersions: (id: string) => request<{ items: VersionInfo[] }>('GET', `/api/flows/${enc(id)}/versions`),
    saveVersion: (id: string, message: string) => request<VersionRow>('POST', `/api/flows/${enc(id)}/versions`, { message }),
    getVersion: (id: string, version: number) => request<VersionRow>('GET', `/api/flows/${enc(id)}/versions/${version}`),
    diff: <D = unknown>(id: string, from: number | 'draft', to: number | 'draft') => request<D>('GET', `/api/flows/${enc(id)}/diff`, undefined, { from, to }),

    // designing and testing
    testRun: (id: string, req: TestRunRequest) => request<TestRunResult>('POST', `/api/flows/${enc(id)}/test-run`, req),
    listSamples: (id: string) => request<{ items: { name: string; size: number; createdAt: string }[] }>('GET', `/api/flows/${enc(id)}/samples`),
    /** Parses a sample; without content it names a sample stored with the flow. */
    parseSample: (id: string, sample: SampleContent | { name: string }, sourceNodeId?: string) =>
      request<{ records: unknown[]; total: number }>('POST', `/api/flows/${enc(id)}/samples/parse`, { ...sample, sourceNodeId }),
    runMappingTests: (id: string, document?: FlowDocument) => request<{ results: MappingTestResult[] }>('POST', `/api/flows/${enc(id)}/mapping-tests/run`, { document }),

    // environments, deployments, promotion
    environments: () => request<{ items: Environment[] }>('GET', '/api/environments'),
    connections: (environment?: string) => request<{ items: ConnectionInfo[] }>('GET', '/api/connections', undefined, { environment }),
    deployments: (id: string) => request<{ items: Deployment[] }>('GET', `/api/flows/${enc(id)}/deployments`),
    deploy: (id: string, environment: string, version: number) => request<Deployment>('POST', `/api/flows/${enc(id)}/deployments`, { environment, version }),
    requestPromotion: (id: string, version: number, environment: string) => request<Promotion>('POST', `/api/flows/${enc(id)}/promotions`, { version, environment }),
    promotions: (status = 'pending') => request<{ items: Promotion[] }>('GET', '/api/promotions', undefined, { status }),
    approvePromotion: (promotionId: string) => request<unknown>('POST', `/api/promotions/${enc(promotionId)}/approve`),
    rejectPromotion: (promotionId: string, reason: string) => request<unknown>('POST', `/api/promotions/${enc(promotionId)}/reject`, { reason }),
    rollback: (id: string, environment: string, version: number) => request<unknown>('POST', `/api/flows/${enc(id)}/rollback`, { environment, version }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
