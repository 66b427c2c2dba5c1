import { readFileSync } from 'node:fs';

/** Bytes of a published sample document in /work/shared/data/real (never edited). */
export function realBytes(relativePath: string): Uint8Array {
  return readFileSync(new URL(`../../../../shared/data/real/${relativePath}`, import.meta.url));
}

/** Every record of a parser, in order. */
export async function collect<T = unknown>(records: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record as T);
  return out;
}

/** The FlowError a parse rejects with (fails the test when it resolves). */
export async function parseFailure(records: AsyncIterable<unknown>): Promise<{ errorClass: string; message: string }> {
  try {
    await collect(records);
  } catch (err) {
    return err as { errorClass: string; message: string };
  }
  throw new Error('expected the parse to fail, but it succeeded');
}
