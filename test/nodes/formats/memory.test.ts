/**
 * Bounded memory: ~50 MB documents generated on the fly (never materialised)
 * stream through the parsers while the live heap, measured after forced
 * garbage collections, stays far below the input size.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../nodes/formats/json.ts';
import { parseJsonl } from '../../../nodes/formats/jsonl.ts';
import { parseXml } from '../../../nodes/formats/xml.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const TARGET_BYTES = 50 * 1024 * 1024;
const LIMIT_BYTES = 30 * 1024 * 1024;
const encoder = new TextEncoder();

/** Samples the live heap (after a forced GC) relative to when it was created. */
class HeapSampler {
  private readonly base: number;
  maxGrowth = 0;
  constructor() {
    gc();
    this.base = process.memoryUsage().heapUsed;
  }
  sample(): void {
    gc();
    this.maxGrowth = Math.max(this.maxGrowth, process.memoryUsage().heapUsed - this.base);
  }
}

interface Generated {
  bytes: number;
  items: number;
}

/**
 * Yields `head`, then `item(i)` batched into ~64 KB chunks until `TARGET_BYTES`,
 * then `tail`. Samples the heap every ~4 MB, so a parser that hoards input is
 * caught even if it emits nothing until the end.
 */
async function* generate(head: string, item: (i: number) => string, tail: string, counter: Generated, heap: HeapSampler) {
  const emit = (text: string) => {
    const bytes = encoder.encode(text);
    counter.bytes += bytes.length;
    return bytes;
  };
  yield emit(head);
  for (let chunk = 1; counter.bytes < TARGET_BYTES; chunk++) {
    let text = '';
    while (text.length < 64 * 1024) text += item(counter.items++);
    yield emit(text);
    if (chunk % 64 === 0) heap.sample();
  }
  yield emit(tail);
}

/** Consumes records, sampling the heap as it goes; returns the count and a check sum. */
async function consume(records: AsyncIterable<unknown>, amountOf: (record: any) => string, heap: HeapSampler) {
  let count = 0;
  let total = new Decimal(0);
  for await (const record of records) {
    count++;
    total = total.plus(amountOf(record));
    if (count % 25_000 === 0) heap.sample();
  }
  heap.sample();
  return { count, total };
}

const line = (i: number) =>
  JSON.stringify({ id: `INV-${i}`, supplier: 'Müller Büro GmbH', lines: [{ sku: 'A-1', qty: '2', amount: '10.25' }], amount: '20.50', memo: 'x'.repeat(120) });

describe('bounded memory', () => {
  it('streams ~50 MB of JSON Lines', async () => {
    const counter = { bytes: 0, items: 0 };
    const heap = new HeapSampler();
    const source = generate('', (i) => `${line(i)}\n`, '', counter, heap);
    const { count, total } = await consume(parseJsonl(source, 'big.jsonl'), (r) => r.amount, heap);
    expect(counter.bytes).toBeGreaterThan(TARGET_BYTES);
    expect(count).toBe(counter.items);
    expect(total.toFixed(2)).toBe(new Decimal('20.50').times(count).toFixed(2));
    expect(heap.maxGrowth).toBeLessThan(LIMIT_BYTES);
  });

  it('streams a ~50 MB top-level JSON list', async () => {
    const counter = { bytes: 0, items: 0 };
    const heap = new HeapSampler();
    const source = generate('[', (i) => `${i === 0 ? '' : ','}\n${line(i)}`, '\n]', counter, heap);
    const { count, total } = await consume(parseJson(source, 'big.json'), (r) => r.amount, heap);
    expect(counter.bytes).toBeGreaterThan(TARGET_BYTES);
    expect(count).toBe(counter.items);
    expect(total.toFixed(2)).toBe(new Decimal('20.50').times(count).toFixed(2));
    expect(heap.maxGrowth).toBeLessThan(LIMIT_BYTES);
  });

  it('streams a ~50 MB camt.053 statement entry by entry', async () => {
    const counter = { bytes: 0, items: 0 };
    const heap = new HeapSampler();
    const head =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>' +
      '<GrpHdr><MsgId>BIG</MsgId></GrpHdr><Stmt><Id>S1</Id>';
    const entry = (i: number) =>
      `\n    <Ntry><NtryRef>${i}</NtryRef><Amt Ccy="EUR">12.34</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>` +
      `<BookgDt><Dt>2026-01-31</Dt></BookgDt><NtryDtls><TxDtls><Refs><EndToEndId>E2E-${i}</EndToEndId></Refs>` +
      `<RmtInf><Ustrd>Rechnung ${i} Müller Büro GmbH</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
    const source = generate(head, entry, '\n  </Stmt></BkToCstmrStmt></Document>\n', counter, heap);
    const records = parseXml(source, 'big.xml', { recordElement: 'Document/BkToCstmrStmt/Stmt/Ntry', repeat: ['TxDtls'] });
    const { count, total } = await consume(records, (r) => r.Ntry.Amt['#text'], heap);
    expect(counter.bytes).toBeGreaterThan(TARGET_BYTES);
    expect(count).toBe(counter.items);
    expect(total.toFixed(2)).toBe(new Decimal('12.34').times(count).toFixed(2));
    expect(heap.maxGrowth).toBeLessThan(LIMIT_BYTES);
  });
});
