/** Opaque keyset cursors: the sort key of the last row of a page, base64url JSON. */

export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with the given shape, or throws. */
export function decodeCursor(cursor: string, shape: ('string' | 'number')[]): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => typeof v !== shape[i])) {
    throw new Error('This page cursor is not valid here; start again from the first page.');
  }
  return key;
}

/** Page size bounded to 1..1000 (a bad `limit` must not read a whole table). */
export function pageLimit(limit: number): number {
  if (!Number.isFinite(limit)) return 50;
  return Math.min(1000, Math.max(1, Math.floor(limit)));
}

/**
 * Splits rows read with `limit + 1` into a page and the cursor of its last row
 * (null when there is no next page).
 */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => (string | number)[]): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: more ? encodeCursor(key(pageRows[pageRows.length - 1])) : null,
  };
}
