/**
 * The embedded database's own process: one PGlite instance, driven by
 * messages from `pglite-process.ts` over the IPC channel. Postgres's work
 * (parsing, planning, index and WAL writes, COPY) runs here, on another core,
 * while the engine keeps computing; and the database's memory (the WebAssembly
 * heap with its shared buffers) is its own, apart from the engine's.
 *
 * Plain JavaScript on purpose: it runs without the loader that runs the
 * TypeScript sources, and needs nothing of ours.
 *
 * Started as `node pglite-process-main.mjs <json {dataDir, options}>`; exits when
 * its parent closes it or goes away (the data folder is never left open by
 * an orphan).
 *
 * Messages in:  { id, op: 'query', text, params?, tx?, copyText? } | { id, op: 'exec', text, tx? }
 *               (with copyText, `text` is a `COPY … FROM '/dev/blob'`: it reads copyText, see copyFromFile)
 *               | { id, op: 'begin' } | { id, op: 'end', tx, commit } | { id, op: 'listen' | 'unlisten', channel }
 *               | { id, op: 'usage' } | { id, op: 'close' }
 * Messages out: { ready: true } | { initError } | { id, ok: true, result } | { id, ok: false, error }
 *               | { notify: channel, payload }
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const start = JSON.parse(process.argv[2] ?? '{}');
const send = (message) => { if (process.connected) process.send(message); };

/** The fields of a Postgres error worth keeping across the process boundary. */
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

/**
 * `COPY … FROM '/dev/blob'` with the rows put in a file of the database's
 * in-memory file system first: PGlite's /dev/blob hands COPY its bytes one by
 * one in JavaScript (~5 ns a byte, some 15 µs a trace row), a file is read by
 * block copies. One file per request, removed when the statement is over.
 */
async function copyFromFile(message) {
  const { FS } = pg.Module;
  const file = `/tmp/ledgerflow-copy-${message.id}`;
  const stream = FS.open(file, 'w');
  try {
    const parts = typeof message.copyText === 'string' ? [new TextEncoder().encode(message.copyText)]
      : Array.isArray(message.copyText) ? message.copyText : [message.copyText];
    for (const part of parts) FS.write(stream, part, 0, part.length);
  } finally {
    FS.close(stream);
  }
  try {
    const res = await on(message.tx).query(message.text.replace("'/dev/blob'", `'${file}'`), message.params);
    return { rows: res.rows, affectedRows: res.affectedRows };
  } finally {
    FS.unlink(file);
  }
}

async function handle(message) {
  switch (message.op) {
    case 'query': {
      if (message.copyText !== undefined) return copyFromFile(message);
      const res = await on(message.tx).query(message.text, message.params);
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
        listeners.set(message.channel, await pg.listen(message.channel, (payload) => send({ notify: message.channel, payload })));
      }
      return undefined;
    }
    case 'unlisten': {
      const unsubscribe = listeners.get(message.channel);
      listeners.delete(message.channel);
      if (unsubscribe) await unsubscribe();
      return undefined;
    }
    case 'usage': {
      const usage = process.resourceUsage();
      return { maxRssMb: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
    }
    case 'close':
      await closeDatabase();
      return undefined;
    default:
      throw new Error(`unknown operation ${message.op}`);
  }
}

let closing;
function closeDatabase() {
  closing ??= pg ? pg.close() : Promise.resolve();
  return closing;
}

// Ctrl-C and service-manager signals reach the whole process group: the parent decides
// when the database closes (and closes it last), so they are not ours to act on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

// The parent went away without closing: close the data folder cleanly, then leave.
process.on('disconnect', () => {
  closeDatabase().finally(() => process.exit(0));
});

/**
 * A freshly initialised, empty cluster of this PGlite version, made once per
 * machine (in the temporary folder) and loaded by every new database instead
 * of running initdb again: ~1.5 s instead of ~4.7 s for each new store, target
 * database or test database. Written under a temporary name and renamed, so a
 * process never reads half a file; two processes making it at once each write
 * a whole one.
 */
async function emptyCluster() {
  const version = await pgliteVersion();
  // Without the version, a cluster of another version could be loaded: make a fresh one instead.
  if (!version) return undefined;
  const file = join(tmpdir(), `ledgerflow-pglite-${version}-empty-cluster.tar.gz`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const fresh = await PGlite.create();
    const dump = await fresh.dumpDataDir('gzip');
    await fresh.close();
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}

/** The installed PGlite's version, from the package.json above its entry module. */
async function pgliteVersion() {
  let dir = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === '@electric-sql/pglite') return pkg.version;
    } catch {
      // Not at the package's root yet.
    }
  }
  return undefined;
}

const isNewDatabase = (dataDir) => !dataDir || dataDir.startsWith('memory://') || !existsSync(join(dataDir, 'PG_VERSION'));

try {
  const options = { ...(start.options ?? {}) };
  if (isNewDatabase(start.dataDir) && !options.loadDataDir) {
    const cluster = await emptyCluster().catch(() => undefined);
    if (cluster) options.loadDataDir = cluster;
  }
  pg = await PGlite.create(start.dataDir, options);
  process.on('message', (message) => {
    handle(message).then(
      (result) => {
        send({ id: message.id, ok: true, result });
        if (message.op === 'close') process.disconnect();
      },
      (err) => send({ id: message.id, ok: false, error: plainError(err) }),
    );
  });
  send({ ready: true });
} catch (err) {
  send({ initError: plainError(err) });
  process.disconnect();
}
