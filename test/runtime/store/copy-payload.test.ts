/** COPY rows encoded one by one into UTF-8 blocks give the same bytes as encoding the joined text. */
import { describe, expect, it } from 'vitest';
import { CopyPayload } from '../../../runtime/store/copy-payload.ts';

describe('CopyPayload', () => {
  it('encodes rows with non-Latin-1 text exactly, across block boundaries', () => {
    const rows = Array.from({ length: 900 }, (_, i) => `${i}\t{"memo":"Zahlung ${'€ü—'.repeat(i % 7)} ${'x'.repeat(3000)}"}\t\\N\n`);
    const payload = new CopyPayload();
    for (const row of rows) payload.add(row);
    expect(payload.rows).toBe(900);
    const bytes = payload.bytes();
    // Many blocks were filled.
    expect(bytes.length).toBeGreaterThan(2 * (1 << 20));
    expect(payload.chunks().length).toBeGreaterThan(1);
    expect(bytes.equals(Buffer.from(rows.join(''), 'utf8'))).toBe(true);
  });

  it('takes a row longer than a block', () => {
    const long = `${'ä'.repeat(1 << 20)}\n`;
    const payload = new CopyPayload();
    payload.add('a\n');
    payload.add(long);
    payload.add('b\n');
    expect(payload.bytes().toString('utf8')).toBe(`a\n${long}b\n`);
  });

  it('is empty with no rows', () => {
    expect(new CopyPayload().bytes().length).toBe(0);
  });
});
