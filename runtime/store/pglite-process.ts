/**
 * The embedded database in a process of its own (see `pglite-process-main.mjs`):
 * the engine computes while Postgres parses, plans and writes on another
 * core, and the database's memory is not the engine's. Same semantics as an
 * in-process PGlite: one connection, statements in order, a transaction holds
 * the connection until it ends (so statements outside it wait, as they would
 * on PGlite's own lock).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inSavepoint, type Db, type QueryResult, type Row } from './db.ts';
import type { DataFolderLock } from './data-folder-lock.ts';
import type { PGliteLike } from './database.ts';

type Request =
  | { op: 'query'; text: string; params?: unknown[]; tx?: number; copyText?: string | Uint8Array | readonly Uint8Array[] }
  | { op: 'exec'; text: string; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen' | 'unlisten'; channel: string }
  | { op: 'usage' }
  | { op: 'close' };

interface RawResult {
  rows: Row[];
  affectedRows?: number;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: Record<string, string> };

/** An error from the database database, with Postgres's fields (code, detail, constraint…) as PGlite gives them. */
function databaseError(fields: Record<string, string>): Error {
  const { message, name, ...rest } = fields;
  const error = Object.assign(new Error(message), rest);
  if (name && name !== 'Error') error.name = name;
  return error;
}

/** What the database's process has used so far: peak resident memory and CPU time. */
export interface DatabaseUsage {
  maxRssMb: number;
  cpuSeconds: number;
}

export interface PgliteProcess {
  call<T>(request: Request): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  /** The database process's id. */
  readonly pid: number | undefined;
  usage(): Promise<DatabaseUsage>;
  close(): Promise<void>;
}

/**
 * Starts PGlite in its own process over `dataDir` (in memory when undefined).
 * With the folder's lock, the lock names the database process while it runs,
 * so a successor of a killed owner waits for it to exit.
 */
export async function startPgliteProcess(
  dataDir: string | undefined, options: Record<string, unknown> = {}, lock?: Pick<DataFolderLock, 'setDatabasePid'>,
): Promise<PgliteProcess> {
  const child = fork(fileURLToPath(new URL('./pglite-process-main.mjs', import.meta.url)), [JSON.stringify({ dataDir, options })], {
    serialization: 'advanced', // structured clone: Dates, Uint8Arrays and bigints arrive as they left
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  lock?.setDatabasePid(child.pid);
  child.once('exit', () => lock?.setDatabasePid(undefined));
  const hold = () => { child.ref(); child.channel?.ref(); };
  const release = () => { child.unref(); child.channel?.unref(); };
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let nextId = 0;
  let dead: Error | null = null;

  // Like an in-process PGlite, the database keeps the process alive only while it has work in hand.
  const settle = () => { if (waiting.size === 0) release(); };
  const failAll = (error: Error) => {
    dead ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    settle();
  };

  await new Promise<void>((resolve, reject) => {
    const stopped = (code: number | null) => reject(new Error(`the embedded database process stopped while starting (exit code ${code})`));
    const onStart = (message: { ready?: boolean; initError?: Record<string, string> }) => {
      child.off('message', onStart);
      child.off('error', reject);
      child.off('exit', stopped);
      if (message.initError) reject(databaseError(message.initError));
      else resolve();
    };
    child.on('message', onStart);
    child.once('error', reject);
    child.once('exit', stopped);
  });

  child.on('message', (message: Reply | { notify: string; payload: string }) => {
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
  child.on('error', (err: Error) => failAll(new Error(`the embedded database process failed: ${err.message}`)));
  child.on('exit', (code: number | null, signal: string | null) =>
    failAll(new Error(`the embedded database process stopped (${signal ? `signal ${signal}` : `exit code ${code}`})`)));
  settle();

  const database: PgliteProcess = {
    call<T>(request: Request): Promise<T> {
      if (dead) return Promise.reject(dead);
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        hold();
        child.send({ id, ...request });
      });
    },
    async listen(channel, callback) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await database.call({ op: 'listen', channel });
      }
      set.add(callback);
      return async () => {
        set!.delete(callback);
        if (set!.size === 0 && listeners.get(channel) === set) {
          listeners.delete(channel);
          if (!dead) await database.call({ op: 'unlisten', channel });
        }
      };
    },
    pid: child.pid,
    usage: () => database.call<DatabaseUsage>({ op: 'usage' }),
    async close() {
      if (dead) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await database.call({ op: 'close' });
      dead = new Error('the embedded database is closed');
      child.ref(); // until it has exited: the data folder is free once close() returns
      await exited;
    },
  };
  return database;
}

function copySql(table: string, columns: readonly string[]): string {
  return `copy ${table} (${columns.join(', ')}) from '/dev/blob'`;
}

function dbOn(database: PgliteProcess, tx: number | undefined): Db {
  let savepoints = 0;
  const query = async <R>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
    const res = await database.call<RawResult>({ op: 'query', text, params, tx });
    // PGlite counts only changed rows; pg's rowCount of a SELECT is the rows it returned.
    return { rows: res.rows as R[], rowCount: Math.max(res.affectedRows ?? 0, res.rows.length) };
  };
  const db: Db = {
    kind: 'pglite',
    query,
    exec: async (sql) => { await database.call({ op: 'exec', text: sql, tx }); },
    transaction: async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
      if (tx !== undefined) return inSavepoint(db, `sp_${++savepoints}`, () => fn(db));
      const id = await database.call<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn(dbOn(database, id));
      } catch (err) {
        await database.call({ op: 'end', tx: id, commit: false }).catch(() => {});
        throw err;
      }
      await database.call({ op: 'end', tx: id, commit: true });
      return result;
    },
    session: (fn) => fn(db),
    copyFrom: async (table, columns, text) => {
      const res = await database.call<RawResult>({ op: 'query', text: copySql(table, columns), params: [], tx, copyText: text });
      return res.affectedRows ?? 0;
    },
    close: async () => {
      if (tx !== undefined) throw new Error('close() called on a transaction');
      await database.close();
    },
  };
  return db;
}

/** The store's Db over the database database. */
export function createPgliteProcessDb(database: PgliteProcess): Db {
  return dbOn(database, undefined);
}

/** What the job queue needs of the embedded database, over the same database (so jobs and store rows share the one connection). */
export function pgliteLikeOf(database: PgliteProcess): PGliteLike {
  return {
    query: <T = Row>(text: string, params?: unknown[]) => database.call<{ rows: T[] }>({ op: 'query', text, params }),
    exec: (text: string) => database.call<{ rows: Row[] }[]>({ op: 'exec', text }),
    listen: (channel, callback) => database.listen(channel, callback),
  };
}
