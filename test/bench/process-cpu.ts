/**
 * CPU seconds of the processes doing one run, for benchmarks on a shared
 * machine (where wall-clock ratios say little): the worker processes by pid,
 * and each Postgres backend serving them, found by the client ports their
 * sockets use (pg_stat_activity.client_port), sampled from /proc until stopped.
 * Linux only.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { SqlClient } from '../../nodes/define-node.ts';

const TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, or null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted after pid and (comm): utime, stime.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The local TCP ports of a process's open sockets. */
function localPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch { /* closed meanwhile */ }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9])) ports.add(Number.parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

export interface CpuReport {
  /** Label (e.g. `worker 1234`) → CPU seconds used while sampled. */
  processes: Record<string, number>;
  /** Postgres backends of each labelled process: summed CPU seconds and how many backends. */
  backends: Record<string, { seconds: number; count: number; pids: number[] }>;
  /** The same backends' CPU seconds by database and application name (the store, a target database, pg-boss). */
  backendsBy: Record<string, number>;
  /** Seconds between the first and the last sample. */
  wallSeconds: number;
}

/**
 * Samples `pids` (label → pid) and their Postgres backends every `everyMs`
 * until `stop()`; a backend or process seen first after the start counts from 0.
 */
export function sampleCpu(sql: SqlClient, pids: Record<string, number>, everyMs = 250): { stop(): Promise<CpuReport> } {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const backendOwner = new Map<number, string>();
  const backendKind = new Map<number, string>();
  const started = performance.now();
  let sampling = true;

  const note = (key: string, seconds: number | null, known: boolean) => {
    if (seconds === null) return;
    if (!first.has(key)) first.set(key, known ? seconds : 0);
    last.set(key, seconds);
  };

  const sample = async (initial: boolean) => {
    for (const [label, pid] of Object.entries(pids)) note(`p:${label}`, processCpuSeconds(pid), initial);
    const owners = new Map<number, string>();
    for (const [label, pid] of Object.entries(pids)) for (const port of localPorts(pid)) owners.set(port, label);
    const { rows } = await sql.query<{ pid: number; client_port: number | null; datname: string; application_name: string }>(
      'select pid, client_port, datname, application_name from pg_stat_activity where client_port is not null');
    for (const row of rows) {
      const owner = owners.get(row.client_port!);
      if (owner === undefined) continue;
      const known = backendOwner.has(row.pid);
      backendOwner.set(row.pid, owner);
      backendKind.set(row.pid, `${row.datname}${row.application_name ? ` (${row.application_name})` : ''}`);
      note(`b:${row.pid}`, processCpuSeconds(row.pid), initial || known);
    }
  };

  const loop = (async () => {
    await sample(true);
    while (sampling) {
      await new Promise((r) => setTimeout(r, everyMs));
      await sample(false);
    }
  })();

  return {
    async stop() {
      sampling = false;
      await loop;
      await sample(false);
      const processes: Record<string, number> = {};
      const backends: Record<string, { seconds: number; count: number; pids: number[] }> = {};
      const backendsBy: Record<string, number> = {};
      for (const [key, end] of last) {
        const used = end - first.get(key)!;
        if (key.startsWith('p:')) processes[key.slice(2)] = round(used);
        else {
          const owner = backendOwner.get(Number(key.slice(2)))!;
          const b = (backends[owner] ??= { seconds: 0, count: 0, pids: [] });
          b.pids.push(Number(key.slice(2)));
          b.seconds = round(b.seconds + used);
          b.count++;
          const kind = backendKind.get(Number(key.slice(2)))!;
          backendsBy[kind] = round((backendsBy[kind] ?? 0) + used);
        }
      }
      return { processes, backends, backendsBy, wallSeconds: round((performance.now() - started) / 1000) };
    },
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
