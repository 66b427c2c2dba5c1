/**
 * The embedded database's own thread: one PGlite instance, driven by messages
 * from `pglite-thread.ts`. Postgres's work (parsing, planning, index and WAL
 * writes, COPY) runs here, on another core, while the engine keeps computing.
 *
 * Plain JavaScript on purpose: a worker thread does not inherit the loader
 * that runs the TypeScript sources, and this file needs nothing of ours.
 *
 * Messages in:  { id, op: 'query', text, params?, tx?, copyText? } | { id, op: 'exec', text, tx? }
 *               | { id, op: 'begin' } | { id, op: 'end', tx, commit } | { id, op: 'listen' | 'unlisten', channel }
 *               | { id, op: 'close' }
 * Messages out: { ready: true } | { initError } | { id, ok: true, result } | { id, ok: false, error }
 *               | { notify: channel, payload }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** The fields of a Postgres error worth keeping across the thread boundary. */
const ERROR_FIELDS = ['name', 'message', 'code', 'detail', 'hint', 'position', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine', 'where'];

function plainError(err) {
  const out = {};
  for (const field of ERROR_FIELDS) if (err && err[field] !== undefined) out[field] = String(err[field]);
  if (!out.message) out.message = String(err);
  return out;
}

const ROLLBACK = Symbol('rollback');
let pg;
let nextTx = 0;
/** Open transactions: their PGlite handle and how to end them. */
const transactions = new Map();
const listeners = new Map();

function on(tx) {
  if (tx === undefined) return pg;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open.handle;
}

/** Opens a transaction; resolves with its id once BEGIN has run, and holds it open until `end`. */
function begin() {
  return new Promise((resolveBegin, rejectBegin) => {
    const tx = ++nextTx;
    let end;
    const ended = new Promise((resolve) => { end = resolve; });
    let opened = false;
    const finished = pg
      .transaction(async (handle) => {
        opened = true;
        transactions.set(tx, { handle, end, finished });
        resolveBegin(tx);
        if (!(await ended)) throw ROLLBACK;
      })
      .catch((err) => {
        if (err !== ROLLBACK) throw err;
      })
      .finally(() => transactions.delete(tx));
    // A BEGIN that fails never reaches the callback; a failed COMMIT is reported by `end`.
    finished.catch((err) => { if (!opened) rejectBegin(err); });
  });
}

/** Commits (or rolls back) an open transaction and waits until it is over. */
async function endTransaction(tx, commit) {
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  open.end(commit);
  await open.finished;
}

async function handle(message) {
  switch (message.op) {
    case 'query': {
      const options = message.copyText !== undefined ? { blob: new Blob([message.copyText]) } : undefined;
      const res = await on(message.tx).query(message.text, message.params, options);
      return { rows: res.rows, affectedRows: res.affectedRows };
    }
    case 'exec': {
      const results = await on(message.tx).exec(message.text);
      return results.map((r) => ({ rows: r.rows, affectedRows: r.affectedRows }));
    }
    case 'begin':
      return begin();
    case 'end':
      return endTransaction(message.tx, message.commit);
    case 'listen': {
      if (!listeners.has(message.channel)) {
        listeners.set(message.channel, await pg.listen(message.channel, (payload) => parentPort.postMessage({ notify: message.channel, payload })));
      }
      return undefined;
    }
    case 'unlisten': {
      const unsubscribe = listeners.get(message.channel);
      listeners.delete(message.channel);
      if (unsubscribe) await unsubscribe();
      return undefined;
    }
    case 'close':
      await pg.close();
      return undefined;
    default:
      throw new Error(`unknown operation ${message.op}`);
  }
}

try {
  pg = await PGlite.create(workerData.dataDir, workerData.options ?? {});
  parentPort.on('message', (message) => {
    handle(message).then(
      (result) => {
        parentPort.postMessage({ id: message.id, ok: true, result });
        if (message.op === 'close') parentPort.close();
      },
      (err) => parentPort.postMessage({ id: message.id, ok: false, error: plainError(err) }),
    );
  });
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ initError: plainError(err) });
}
