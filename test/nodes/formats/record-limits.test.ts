/**
 * Poison input fails fast and clearly: a record nested deeper than the depth
 * limit, a NUL character (which Postgres cannot store) or a JSON Lines line
 * longer than the size limit is refused naming the file, the line and the
 * limit; JSON Lines parsing is linear in the input size, and a giant single
 * line is refused at the limit with bounded memory.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bytesOf, chunked } from '../../../nodes/formats/bytes.ts';
import { parseDocument } from '../../../nodes/formats/parse-document.ts';
import { parseJson } from '../../../nodes/formats/json.ts';
import { parseJsonl } from '../../../nodes/formats/jsonl.ts';
import { recordProblem } from '../../../nodes/formats/record-limits.ts';
import { collect, parseFailure } from './helpers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const encoder = new TextEncoder();
const MiB = 1024 * 1024;
const nested = (levels: number) => `{"id":"deep","v":${'['.repeat(levels)}1${']'.repeat(levels)}}`;

describe('record limits', () => {
  it('names the field path of a NUL character and the depth limit, walking any depth without recursion', () => {
    expect(recordProblem({ a: { b: ['x', 'bad\u0000'] } })).toMatch(/field a\.b\[1\] contains a NUL character/);
    expect(recordProblem({ "k\u0000": 1 })).toMatch(/field name contains a NUL character/);
    expect(recordProblem(JSON.parse(nested(999)))).toBeUndefined();
    expect(recordProblem(JSON.parse(nested(100_000)))).toMatch(/nested more than 1,000 levels deep \(maxDepth\)/);
    expect(recordProblem(JSON.parse(nested(20)), { maxDepth: 10, maxRecordSize: MiB })).toMatch(/more than 10 levels/);
  });

  it('measures a parsed record against the size limit too, whatever its format (a JSON document, CSV, XML)', async () => {
    const limits = { maxDepth: 1000, maxRecordSize: MiB };
    expect(recordProblem({ id: 'ok', memo: 'x'.repeat(MiB - 100) }, limits)).toBeUndefined();
    expect(recordProblem({ id: 'big', memo: 'x'.repeat(MiB) }, limits)).toMatch(/larger than the record size limit of 1 MiB \(maxRecordSize\)/);
    expect(recordProblem({ lines: Array.from({ length: 300_000 }, (_, i) => ({ n: i })) }, limits)).toMatch(/record size limit of 1 MiB/);
    // Through a JSON document: the record is named with the file and its place in it.
    const doc = JSON.stringify([{ id: 'a' }, { id: 'b', memo: 'y'.repeat(17 * MiB) }]);
    const err = await parseFailure(parseDocument(bytesOf(doc), 'invoices.json', { format: 'json' }));
    expect(err.message).toMatch(/invoices\.json.*record size limit of 16 MiB/);
  });

  it('refuses a deeply nested JSON Lines record within a second, naming file, line and limit', async () => {
    const text = ['{"id":"a"}', '{"id":"b"}', nested(200_000), '{"id":"c"}'].join('\n');
    const started = performance.now();
    const err = await parseFailure(parseJsonl(bytesOf(text), 'events.jsonl'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err.errorClass).toBe('validation');
    expect(err.message).toMatch(/^events\.jsonl line 3: the record is nested more than 1,000 levels deep \(maxDepth\)/);
  });

  it('refuses a NUL character naming file, line and field, in JSON Lines, JSON and CSV', async () => {
    const jsonl = await parseFailure(parseJsonl(bytesOf('{"id":"a"}\n{"id":"b","memo":"x\\u0000y"}\n'), 'events.jsonl'));
    expect(jsonl.message).toMatch(/^events\.jsonl line 2: field memo contains a NUL character/);
    const json = await parseFailure(parseJson(bytesOf('[\n{"id":"a"},\n{"id":"b","lines":[{"memo":"\\u0000"}]}\n]'), 'batch.json'));
    expect(json.message).toMatch(/^batch\.json line 3, column \d+: field lines\[0\]\.memo contains a NUL character/);
    const csv = await parseFailure(parseDocument(bytesOf('id,memo\na,ok\nb,x\u0000y\n'), 'rows.csv'));
    expect(csv.message).toMatch(/^rows\.csv: record 2: field memo contains a NUL character/);
  });

  it('applies configured limits through parseDocument', async () => {
    const err = await parseFailure(parseDocument(bytesOf(`${nested(8)}\n`), 'e.jsonl', { limits: { maxDepth: 5 } }));
    expect(err.message).toMatch(/e\.jsonl line 1: .*more than 5 levels/);
    // The shortest line that nests too deep (six levels in twelve characters) is walked, not waved through.
    const short = await parseFailure(parseDocument(bytesOf('[[[[[]]]]]\n[[[[[[]]]]]]\n'), 'e.jsonl', { limits: { maxDepth: 5 } }));
    expect(short.message).toMatch(/e\.jsonl line 2: .*more than 5 levels/);
    const exact = await parseFailure(parseDocument(bytesOf('{"n":1.50}\n{"n":"\\u0000"}\n'), 'e.jsonl', { json: { exactNumbers: true } }));
    expect(exact.message).toMatch(/e\.jsonl line 2: field n contains a NUL character/);
    const big = await parseFailure(parseDocument(bytesOf(`{"id":"${'x'.repeat(2000)}"}\n`), 'e.jsonl', { limits: { maxRecordSize: 1000 } }));
    expect(big.message).toMatch(/e\.jsonl line 1: the record is larger than the record size limit of 1,000 characters \(maxRecordSize\)/);
  });

  it('keeps records whole across chunk boundaries and counts lines across them', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `r${i}`, memo: 'é'.repeat(i) }));
    const out = await collect(parseJsonl(chunked(`${lines.join('\r\n')}\n\n`, 7), 'e.jsonl'));
    expect(out).toEqual(lines.map((l) => JSON.parse(l)));
  });

  it('parses one long JSON Lines line in linear time (20 MB: was 33 s when each piece was re-joined)', async () => {
    const size = 20 * MiB;
    async function* oneLine() {
      yield encoder.encode('{"id":"long","memo":"');
      const piece = encoder.encode('x'.repeat(64 * 1024));
      for (let n = 0; n < size; n += piece.length) yield piece;
      yield encoder.encode('"}\n');
    }
    const started = performance.now();
    const out = await collect<{ memo: string }>(parseJsonl(oneLine(), 'long.jsonl', { limits: { maxRecordSize: 32 * MiB } }));
    const ms = performance.now() - started;
    expect(out[0].memo.length).toBe(size);
    expect(ms).toBeLessThan(5000);
    console.log(`20 MiB single JSON Lines line parsed in ${Math.round(ms)} ms`);
  });

  it('refuses a 64 MB single line at the 16 MB limit quickly with bounded memory (generated stream)', async () => {
    gc();
    const base = process.memoryUsage().rss;
    let generated = 0;
    let peak = 0;
    async function* giantLine() {
      const piece = encoder.encode('x'.repeat(64 * 1024));
      yield encoder.encode('{"id":"giant","memo":"');
      for (; generated < 64 * MiB; generated += piece.length) {
        yield piece;
        if (generated % (4 * MiB) === 0) peak = Math.max(peak, process.memoryUsage().rss - base);
      }
      yield encoder.encode('"}\n');
    }
    const started = performance.now();
    const err = await parseFailure(parseJsonl(giantLine(), 'giant.jsonl'));
    const ms = performance.now() - started;
    expect(err.message).toBe('giant.jsonl line 1: the record is larger than the record size limit of 16 MiB (maxRecordSize)');
    // Stopped at the limit: the rest of the 64 MB stream was never read.
    expect(generated).toBeLessThanOrEqual(17 * MiB);
    expect(ms).toBeLessThan(3000);
    expect(peak).toBeLessThan(200 * MiB);
    console.log(`64 MiB line refused after ${Math.round(generated / MiB)} MiB in ${Math.round(ms)} ms, RSS growth ≤ ${Math.round(peak / MiB)} MiB`);
  });
});
