/**
 * `ledgerflow worker --cores <n>`: one command that works the queue on n
 * cores. The process started by hand runs a worker and starts n-1 more
 * worker processes of the same command on the same database (JavaScript runs
 * one record at a time per thread, so cores are used by processes, each with
 * its own connections and memory). They share the queue as separate
 * `ledgerflow worker` processes would: every chunk is claimed by one of them,
 * retried elsewhere if its process dies, and written under the same ledger
 * and delivery markers, so a run's outcomes, totals and traces are the same
 * as with one process.
 *
 * The helpers are tied to the first process: SIGTERM or SIGINT to it stops
 * them too (each finishes its chunks in hand), and if it dies they notice
 * their IPC channel closing and stop the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { CliError } from './cli-error.ts';

/** `--cores`: a whole number ≥ 1, or `all` (one per CPU core). */
export function coresOption(value: string | boolean | undefined): number {
  if (value === undefined) return 1;
  if (value === 'all') return availableParallelism();
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--cores must be a whole number ≥ 1 or 'all', not '${value}'`, 64);
  return n;
}

/** The command line of a helper: this one without `--cores` and `--metrics-port` (one port per process). */
export function helperArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cores' || arg === '--metrics-port') i++;
    else if (!arg.startsWith('--cores=') && !arg.startsWith('--metrics-port=')) out.push(arg);
  }
  return out;
}

export interface WorkerHelpers {
  readonly pids: number[];
  /** SIGTERM to every helper; resolves once all have exited. */
  stop(): Promise<void>;
}

/** Starts `count` helper worker processes running `args` (a `worker` command line). */
export function startWorkerHelpers(count: number, args: readonly string[]): WorkerHelpers {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    children.push(spawn(process.execPath, [...process.execArgv, process.argv[1], ...helperArgs(args)], {
      // The IPC channel is what makes it a helper: it tells the helper when its first process is gone.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }));
  }
  return {
    pids: children.map((c) => c.pid!).filter((pid) => pid !== undefined),
    async stop() {
      await Promise.all(children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }));
    },
  };
}

/**
 * Resolves with the reason to stop: SIGTERM or SIGINT, or, for a process
 * started with an IPC channel (a helper), its parent going away (the channel closes).
 */
export function stopRequested(): Promise<string> {
  return new Promise<string>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
    if (process.channel) {
      process.once('disconnect', () => done('its first process went away'));
      // The channel only tells of the first process's end: it must not keep a stopped helper alive.
      process.channel.unref();
    }
  });
}
