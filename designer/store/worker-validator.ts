/** An asynchronous flow validator backed by a Web Worker; only the latest answer is kept. */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { FlowProblem } from '../../nodes/validate-flow.ts';
// A chunk of the page's own build: the worker shares the catalog, jsonata and ajv chunks with the page.
import problemsWorkerUrl from './problems-worker.ts?chunk-url';

export type AsyncValidator = (doc: FlowDocument) => Promise<FlowProblem[] | null>;

let shared: AsyncValidator | null | undefined;

/** One worker for the whole app (flows are opened one at a time); null where workers are unavailable. */
export function sharedWorkerValidator(): AsyncValidator | null {
  if (shared === undefined) shared = createWorkerValidator();
  return shared;
}

/** Resolves to null for a request that a newer one overtook. */
export function createWorkerValidator(): AsyncValidator | null {
  if (typeof Worker === 'undefined') return null;
  const worker = new Worker(problemsWorkerUrl, { type: 'module', name: 'flow-problems' });
  let seq = 0;
  const pending = new Map<number, (p: FlowProblem[] | null) => void>();
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
  return (doc) => new Promise((resolve) => {
    const n = ++seq;
    pending.set(n, resolve);
    worker.postMessage({ seq: n, doc });
  });
}
