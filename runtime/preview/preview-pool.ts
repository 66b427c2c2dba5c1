/**
 * Designer previews (test runs, mapping tests) run in worker threads with a
 * memory cap and a wall-clock limit, so no expression — however hostile — can
 * exhaust the API's memory or freeze its event loop. A worker that goes over
 * either limit is terminated and replaced; only its own job fails.
 *
 * Workers are started once per process and kept warm (a preview costs a
 * message round trip, not a thread start); they do not keep the process alive.
 */
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { AppProblem } from '../app/problem.ts';
import type { PreviewJob } from './preview-job.ts';
import { answerLookup, isLookupAsk, type ClosableLookupSource } from './preview-lookups.ts';

export interface PreviewPoolOptions {
  /** Worker threads (default 2). */
  size?: number;
  /** Old-generation heap of each worker, in MB (default 512). */
  memoryMb?: number;
}

interface Pending {
  /** The job, serialised here so its size is known before a worker must read it. */
  bytes: Uint8Array<ArrayBuffer>;
  killAfterMs: number;
  /** Answers the job's lookups (a test run's dev connections); absent: the worker's lookups are "not evaluated". */
  lookups?: Pick<ClosableLookupSource, 'rows'>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending & { timer: NodeJS.Timeout; id: number };
}

const WORKER_URL = new URL('./preview-worker.mjs', import.meta.url);

/** A pool of preview workers; `run` queues a job and settles with its result or an AppProblem (422). */
export class PreviewPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly size: number;
  private readonly memoryMb: number;
  private nextId = 1;
  /** Workers terminated for a limit since the pool started (for tests and metrics). */
  restarts = 0;

  constructor(options: PreviewPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? 2);
    this.memoryMb = options.memoryMb ?? 512;
  }

  /** Starts the workers ahead of the first preview. */
  warm(): void {
    while (this.slots.length < this.size) this.slots.push(this.start());
  }

  run(job: PreviewJob, killAfterMs: number, lookups?: Pick<ClosableLookupSource, 'rows'>): Promise<unknown> {
    // A worker that runs out of memory while reading its message dies with the
    // whole process (V8 cannot stop it there), so an input too large for the
    // worker's memory is refused before it is posted.
    const bytes = new Uint8Array(serialize(job));
    const limitBytes = this.inputLimitBytes();
    if (bytes.byteLength > limitBytes) {
      const why = `its input is ${megabytes(bytes.byteLength)} MB, more than the preview's input limit of ${megabytes(limitBytes)} MB; preview a smaller sample`;
      return Promise.reject(new AppProblem(422, `The preview was refused: ${why}.`, { problems: [{ path: '/sample', message: why }] }));
    }
    this.warm();
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, killAfterMs, lookups, resolve, reject });
      this.dispatch();
    });
  }

  /** The largest serialised job a worker is given: a quarter of its heap, since parsed records take several times their serialised size. */
  inputLimitBytes(): number {
    return Math.floor((this.memoryMb * 1024 * 1024) / 4);
  }

  /** Stops every worker (tests; a server stops with its process). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private start(): Slot {
    const worker = new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (msg: { id?: number; ok?: boolean; result?: unknown; message?: string }) => {
      const current = slot.current;
      if (!current || msg.id !== current.id) return;
      if (isLookupAsk(msg)) {
        // The worker's lookup asks for rows: answered here, where the connections are; only rows go back.
        if (current.lookups) void answerLookup(msg, current.lookups).then((reply) => { if (slot.current === current) slot.worker.postMessage(reply); });
        return;
      }
      this.finish(slot);
      if (msg.ok) current.resolve(msg.result);
      else current.reject(new AppProblem(422, `The preview failed: ${msg.message}`));
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.replace(slot, outOfMemory
        ? `it needed more than the preview's memory limit of ${this.memoryMb} MB`
        : `its worker failed (${err.message})`);
    });
    worker.on('exit', () => this.replace(slot, 'its worker stopped'));
    return slot;
  }

  private finish(slot: Slot): void {
    if (slot.current) clearTimeout(slot.current.timer);
    slot.current = undefined;
    this.dispatch();
  }

  /** Fails the slot's job (if any) with `why`, and puts a fresh worker in its place. */
  private replace(slot: Slot, why: string): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    const current = slot.current;
    if (current) clearTimeout(current.timer);
    slot.current = undefined;
    this.restarts++;
    this.slots.splice(index, 1);
    slot.worker.removeAllListeners('exit');
    void slot.worker.terminate();
    current?.reject(new AppProblem(422, `The preview was stopped: ${why}.`, { problems: [{ path: '/document', message: why }] }));
    this.slots.push(this.start());
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.current) continue;
      const next = this.queue.shift();
      if (!next) return;
      const id = this.nextId++;
      const timer = setTimeout(() => this.replace(slot, `it ran longer than the preview's limit of ${Math.round(next.killAfterMs / 1000)} s`), next.killAfterMs);
      timer.unref();
      slot.current = { ...next, id, timer };
      slot.worker.postMessage({ id, job: next.bytes, lookups: next.lookups !== undefined }, [next.bytes.buffer]);
    }
  }
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

let shared: PreviewPool | undefined;

/** The process's preview pool (started on first use). */
export function previewPool(): PreviewPool {
  return (shared ??= new PreviewPool());
}
