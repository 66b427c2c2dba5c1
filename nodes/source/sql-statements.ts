/**
 * Splits SQL text into statements the way Postgres's lexer sees them: a `;`
 * inside a string ('…', E'…' with backslash escapes), a quoted identifier
 * ("…"), a dollar-quoted body ($$…$$, $tag$…$tag$) or a comment (-- …, nested
 * /* … *\/) does not end a statement. Browser-safe; used to refuse stacked
 * statements in a read-only source and to run setup scripts one statement at a time.
 */

/** A piece of SQL text outside any string, identifier, dollar quote or comment, or one of those. */
interface Scan {
  /** Index of every statement-ending `;` (outside quotes and comments). */
  semicolons: number[];
  /** The text with comments replaced by a space (strings and identifiers kept). */
  withoutComments: string;
}

const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

function scan(sql: string): Scan {
  const semicolons: number[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
      out += ' ';
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') { depth++; i += 2; }
        else if (sql[i] === '*' && sql[i + 1] === '/') { depth--; i += 2; }
        else i++;
      }
      out += ' ';
      continue;
    }
    if (c === "'" || c === '"') {
      // E'…' strings take backslash escapes; standard strings and identifiers double their quote.
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') { j += 2; continue; }
        if (sql[j] === c) {
          if (sql[j + 1] === c) { j += 2; continue; }
          break;
        }
        j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '$' && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end === -1 ? n : end + tag[0].length;
        out += sql.slice(i, stop);
        i = stop;
        continue;
      }
    }
    if (c === ';') semicolons.push(out.length);
    out += c;
    i++;
  }
  return { semicolons, withoutComments: out };
}

/** The statements of `sql`, each trimmed, comments removed, empty ones dropped. */
export function splitSqlStatements(sql: string): string[] {
  const { semicolons, withoutComments } = scan(sql);
  const statements: string[] = [];
  let start = 0;
  for (const at of [...semicolons, withoutComments.length]) {
    const statement = withoutComments.slice(start, at).trim();
    if (statement) statements.push(statement);
    start = at + 1;
  }
  return statements;
}

/** How many statements `sql` holds (a trailing `;` or comment does not start another). */
export function countSqlStatements(sql: string): number {
  return splitSqlStatements(sql).length;
}
