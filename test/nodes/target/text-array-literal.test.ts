import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textArrayLiteral } from '../../../nodes/target/postgres-statements.ts';
import { sqlBackends, type SqlBackend } from './sql-test-clients.ts';

const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };

// Values an array literal must carry unchanged: quotes, backslashes, the literal's own punctuation, NULL's spelling, empty text.
const TRICKY = ['plain', '', 'a "quoted" word', 'back\\slash', '\\"', '{braces}', 'a,b', ' padded ', 'NULL', 'null', null, 'Zürich €', 'line\nbreak', '"', '\\'];

describe('textArrayLiteral', () => {
  it('spells the array as node-postgres spells an array parameter', () => {
    expect(textArrayLiteral(TRICKY)).toBe(pgUtils.prepareValue(TRICKY));
    expect(textArrayLiteral([])).toBe(pgUtils.prepareValue([]));
    expect(textArrayLiteral(['only'])).toBe('{"only"}');
  });
});

for (const backend of sqlBackends('lf_textarray')) {
  describe(`textArrayLiteral on ${backend.name}`, () => {
    let db: SqlBackend;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('reaches a $n::text[] parameter as the very values, in order, NULL as NULL', async () => {
      const { rows } = await db.sql.query<{ v: string | null }>('SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n', [textArrayLiteral(TRICKY)]);
      expect(rows.map((r) => r.v)).toEqual(TRICKY);
    });
  });
}
