/** An asynchronous flow validator backed by a Web Worker; only the latest answer is kept. */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { FlowProblem } from '../../nodes/validate-flow.ts';
// A chunk of the page's own build: the worker shares the catalog, jsonata and ajv chunks with the page.
import problemsWorkerUrl from './problems-worker.ts?chunk-url';

export type AsyncValidator = (doc: FlowDocument) => Promise<FlowProblem[] | null>;

export interface WorkerValidator extends AsyncValidator {
  /**
   * Starts the worker (loading its code) ahead of the first check; the first check starts it otherwise.
   * Opening a flow needs no check (the server sends the flow's problems), so the editor calls this when idle.
   */
  start(): void;
}

let shared: WorkerValidator | null | undefined;

/** One worker for the whole app (flows are opened one at a time); null where workers are unavailable. */
export function sharedWorkerValidator(): WorkerValidator | null {
  if (shared === undefined) shared = createWorkerValidator();
  return shared;
}

/** Resolves to null for a request that a newer one overtook. */
export function createWorkerValidator(): WorkerValidator | null {
  if (typeof Worker === 'undefined') return null;
  let worker: Worker | null = null;
  let seq = 0;
  const pending = new Map<number, (p: FlowProblem[] | null) => void>();
  const start = (): Worker => {
    if (worker) return worker;
    worker = new Worker(problemsWorkerUrl, { type: 'module', name: 'flow-problems' });
    worker.onmessage = (e: MessageEvent<{ seq: number; problems: FlowProblem[] }>) => {
      for (const [n, resolve] of pending) {
        if (n < e.data.seq) {
          resolve(null);
          pending.delete(n);
        }
      }
      pending.get(e.data.seq)?.(e.data.problems);
      pending.delete(e.data.seq);
    };
    return worker;
  };
  const validate: AsyncValidator = (doc) => new Promise((resolve) => {
    const n = ++seq;
    pending.set(n, resolve);
    start().postMessage({ seq: n, doc });
  });
  return Object.assign(validate, { start: () => void start() });
}
