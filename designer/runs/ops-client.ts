/**
 * The operator console's calls. Same conventions as api-client.ts (cookies,
 * problem documents as ApiError), kept beside the screens that use them.
 */
import { ApiError, type ProblemDocument } from '../api-client.ts';
import type { StoredTrace, TraceWithSourceRecord } from './ops-types.ts';
import type { DailyReconciliation, DeadLetterPage, HealthFigures, Paged, RunDetail, RunFilters, RunPage, RunRow } from './ops-types.ts';

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const res = await fetch(withQuery(path, query), {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, (json && typeof json === 'object' ? json : { detail: text.slice(0, 300) || res.statusText }) as ProblemDocument);
  return json as T;
}

const enc = encodeURIComponent;

export type ReplayAgainst = 'failed-version' | 'deployed';
/** The reference data a replay evaluates with: as it was when the records failed, or the current one. */
export type ReplayReference = 'as-it-was' | 'current';

export const opsApi = {
  runs: (filters: RunFilters, cursor?: string | null, limit = 50) => request<RunPage>('GET', '/api/runs', undefined, { ...filters, cursor, limit }),
  run: (id: string) => request<RunDetail>('GET', `/api/runs/${enc(id)}`),
  records: (id: string, q: { outcome?: string; search?: string; cursor?: string | null; limit?: number }) => request<Paged<StoredTrace>>('GET', `/api/runs/${enc(id)}/records`, undefined, q),
  record: (id: string, lineageKey: string) => request<TraceWithSourceRecord>('GET', `/api/runs/${enc(id)}/records/${enc(lineageKey)}`),
  cancel: (id: string) => request<RunRow>('POST', `/api/runs/${enc(id)}/cancel`),
  search: (businessKey: string, cursor?: string | null) => request<Paged<StoredTrace>>('GET', '/api/search', undefined, { businessKey, cursor }),
  deadLetters: (q: { flow?: string; errorClass?: string; status?: string; olderThan?: string; runId?: string; cursor?: string | null }) => request<DeadLetterPage>('GET', '/api/dead-letters', undefined, q),
  replay: (body: { ids?: number[]; runId?: string; against: ReplayAgainst; reference?: ReplayReference }) => request<{ runId: string }>('POST', '/api/dead-letters/replay', body),
  discard: (ids: number[], reason: string) => request<{ discarded: number }>('POST', '/api/dead-letters/discard', { ids, reason }),
  health: (hours: number) => request<HealthFigures>('GET', '/api/health', undefined, { hours }),
  dailyReconciliation: (q: { flow?: string; environment?: string; days?: number }) => request<{ items: DailyReconciliation[] }>('GET', '/api/reconciliation/daily', undefined, q),
};

/** Follows run changes over server-sent events; returns a function that stops. */
export function followRuns(onRun: (run: RunRow) => void, flow?: string): () => void {
  const source = new EventSource(withQuery('/api/runs/events', { flow }), { withCredentials: true });
  source.addEventListener('run', (e) => onRun(JSON.parse((e as MessageEvent).data) as RunRow));
  return () => source.close();
}
