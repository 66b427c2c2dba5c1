import { readFileSync } from 'node:fs';
import type { XmlWriteOptions } from '../../../nodes/formats/xml-write.ts';

/** How UBL 2.1 documents are written: cbc for elements holding text, cac for those holding elements. */
export const UBL_WRITE: XmlWriteOptions = {
  namespaces: {
    cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
    cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  },
  prefixes: { leaf: 'cbc', branch: 'cac' },
};

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
