/** Valid unquoted schema names only, so the name can go into `search_path` and DDL safely. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Schema name "${schema}" is not allowed: use lower-case letters, digits and _ (max 63).`);
  }
  return schema;
}
