import { vi } from 'vitest';
import { main } from '../../../runtime/cli.ts';

/** Runs `ledgerflow <args>` in this process, capturing what it prints and its exit code. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s) => { out.push(String(s)); });
  const error = vi.spyOn(console, 'error').mockImplementation((s) => { err.push(String(s)); });
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
