import { describe, expect, it } from 'vitest';
import { countSqlStatements, splitSqlStatements } from '../../../nodes/source/sql-statements.ts';

describe('splitSqlStatements', () => {
  it('splits on semicolons outside strings, identifiers, dollar quotes and comments', () => {
    expect(splitSqlStatements('select 1; select 2;')).toEqual(['select 1', 'select 2']);
    expect(countSqlStatements(`select ';' as a, "x;y" from t where b = 'it''s; fine'`)).toBe(1);
    expect(countSqlStatements(`select E'a\\'; b' as s`)).toBe(1);
    expect(countSqlStatements('select $$ ; $$, $tag$ ; $$ ; $tag$')).toBe(1);
    expect(countSqlStatements('select 1 -- ; not a statement\n')).toBe(1);
    expect(countSqlStatements('select 1 /* ; /* nested ; */ still ; */')).toBe(1);
    expect(countSqlStatements('select * from t where a > $1; -- trailing\n')).toBe(1);
  });

  it('finds a statement stacked after a string, comment or dollar quote', () => {
    expect(countSqlStatements(`select 'x'; delete from users`)).toBe(2);
    expect(countSqlStatements(`select 1 /* c */; update users set role = 'admin'`)).toBe(2);
    expect(countSqlStatements('select $a$ x $a$; commit')).toBe(2);
    expect(countSqlStatements(`SELECT 1 AS x) q1; COMMIT; UPDATE users SET role = 'admin'; SELECT * FROM (SELECT 1 AS x`)).toBe(4);
  });

  it('keeps strings and drops comments in the statements it returns', () => {
    expect(splitSqlStatements("-- setup\ncreate table t (a text default ';');\n/* two */ create index on t (a);")).toEqual([
      "create table t (a text default ';')", 'create index on t (a)',
    ]);
  });
});
