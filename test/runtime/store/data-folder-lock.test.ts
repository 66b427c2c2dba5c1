/**
 * One owner per embedded data folder: a second open (in this process or
 * another) is refused naming the owner; a lock left by a dead owner is taken
 * over once its database process has exited; twenty SIGKILL-and-restart
 * cycles of a process writing the folder leave it healthy with every
 * committed row intact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import { DataFolderInUseError, LOCK_FILE, type LockOwner } from '../../../runtime/store/data-folder-lock.ts';

const REPO = new URL('../../../', import.meta.url).pathname;
const HOLDER = new URL('./folder-holder.mjs', import.meta.url).pathname;

interface Holder {
  child: ChildProcess;
  output: string[];
  exited: Promise<string>;
  /** Rows the holder said it committed. */
  committed(): number[];
}

function startHolder(dataDir: string): Promise<Holder> {
  const child = spawn(process.execPath, [HOLDER, dataDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<string>((done) => child.on('exit', (code, signal) => done(signal ?? String(code))));
  const holder: Holder = {
    child, output, exited,
    committed: () => [...output.join('').matchAll(/committed (\d+)/g)].map((m) => Number(m[1])),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder did not start within 60 s:\n${output.join('')}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      output.push(c.toString());
      if (/ready \d+/.test(output.join(''))) {
        clearTimeout(timer);
        resolve(holder);
      }
    });
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    void exited.then((how) => { clearTimeout(timer); reject(new Error(`holder exited (${how}) before it was ready:\n${output.join('')}`)); });
  });
}

/** A pid that is surely not running: a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('data folder lock', () => {
  const dirs: string[] = [];
  const holders: Holder[] = [];
  // Creating a data folder (initdb) is the slow part: done once, then copied for each test.
  let template: string;
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-lock-'));
    dirs.push(dir);
    cpSync(template, dir, { recursive: true });
    return dir;
  };

  beforeAll(async () => {
    template = mkdtempSync(join(tmpdir(), 'lf-lock-template-'));
    await (await openPgliteStore({ dataDir: template, migrate: false })).close();
  }, 180_000);

  afterAll(() => rmSync(template, { recursive: true, force: true }));

  afterEach(async () => {
    for (const h of holders.splice(0)) {
      if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
      await h.exited;
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second open in the same process, naming the owner, and frees the folder on close', async () => {
    const dir = folder();
    const store = await openPgliteStore({ dataDir: dir, migrate: false });
    const second = await openPgliteStore({ dataDir: dir, migrate: false }).catch((e: Error) => e);
    expect(second).toBeInstanceOf(DataFolderInUseError);
    expect((second as Error).message).toContain(`in use by process ${process.pid}`);
    expect((second as Error).message).toMatch(/stop that process first, or do this through its web UI or API/);
    await store.close();
    const again = await openPgliteStore({ dataDir: dir, migrate: false });
    await again.close();
  }, 60_000);

  it('refuses a folder another live process owns, naming its pid and command', async () => {
    const dir = folder();
    const holder = await startHolder(dir);
    holders.push(holder);
    const err = await openPgliteStore({ dataDir: dir, migrate: false }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(DataFolderInUseError);
    expect((err as Error).message).toContain(`the data folder ${dir} is in use by process ${holder.child.pid}`);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockOwner;
    expect(owner.pid).toBe(holder.child.pid);
    expect(owner.databasePid).toBeGreaterThan(0);
  }, 60_000);

  it('takes over a stale lock whose owner is gone, and a half-written one', async () => {
    const dir = folder();
    const stale: LockOwner = { pid: await deadPid(), host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'ledgerflow serve', databasePid: await deadPid() };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
    const store = await openPgliteStore({ dataDir: dir, migrate: false });
    expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockOwner).pid).toBe(process.pid);
    await store.close();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 12');
    const again = await openPgliteStore({ dataDir: dir, migrate: false });
    await again.close();
  }, 60_000);

  it('stays healthy through twenty SIGKILL-and-restart cycles of a process writing the folder', async () => {
    const dir = folder();
    const committed = new Set<number>();
    const started = Date.now();
    for (let cycle = 0; cycle < 20; cycle++) {
      // Restarted at once: the killed owner's database process may still be running; the lock waits for it.
      const holder = await startHolder(dir);
      holders.push(holder);
      while (holder.committed().length === 0) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      holder.child.kill('SIGKILL');
      await holder.exited;
      for (const n of holder.committed()) committed.add(n);
    }
    const store = await openPgliteStore({ dataDir: dir, migrate: false });
    try {
      const { rows } = await store.sql.query<{ n: number }>('select n from holder_rows order by n');
      const stored = rows.map((r) => Number(r.n));
      // Every commit a holder reported survived; rows are numbered without gaps from 1.
      for (const n of committed) expect(stored).toContain(n);
      expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      expect(committed.size).toBeGreaterThanOrEqual(20);
      console.log(`20 SIGKILL cycles in ${Math.round((Date.now() - started) / 1000)} s: ${stored.length} rows, ${committed.size} reported committed`);
    } finally {
      await store.close();
    }
  }, 900_000);
});
