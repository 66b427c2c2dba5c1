/**
 * SQL identifiers taken from a flow document. They can never be parameters, so
 * they are validated (plain letters, digits, underscores) and always quoted.
 * Quoting keeps the case as written: `PO_Line` names a different table than
 * `po_line`, exactly as the database catalog spells it.
 */

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_LENGTH = 63; // NAMEDATALEN - 1: Postgres would silently truncate longer names

/**
 * Why `name` is not a usable identifier, or null. `qualified` allows one
 * schema prefix (`erp.po_commitment`).
 */
export function identifierProblem(name: unknown, what: string, qualified = false): string | null {
  if (typeof name !== 'string' || name === '') return `${what} is missing`;
  const segments = name.split('.');
  if (segments.length > (qualified ? 2 : 1)) {
    return qualified
      ? `${what} '${name}' may have at most one schema prefix (schema.table)`
      : `${what} '${name}' must be a plain name without dots`;
  }
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      return `${what} '${name}' may only use letters, digits and underscores, and must not start with a digit`;
    }
    if (segment.length > MAX_LENGTH) return `${what} '${name}' is longer than ${MAX_LENGTH} characters`;
  }
  return null;
}

/**
 * Quotes a validated (optionally schema-qualified) identifier: "name" for Postgres, `name` for
 * MySQL/MariaDB (a database prefix there). Throws on an invalid one.
 */
export function quoteIdentifier(name: string, qualified = false, dialect: 'postgres' | 'mysql' = 'postgres'): string {
  const quote = dialect === 'mysql' ? '`' : '"';
  const problem = identifierProblem(name, 'identifier', qualified);
  if (problem) throw new Error(problem);
  return name
    .split('.')
    .map((segment) => `${quote}${segment}${quote}`)
    .join('.');
}
