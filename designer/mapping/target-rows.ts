/**
 * The rows of the mapper's target pane: the declared target structure merged
 * with what is mapped, in order (declared first, then mapped fields nothing
 * declares). A list is a row of its own; its fields follow it, read relative
 * to each item of the loop mapped onto it.
 */
import { mergeFieldTrees, type FieldNode } from '../editor/field-paths.ts';
import { isLoop, type MappingEntry } from './expression-mapping.ts';

export interface TargetRow {
  path: string[];
  depth: number;
  kind: 'field' | 'group' | 'list';
  required: boolean;
  declared: boolean;
  description?: string;
  expression?: string;
  /** For a list row: the repeating source element mapped onto it. */
  loop?: string;
  /** Sources of the loops around this row, outermost first (a list row's own loop excluded). */
  loops: string[];
  /** A field of a list no repeating element is mapped onto yet: it cannot be mapped until one is. */
  waitingForLoop: boolean;
}

const keyOf = (path: readonly string[]) => path.join('\u0000');

interface MappedIndex {
  expressions: Map<string, string>;
  loops: Map<string, string>;
}

function indexMapping(fields: MappingEntry[], prefix: string[], index: MappedIndex): FieldNode[] {
  return fields.map((f) => {
    const segments = [...prefix, f.key];
    const node: FieldNode = { name: f.key, segments, types: [], array: false, required: false, children: [] };
    if ('expression' in f) index.expressions.set(keyOf(segments), f.expression);
    else {
      if (isLoop(f)) {
        index.loops.set(keyOf(segments), f.loop);
        node.array = true;
      }
      node.children = indexMapping(f.fields, segments, index);
    }
    return node;
  });
}

/** Target rows for the declared structure and the mapping's fields. */
export function targetRows(declared: FieldNode[], mapping: MappingEntry[]): TargetRow[] {
  const index: MappedIndex = { expressions: new Map(), loops: new Map() };
  const mappedTree = indexMapping(mapping, [], index);
  const declaredKeys = new Set<string>();
  const mark = (nodes: FieldNode[]) => nodes.forEach((n) => { declaredKeys.add(keyOf(n.segments)); mark(n.children); });
  mark(declared);
  const rows: TargetRow[] = [];
  const visit = (nodes: FieldNode[], depth: number, loops: string[], waiting: boolean) => {
    for (const n of nodes) {
      const key = keyOf(n.segments);
      const expression = index.expressions.get(key);
      const loop = index.loops.get(key);
      const base = { path: n.segments, depth, required: n.required, declared: declaredKeys.has(key), description: n.description, loops, waitingForLoop: waiting };
      // A declared object or list mapped as one expression (e.g. lines: [ … ]) is a leaf here.
      if (expression !== undefined || (n.children.length === 0 && !n.array)) {
        rows.push({ ...base, kind: 'field', expression });
      } else if (n.array || loop !== undefined) {
        rows.push({ ...base, kind: 'list', loop });
        // A list whose repeating element is not chosen yet writes nothing: its fields wait for it.
        visit(n.children, depth + 1, loop ? [...loops, loop] : loops, waiting || !loop);
      } else {
        rows.push({ ...base, kind: 'group' });
        visit(n.children, depth + 1, loops, waiting);
      }
    }
  };
  visit(mergeFieldTrees(declared, mappedTree), 0, [], false);
  return rows;
}

/** The values at a target path of a result, looking through lists as JSONata paths do. */
export function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  let level: unknown[] = [value];
  for (const s of path) {
    level = level.flatMap((v) => (Array.isArray(v) ? v : [v])).flatMap((v) => (v && typeof v === 'object' && !Array.isArray(v) ? [(v as Record<string, unknown>)[s]] : []));
  }
  return level.filter((v) => v !== undefined);
}

/** True when a value is something (not null, not an empty list of nothing). */
export function producesValue(values: unknown[]): boolean {
  return values.some((v) => (Array.isArray(v) ? producesValue(v) : v !== null && v !== undefined && v !== ''));
}
