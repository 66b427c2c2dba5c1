/**
 * The precheck's JSON Lines check without parsing (isCleanJsonText, parseJsonl
 * `checkOnly`): whatever it calls clean, JSON.parse reads and the record
 * limits accept; everything else is parsed and reported as before.
 */
import { describe, expect, it } from 'vitest';
import { byteTextLength, bytesOf, chunked, decodeByteText, decodeText, LineCounter, utf8ByteTexts } from '../../../nodes/formats/bytes.ts';
import { isCleanJsonText } from '../../../nodes/formats/json-syntax.ts';
import { parseJsonl } from '../../../nodes/formats/jsonl.ts';
import { DEFAULT_RECORD_LIMITS, recordProblem, textKeepsLimits } from '../../../nodes/formats/record-limits.ts';

const VALID = [
  '{}', '[]', '0', '-0', '1.5e+3', '-12.25E-2', '"x"', 'true', 'false', 'null', ' {"a" : [1, 2, {"b": null}] } ',
  '{"a":"\\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00 \\u0001"}', '[[[]],[{}]]', '{"a":1,"a":2}', '"\\ud800"',
  JSON.stringify({ po: { number: 'PO-1', lines: [{ qty: '2', price: 9.99 }], note: 'Ünïcødé ✓' } }),
  '{"a":"x"}\r', '\t["a",\t"b\\"c",\r\n"\\\\"]', '["\\"", "\\u0041\\"", "x\\\\"]', '{"\\"k":"v"}',
];
const INVALID = [
  '', ' ', '{', '}', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', "{'a':1}", '01', '1.', '.5', '1e', '+1', '-', '0x10', 'NaN', 'Infinity',
  'tru', 'nul', 'True', '"abc', '"a\tb"', '"\\x"', '"\\u12"', '"\\u12G4"', '[1 2]', '{"a":1 "b":2}', '1 2', '{}{}', '[]]',
  '\ufeff{}', '{"a":1}\u00a0', '[1,,2]', '{,}', '"a\u0000"',
  '["a\\"\tb"]', '["ok",\t"b\u0001"]', '{"a":"x\r"}', '["\\"]', '["\\\\\\"]', '"\\u00G0"', '"\\', '"\\u004',
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

/** A few thousand short texts from JSON's characters and pieces, the same every run. */
function jsonLikeTexts(count: number): string[] {
  const pieces = ['"', '\\', 'u', '0', 'a', 'F', '{', '}', '[', ']', ':', ',', ' ', '\t', '\r', '\u0000', '\u0001', '1', '-', 'e', '.', 'é', 'true', 'null', '"a"', '"\\u0000"', '"\\u00e9"', '\\"'];
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  return Array.from({ length: count }, () => {
    let text = '';
    for (let k = next(14); k > 0; k--) text += pieces[next(pieces.length)];
    return next(3) === 0 ? `{"k":${text}}` : next(2) === 0 ? `["${text}"]` : text;
  });
}

const parsed = (text: string): { value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
};

describe('isCleanJsonText on generated texts', () => {
  it('is true exactly when JSON.parse reads the text and the value keeps the depth limit', () => {
    let clean = 0;
    const wrong: string[] = [];
    for (const text of jsonLikeTexts(20_000)) {
      const read = parsed(text);
      const expected = read !== undefined && recordProblem(read.value, { maxDepth: 3, maxRecordSize: 1e9 }) === undefined;
      if (isCleanJsonText(text, 3) !== expected) wrong.push(text);
      if (expected) clean++;
    }
    expect(wrong).toEqual([]);
    expect(clean).toBeGreaterThan(2_000);
  });
});

describe('isCleanJsonText on a line within a larger text', () => {
  it('says of a line where it lies what it says of the line alone, in any order of lines', () => {
    const lines = [...VALID, ...INVALID, ...NUL, ...jsonLikeTexts(3_000)].filter((line) => !line.includes('\n'));
    const text = lines.join('\n');
    const ranges: [number, number][] = [];
    for (let at = 0, k = 0; k < lines.length; at += lines[k].length + 1, k++) ranges.push([at, at + lines[k].length]);
    const alone = new Map(ranges.map(([start, end]) => [start, isCleanJsonText(text.slice(start, end), 3)]));
    const wrong: string[] = [];
    // One order after another over the same text (what it remembers of the text between lines must hold in any order).
    for (const order of [ranges, [...ranges].reverse(), ranges.filter((_, k) => k % 3 === 0), ranges.filter((_, k) => k % 2 === 1).reverse()]) {
      for (const [start, end] of order) if (isCleanJsonText(text, 3, start, end) !== alone.get(start)) wrong.push(text.slice(start, end));
    }
    // Each line again just after a look at the whole rest of the text from its start (which reads that line first).
    for (const [start, end] of ranges) {
      isCleanJsonText(text, 3, start);
      if (isCleanJsonText(text, 3, start, end) !== alone.get(start)) wrong.push(text.slice(start, end));
    }
    expect(wrong).toEqual([]);
  });

  it('agrees with the cut-out text on every cut, whatever follows the end', () => {
    const valid = VALID.at(-1)!;
    for (const around of [`${valid}\n${valid}`, `[1] ${valid} \\ "x"`]) {
      const start = around.indexOf(valid);
      for (let end = start; end <= around.length; end++) {
        expect(isCleanJsonText(around, 1000, start, end), around.slice(start, end)).toBe(isCleanJsonText(around.slice(start, end), 1000));
      }
    }
  });
});

describe('textKeepsLimits', () => {
  it('vouches only for texts whose parsed value recordProblem accepts', () => {
    const limits = [DEFAULT_RECORD_LIMITS, { maxDepth: 2, maxRecordSize: 60 }, { maxDepth: 5, maxRecordSize: 1e6 }];
    let vouched = 0;
    const wrong: string[] = [];
    for (const text of [...VALID, ...NUL, ...jsonLikeTexts(20_000)]) {
      const read = parsed(text);
      if (!read) continue;
      for (const limit of limits) {
        if (!textKeepsLimits(text, limit)) continue;
        vouched++;
        if (recordProblem(read.value, limit) !== undefined) wrong.push(text);
      }
    }
    expect(wrong).toEqual([]);
    expect(vouched).toBeGreaterThan(6_000);
  });

  it('is not sure at each bound: size, nesting (short and long texts) and NUL', () => {
    const deep = { maxDepth: 5, maxRecordSize: 1e6 };
    expect(textKeepsLimits('[[[[[]]]]]', deep)).toBe(true);
    expect(textKeepsLimits('[[[[[[]]]]]]', deep)).toBe(false);
    expect(textKeepsLimits(`[${'[1],'.repeat(20)}[[[[1]]]]]`, deep)).toBe(false);
    expect(textKeepsLimits(`{"a":[${'1,'.repeat(20)}{"b":[[1]]}]}`, deep)).toBe(true);
    expect(textKeepsLimits('["1234567"]', { maxDepth: 5, maxRecordSize: 66 })).toBe(true);
    expect(textKeepsLimits('["1234567"]', { maxDepth: 5, maxRecordSize: 65 })).toBe(false);
    expect(textKeepsLimits('{"a":"\\u0000"}', DEFAULT_RECORD_LIMITS)).toBe(false);
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

describe('JSON Lines precheck on UTF-8 bytes read as they are', () => {
  const outcome = async (run: () => Promise<unknown>) => {
    try {
      return `ok ${JSON.stringify(await run())}`;
    } catch (err) {
      return `error ${(err as Error).message}`;
    }
  };
  const join = async (texts: AsyncIterable<string>, decode: (text: string) => string) => {
    let all = '';
    for await (const text of texts) all += text;
    return decode(all);
  };
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const bytes = (...parts: (string | number[])[]) => {
    const arrays = parts.map((p) => (typeof p === 'string' ? utf8(p) : Uint8Array.from(p)));
    const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
    arrays.reduce((at, a) => (out.set(a, at), at + a.length), 0);
    return out;
  };
  const inputs = [
    bytes('{"a":"Zürich € 😀"}\n', [0xef, 0xbb, 0xbf], '[1]\n'),
    bytes([0xef, 0xbb, 0xbf], '{"a":"é"}\r\n{"b":"😀"}'),
    bytes([0xef, 0xbb]),
    bytes('{"a":1}\n{"b":"x', [0xff], '"}\n'),
    bytes('{"a":1}\n\n{"b":"', [0xc3], '"}\n'),
    bytes('{"a":"€"}\n{"b":"', [0xe2, 0x82], '"}\n'),
    bytes('{"a":1}\n', [0xed, 0xa0, 0x80], '\n'),
    bytes('{"a":1}\n', [0xe0, 0x80, 0x80], '\n'),
    bytes('{"a":1}\n', [0xf4, 0x90, 0x80, 0x80], '\n'),
    bytes('{"a":1}\n', [0xc0, 0xaf], '\n'),
    bytes('{"a":1}\n"x', [0x80], '"\n'),
    bytes('{"a":"', [0xf0, 0x9f, 0x98]),
    bytes('{"a":"é"}\n{"b":"ü",}\n'),
  ];

  it('checks and counts as decodeText does, in pieces of any size, and decodes to the same text', async () => {
    for (const input of inputs) {
      for (let size = 1; size <= 12; size++) {
        const expected = await outcome(() => join(decodeText(chunked(input, size), 'in.jsonl'), (t) => t));
        expect(await outcome(() => join(utf8ByteTexts(chunked(input, size), 'in.jsonl')!, decodeByteText)), `${input} in pieces of ${size}`).toBe(expected);
      }
    }
  });

  it('counts the characters of a byte text as a decoded string counts them', () => {
    const text = 'aé€😀\u00ff\u0800z';
    const byteText = String.fromCharCode(...utf8(text));
    expect(byteTextLength(byteText, 0, byteText.length)).toBe(text.length);
    expect(byteTextLength(byteText, 1, 3)).toBe(1);
  });

  it('reports every bad line (and bad bytes) as the full parse does', async () => {
    const read = (input: Uint8Array, size: number, checkOnly: boolean, limits?: { maxRecordSize: number }) =>
      outcome(async () => {
        const out: unknown[] = [];
        for await (const r of parseJsonl(chunked(input, size), 'in.jsonl', { checkOnly, limits })) out.push(r);
        return checkOnly ? out.length : out;
      });
    for (const input of inputs) {
      for (const size of [1, 2, 3, 5, 64]) {
        const full = await read(input, size, false);
        if (full.startsWith('error')) expect(await read(input, size, true), `${input} in pieces of ${size}`).toBe(full);
      }
    }
    // Near the size limit in characters, whatever the line's bytes: 10 characters of 2, 3 and 4 bytes.
    for (const text of ['é'.repeat(10), '€'.repeat(10), '😀'.repeat(5), 'x'.repeat(10)]) {
      for (const max of [8, 9, 10, 11, 12, 13, 14]) {
        const input = utf8(`"${text}"\n"${text}"`);
        for (const size of [1, 4, 64]) expect(await read(input, size, true, { maxRecordSize: max }), `${text} ${max} ${size}`).toBe(await read(input, size, false, { maxRecordSize: max }).then((r) => (r.startsWith('ok') ? 'ok 2' : r)));
      }
    }
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
