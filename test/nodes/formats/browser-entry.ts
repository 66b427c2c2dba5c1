/** Entry of the browser build checked by browser-safety.test.ts. */
export { parseDocument, chunked } from '../../../nodes/formats/index.ts';
export { fileSource } from '../../../nodes/source/file.ts';
export { webhookSource } from '../../../nodes/source/webhook.ts';
import { loadXmlWriter, writeXml, type XmlWriteOptions } from '../../../nodes/formats/xml-write.ts';

/** The XML writer as target.file loads it in the designer (xmlbuilder2 on first use). */
export async function xmlText(record: unknown, options?: XmlWriteOptions): Promise<string> {
  await loadXmlWriter();
  return writeXml(record, options);
}

/** Every record, collected inside the sandbox so results are plain values. */
export async function collectAll(records: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of records) out.push(record);
  return out;
}
