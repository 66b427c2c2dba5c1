/**
 * Dotted field paths (`supplier.id`, `lines`, `lines.0.amount`) compiled once
 * into plain getters. Used where a full JSONata expression would be overkill:
 * column mappings of targets, CSV columns, URL placeholders.
 *
 * Browser-safe. Only own properties are read, and the segments `__proto__`,
 * `constructor` and `prototype` are refused, so a path taken from a flow
 * document can never reach into prototypes.
 */
import { FlowError } from './errors.ts';

/** Reads one field path from a record; `undefined` when any step is missing. */
export type FieldGetter = (record: unknown) => unknown;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const hasOwn = Object.prototype.hasOwnProperty;

/** Why a field path is unusable, or null when it is fine. `''` (the whole record) is fine. */
export function fieldPathProblem(path: string): string | null {
  if (typeof path !== 'string') return 'a field path must be text';
  if (path === '') return null;
  const segments = path.split('.');
  for (const segment of segments) {
    if (segment === '') return `field path '${path}' has an empty segment (two dots, or a leading or trailing dot)`;
    if (FORBIDDEN.has(segment)) return `field path '${path}' may not use the name '${segment}'`;
  }
  return null;
}

function step(value: unknown, segment: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return hasOwn.call(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
}

/**
 * Compiles a dotted path into a getter. `''` returns the record itself; a
 * numeric segment indexes arrays (`lines.0.amount`). Throws a FlowError
 * (`permanent`, a config problem) for paths that `fieldPathProblem` rejects.
 */
export function compileFieldPath(path: string): FieldGetter {
  const problem = fieldPathProblem(path);
  if (problem) throw new FlowError('permanent', problem, { field: path });
  if (path === '') return (record) => record;
  const segments = path.split('.');
  // Unrolled for the common short paths: these run once per column per record.
  if (segments.length === 1) {
    const [a] = segments;
    return (record) => step(record, a);
  }
  if (segments.length === 2) {
    const [a, b] = segments;
    return (record) => step(step(record, a), b);
  }
  return (record) => {
    let value: unknown = record;
    for (let i = 0; i < segments.length; i++) {
      value = step(value, segments[i]);
      if (value === undefined) return undefined;
    }
    return value;
  };
}
