import { describe, expect, it } from 'vitest';
import {
  jsonField, jsonText, numberField, repeatedTextArrayField, repeatedTimeField, textArrayField, textField, timeField,
} from '../../../runtime/store/copy-text.ts';

describe('COPY text encoding', () => {
  it.each([
    [null, '\\N'],
    [undefined, '\\N'],
    ['plain', 'plain'],
    ['\\N', '\\\\N'],
    ['a\tb\nc\rd\\e', 'a\\tb\\nc\\rd\\\\e'],
    ['nul\u0000', 'nul\uFFFD'],
    ['', ''],
  ])('text %j → %j', (value, encoded) => {
    expect(textField(value as string | null | undefined)).toBe(encoded);
  });

  it('encodes numbers and times, non-finite as null', () => {
    expect(numberField(201)).toBe('201');
    expect(numberField(Number.NaN)).toBe('\\N');
    expect(numberField(undefined)).toBe('\\N');
    expect(timeField(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(timeField(Number.POSITIVE_INFINITY)).toBe('\\N');
  });

  it('serialises JSON once and doubles its backslashes', () => {
    expect(jsonText(undefined)).toBeNull();
    expect(jsonText(() => 1)).toBeNull();
    expect(jsonField(jsonText({ a: 'x\ty"z' }))).toBe('{"a":"x\\\\ty\\\\"z"}');
    expect(jsonField(null)).toBe('\\N');
  });

  it('replaces \\u0000 escapes that jsonb refuses, but not an escaped backslash before u0000', () => {
    expect(jsonText({ a: 'x\u0000y' })).toBe('{"a":"x\\ufffdy"}');
    expect(jsonText({ a: '\\u0000' })).toBe('{"a":"\\\\u0000"}');
    expect(jsonText({ a: '\\\u0000' })).toBe('{"a":"\\\\\\ufffd"}');
  });

  it('quotes every array element', () => {
    expect(textArrayField(['a', 'b c', 'd"e', 'f\\g', 'NULL'])).toBe('{"a","b c","d\\\\"e","f\\\\\\\\g","NULL"}');
    expect(textArrayField([])).toBe('{}');
    expect(textArrayField(undefined)).toBe('\\N');
  });

  it('gives a repeated value the text of the value, also after a change or an array changed in place', () => {
    const paths = repeatedTextArrayField();
    const path = ['src', 'map'];
    expect(paths(path)).toBe('{"src","map"}');
    expect(paths(['src', 'map'])).toBe('{"src","map"}');
    path.push('tgt');
    expect(paths(path)).toBe('{"src","map","tgt"}');
    expect(paths(['src', 'map'])).toBe('{"src","map"}');
    expect(paths(null)).toBe('\\N');
    expect(paths([])).toBe('{}');
    const times = repeatedTimeField();
    for (const ms of [0, 0, 1, Number.NaN, undefined, 1, 1_700_000_000_000]) expect(times(ms)).toBe(timeField(ms));
  });

  it('writes times as toISOString does, on day and year boundaries, before 1970 and past 9999', () => {
    const times = [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -86_400_001, 1_700_000_000_000, 951_782_400_000, 253_402_300_799_999,
      253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001, 8.64e15, -8.64e15, 1.5, -0.5, 1_764_979_200_123.7];
    for (let i = 0; i < 2000; i++) times.push(Math.floor((i * 7_919_993_311 % 4e14) - 1e14));
    for (const ms of times) expect(timeField(ms)).toBe(new Date(ms).toISOString());
  });
});

