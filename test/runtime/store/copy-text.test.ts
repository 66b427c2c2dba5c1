import { describe, expect, it } from 'vitest';
import { jsonField, jsonText, numberField, textArrayField, textField, timeField } from '../../../runtime/store/copy-text.ts';

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
});
