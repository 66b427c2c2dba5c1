/**
 * This process's peak resident memory in MB. On Linux it is `VmHWM` of /proc/self/status: the peak of this
 * process's own memory since it started its program. `process.resourceUsage().maxRSS` is not: the kernel carries
 * the peak of the process image replaced at exec into it, so a child started by a big process (the bench's own,
 * ~400 MB after its micro-benchmarks) reported the parent's memory as its own — fork copies the parent's
 * resident pages, exec keeps their high-water mark. Elsewhere it falls back to maxRSS.
 */
import { readFileSync } from 'node:fs';

export function peakRssMb(): number {
  try {
    const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux: below
  }
  return process.resourceUsage().maxRSS / 1024;
}
