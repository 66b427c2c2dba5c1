/**
 * The precheck's JSON Lines check without parsing (isCleanJsonText, parseJsonl
 * `checkOnly`): whatever it calls clean, JSON.parse reads and the record
 * limits accept; everything else is parsed and reported as before.
 */
import { describe, expect, it } from 'vitest';
import { bytesOf, chunked, LineCounter } from '../../../nodes/formats/bytes.ts';
import { isCleanJsonText } from '../../../nodes/formats/json-syntax.ts';
import { parseJsonl } from '../../../nodes/formats/jsonl.ts';
import { recordProblem } from '../../../nodes/formats/record-limits.ts';

const VALID = [
  '{}', '[]', '0', '-0', '1.5e+3', '-12.25E-2', '"x"', 'true', 'false', 'null', ' {"a" : [1, 2, {"b": null}] } ',
  '{"a":"\\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00 \\u0001"}', '[[[]],[{}]]', '{"a":1,"a":2}', '"\\ud800"',
  JSON.stringify({ po: { number: 'PO-1', lines: [{ qty: '2', price: 9.99 }], note: 'Ünïcødé ✓' } }),
];
const INVALID = [
  '', ' ', '{', '}', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', "{'a':1}", '01', '1.', '.5', '1e', '+1', '-', '0x10', 'NaN', 'Infinity',
  'tru', 'nul', 'True', '"abc', '"a\tb"', '"\\x"', '"\\u12"', '"\\u12G4"', '[1 2]', '{"a":1 "b":2}', '1 2', '{}{}', '[]]',
  '\ufeff{}', '{"a":1}\u00a0', '[1,,2]', '{,}', '"a\u0000"',
];
const NUL = ['"\\u0000"', '{"k\\u0000":1}', '["a","\\u0000b"]'];

describe('isCleanJsonText', () => {
  it('calls clean exactly the texts JSON.parse reads (within the limits)', () => {
    for (const text of VALID) {
      expect(JSON.parse(text), text).toBeDefined();
      expect(isCleanJsonText(text, 1000), text).toBe(true);
    }
    for (const text of INVALID) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(isCleanJsonText(text, 1000), text).toBe(false);
    }
  });

  it('is never sure of a NUL character, which the store cannot hold', () => {
    for (const text of NUL) {
      expect(recordProblem(JSON.parse(text))).toMatch(/NUL/);
      expect(isCleanJsonText(text, 1000)).toBe(false);
    }
  });

  it('counts nesting as the record limits do', () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(recordProblem(JSON.parse(nested(5)), { maxDepth: 5, maxRecordSize: 1e6 })).toBeUndefined();
    expect(isCleanJsonText(nested(5), 5)).toBe(true);
    expect(recordProblem(JSON.parse(nested(6)), { maxDepth: 5, maxRecordSize: 1e6 })).toMatch(/maxDepth/);
    expect(isCleanJsonText(nested(6), 5)).toBe(false);
    expect(isCleanJsonText(nested(3000), 5000)).toBe(true);
  });

  it('agrees with JSON.parse on every cut of a valid text', () => {
    const text = VALID.at(-1)!;
    for (let cut = 0; cut < text.length; cut++) {
      const piece = text.slice(0, cut);
      let parses = true;
      try {
        JSON.parse(piece);
      } catch {
        parses = false;
      }
      if (isCleanJsonText(piece, 1000)) expect(parses, piece).toBe(true);
    }
  });
});

describe('parseJsonl checkOnly', () => {
  const collect = async (text: string, checkOnly: boolean) => {
    const out: unknown[] = [];
    for await (const r of parseJsonl(chunked(text, 7), 'in.jsonl', { checkOnly })) out.push(r);
    return out;
  };

  it('reads nothing out of clean lines and reports a bad line as the full parse does', async () => {
    expect(await collect('{"a":1}\n\n[2]\n', true)).toEqual([]);
    const bad = '{"a":1}\n{"b":\n';
    const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e.message);
    expect(await errorOf(collect(bad, true))).toBe(await errorOf(collect(bad, false)));
    expect(await errorOf(collect(bad, true))).toMatch(/line 2/);
    const nul = '{"a":1}\n{"b":"\\u0000"}\n';
    expect(await errorOf(collect(nul, true))).toBe(await errorOf(collect(nul, false)));
    expect(await errorOf(collect(nul, true))).toMatch(/NUL/);
  });

  it('checks the record size limit as the full parse does', async () => {
    const wide = `[${Array.from({ length: 400 }, () => '1').join(',')}]\n`;
    const read = async (checkOnly: boolean) => {
      try {
        for await (const _ of parseJsonl(bytesOf(wide), 'in.jsonl', { checkOnly, limits: { maxRecordSize: 1000 } }));
        return 'ok';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(await read(true)).toBe(await read(false));
    expect(await read(true)).toMatch(/maxRecordSize/);
  });
});

describe('LineCounter', () => {
  it('counts \\n, \\r\\n and lone \\r the same with and without carriage returns in a piece', () => {
    const reference = (text: string) => {
      let line = 1;
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '\r') {
          line++;
          if (text[i + 1] === '\n') i++;
        } else if (text[i] === '\n') line++;
      }
      return line;
    };
    const texts = ['a\nb\n', 'a\r\nb\r\n', 'a\rb\r', '\r\n\r\n\n', 'x\r', '\ny', 'a\r\n\nb\r\r\nc'];
    for (const text of texts) {
      for (let size = 1; size <= text.length; size++) {
        const counter = new LineCounter();
        for (let i = 0; i < text.length; i += size) counter.feed(text.slice(i, i + size));
        expect(counter.line, `${JSON.stringify(text)} in pieces of ${size}`).toBe(reference(text));
      }
    }
  });
});
