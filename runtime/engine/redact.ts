/**
 * Masks sensitive fields before a snapshot is stored. A plain name matches that
 * field at any depth (e.g. `iban`); a dotted path matches exactly
 * (`payee.account.iban`). Unchanged branches are shared, not copied.
 */
export const MASK = '***';

export type Redactor = (value: unknown) => unknown;

export function createRedactor(sensitive: readonly string[] | undefined): Redactor {
  if (!sensitive || sensitive.length === 0) return (v) => v;
  const names = new Set(sensitive.filter((s) => !s.includes('.')));
  const paths = sensitive.filter((s) => s.includes('.')).map((s) => s.split('.'));
  const walk = (value: unknown, path: string[]): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const r = walk(value[i], path);
        if (r !== value[i]) (out ??= value.slice())[i] = r;
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      const childPath = paths.length ? [...path, key] : path;
      let r: unknown;
      if (names.has(key) || (paths.length && paths.some((p) => p.length === childPath.length && p.every((s, i) => s === childPath[i])))) {
        r = v === undefined || v === null ? v : MASK;
      } else {
        r = walk(v, childPath);
      }
      if (r !== v) (out ??= { ...(value as Record<string, unknown>) })[key] = r;
    }
    return out ?? value;
  };
  return (value) => walk(value, []);
}
