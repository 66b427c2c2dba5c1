/**
 * The embedded database on a thread of its own (see `pglite-worker.mjs`): the
 * engine computes on the main thread while Postgres parses, plans and writes
 * on another core. Same semantics as an in-process PGlite: one connection,
 * statements in order, a transaction holds the connection until it ends (so
 * statements outside it wait, as they would on PGlite's own lock).
 */
import { Worker } from 'node:worker_threads';
import type { PGliteLike } from 'pg-boss';
import { inSavepoint, type Db, type QueryResult, type Row } from './db.ts';

type Request =
  | { op: 'query'; text: string; params?: unknown[]; tx?: number; copyText?: string }
  | { op: 'exec'; text: string; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen' | 'unlisten'; channel: string }
  | { op: 'close' };

interface RawResult {
  rows: Row[];
  affectedRows?: number;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: Record<string, string> };

/** An error from the database thread, with Postgres's fields (code, detail, constraint…) as PGlite gives them. */
function databaseError(fields: Record<string, string>): Error {
  const { message, name, ...rest } = fields;
  const error = Object.assign(new Error(message), rest);
  if (name && name !== 'Error') error.name = name;
  return error;
}

export interface PgliteThread {
  call<T>(request: Request): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Starts PGlite on its own thread over `dataDir` (in memory when undefined). */
export async function startPgliteThread(dataDir: string | undefined, options: Record<string, unknown> = {}): Promise<PgliteThread> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir, options } });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let nextId = 0;
  let dead: Error | null = null;

  // Like an in-process PGlite, the thread keeps the process alive only while it has work in hand.
  const settle = () => { if (waiting.size === 0) worker.unref(); };
  const failAll = (error: Error) => {
    dead ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    settle();
  };

  await new Promise<void>((resolve, reject) => {
    const onStart = (message: { ready?: boolean; initError?: Record<string, string> }) => {
      worker.off('message', onStart);
      worker.off('error', reject);
      if (message.initError) reject(databaseError(message.initError));
      else resolve();
    };
    worker.on('message', onStart);
    worker.once('error', reject);
  });

  worker.on('message', (message: Reply | { notify: string; payload: string }) => {
    if ('notify' in message) {
      for (const callback of listeners.get(message.notify) ?? []) callback(message.payload);
      return;
    }
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.ok) w.resolve(message.result);
    else w.reject(databaseError(message.error));
    settle();
  });
  worker.on('error', (err: Error) => failAll(new Error(`the embedded database thread failed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new Error(`the embedded database thread stopped (exit code ${code})`)));
  settle();

  const thread: PgliteThread = {
    call<T>(request: Request): Promise<T> {
      if (dead) return Promise.reject(dead);
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.ref();
        worker.postMessage({ id, ...request });
      });
    },
    async listen(channel, callback) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await thread.call({ op: 'listen', channel });
      }
      set.add(callback);
      return async () => {
        set!.delete(callback);
        if (set!.size === 0 && listeners.get(channel) === set) {
          listeners.delete(channel);
          if (!dead) await thread.call({ op: 'unlisten', channel });
        }
      };
    },
    async close() {
      if (dead) return;
      await thread.call({ op: 'close' });
      dead = new Error('the embedded database is closed');
      await worker.terminate();
    },
  };
  return thread;
}

function copySql(table: string, columns: readonly string[]): string {
  return `copy ${table} (${columns.join(', ')}) from '/dev/blob'`;
}

function dbOn(thread: PgliteThread, tx: number | undefined): Db {
  let savepoints = 0;
  const query = async <R>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
    const res = await thread.call<RawResult>({ op: 'query', text, params, tx });
    // PGlite counts only changed rows; pg's rowCount of a SELECT is the rows it returned.
    return { rows: res.rows as R[], rowCount: Math.max(res.affectedRows ?? 0, res.rows.length) };
  };
  const db: Db = {
    kind: 'pglite',
    query,
    exec: async (sql) => { await thread.call({ op: 'exec', text: sql, tx }); },
    transaction: async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
      if (tx !== undefined) return inSavepoint(db, `sp_${++savepoints}`, () => fn(db));
      const id = await thread.call<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn(dbOn(thread, id));
      } catch (err) {
        await thread.call({ op: 'end', tx: id, commit: false }).catch(() => {});
        throw err;
      }
      await thread.call({ op: 'end', tx: id, commit: true });
      return result;
    },
    session: (fn) => fn(db),
    copyFrom: async (table, columns, text) => {
      const res = await thread.call<RawResult>({ op: 'query', text: copySql(table, columns), params: [], tx, copyText: text });
      return res.affectedRows ?? 0;
    },
    close: async () => {
      if (tx !== undefined) throw new Error('close() called on a transaction');
      await thread.close();
    },
  };
  return db;
}

/** The store's Db over the database thread. */
export function createPgliteThreadDb(thread: PgliteThread): Db {
  return dbOn(thread, undefined);
}

/** What pg-boss's `fromPglite` adapter needs, over the same thread (so jobs and store rows share the one connection). */
export function pgliteLikeOf(thread: PgliteThread): PGliteLike {
  return {
    query: <T = Row>(text: string, params?: unknown[]) => thread.call<{ rows: T[] }>({ op: 'query', text, params }),
    exec: (text: string) => thread.call<{ rows: Row[] }[]>({ op: 'exec', text }),
    listen: (channel, callback) => thread.listen(channel, callback),
  };
}
