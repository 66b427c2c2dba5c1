/**
 * One owner per embedded data folder. PGlite is a single-user Postgres: two
 * processes writing one folder lose each other's writes and can leave it
 * unopenable. The owner holds `ledgerflow.lock` in the folder, created
 * atomically (O_EXCL) and naming its pid, start time, host and command. A lock
 * whose owner is gone (killed, crashed) is taken over, but only once the
 * owner's database process, which may outlive it for a moment, has exited.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_FILE = 'ledgerflow.lock';

/** What the lock file says about its owner. */
export interface LockOwner {
  pid: number;
  /** The owner's start time as the kernel counts it (Linux), to tell a reused pid apart. */
  pidStart?: string;
  host: string;
  startedAt: string;
  command: string;
  /** The owner's embedded database process, once started. */
  databasePid?: number;
}

/** The folder is held by another live process: the message names it and what to do. */
export class DataFolderInUseError extends Error {
  constructor(readonly dataDir: string, readonly owner: LockOwner) {
    const where = owner.host === hostname() ? '' : ` on host ${owner.host}`;
    super(
      `the data folder ${dataDir} is in use by process ${owner.pid}${where} (${owner.command}, since ${owner.startedAt}). ` +
        'Only one process may open an embedded data folder: stop that process first, or do this through its web UI or API. ' +
        `If that process is surely gone, delete ${join(dataDir, LOCK_FILE)}.`,
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  /** Records the pid of the database process in the lock, so a successor waits for it. */
  setDatabasePid(pid: number | undefined): void;
  /** Removes the lock (only if it is still ours). */
  release(): void;
}

export interface LockOptions {
  /** How long to wait for a dead owner's database process to exit (default 30 s). */
  orphanWaitMs?: number;
}

/** Linux start time of a process (field 22 of /proc/<pid>/stat); undefined elsewhere or when gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Lock files this process holds: a second open in the same process is refused like any other. */
const heldHere = new Set<string>();

function isAlive(pid: number | undefined, pidStart?: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The same pid started at another time is another process (pid reuse after a reboot or in a container).
  const start = pidStart ? startTimeOf(pid) : undefined;
  return !(pidStart && start && start !== pidStart);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or half-written by an owner that died while creating it
  }
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock of `dataDir` or throws DataFolderInUseError naming the owner.
 * A stale lock (owner gone) is taken over after its database process has exited.
 */
export async function lockDataFolder(dataDir: string, options: LockOptions = {}): Promise<DataFolderLock> {
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid, pidStart: startTimeOf(process.pid), host: hostname(),
    startedAt: new Date().toISOString(), command: commandLine(),
  };
  for (let attempt = 0; !tryCreate(path, me); attempt++) {
    const owner = readOwner(path);
    if (heldHere.has(path) && owner) throw new DataFolderInUseError(dataDir, owner);
    if (attempt >= 5) throw new Error(`could not take the lock ${path}: it keeps changing hands`);
    if (owner && owner.host !== me.host) throw new DataFolderInUseError(dataDir, owner);
    // Our own pid in a lock we do not hold: left by an earlier process that had our pid.
    if (owner && owner.pid !== process.pid && isAlive(owner.pid, owner.pidStart)) throw new DataFolderInUseError(dataDir, owner);
    if (owner?.databasePid) await waitForExit(owner, dataDir, options.orphanWaitMs ?? 30_000);
    takeOverStale(path, owner);
  }
  heldHere.add(path);
  const onExit = () => release();
  process.once('exit', onExit);
  let held = true;
  function release(): void {
    if (!held) return;
    held = false;
    heldHere.delete(path);
    process.off('exit', onExit);
    if (readOwner(path)?.pid === me.pid) rmSync(path, { force: true });
  }
  return {
    setDatabasePid(pid) {
      if (!held) return;
      me.databasePid = pid;
      // Write-then-rename: a reader never sees a half-written lock.
      const next = `${path}.${process.pid}`;
      writeFileSync(next, JSON.stringify(me));
      renameSync(next, path);
    },
    release,
  };
}

/** A dead owner's database process exits when it notices its parent is gone; it may be finishing a write. */
async function waitForExit(owner: LockOwner, dataDir: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  while (isAlive(owner.databasePid)) {
    if (Date.now() > until) {
      throw new Error(
        `the data folder ${dataDir} is still open in database process ${owner.databasePid}, left over from process ${owner.pid} which has ended; ` +
          'it did not exit within ' + `${Math.round(waitMs / 1000)} s. Stop it (kill ${owner.databasePid}) and try again.`,
      );
    }
    await sleep(50);
  }
}

/**
 * Removes a stale lock. Two processes may find the same stale lock: the
 * rename succeeds for one of them only; the other retries and finds the lock
 * the first one then created.
 */
function takeOverStale(path: string, seen: LockOwner | undefined): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const taken = readOwner(aside);
  if (seen && taken && taken.pid !== seen.pid) {
    // Not the lock we judged stale: someone took over in between; put theirs back.
    try {
      renameSync(aside, path);
    } catch {
      // ignore: the next attempt sees whatever is there
    }
    return;
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}

function commandLine(): string {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-')).slice(0, 2);
  return args.length ? `ledgerflow ${args.join(' ')}` : `node ${process.argv[1] ?? ''}`.trim();
}
