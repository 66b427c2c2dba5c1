/**
 * Field trees for autocomplete and the mapper: inferred from sample records
 * (the union of the fields of the first records, looking through arrays, as
 * JSONata paths do) or read from a JSON Schema.
 */
import type { JsonSchema } from '../../nodes/define-node.ts';

export type FieldType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'unknown';

export interface FieldNode {
  name: string;
  /** Names from the record root; arrays are looked through, as `lines.amount` does in JSONata. */
  segments: string[];
  types: FieldType[];
  /** True when the value (or some value) is a list; children describe its items. */
  array: boolean;
  required: boolean;
  example?: unknown;
  description?: string;
  children: FieldNode[];
}

const typeOf = (v: unknown): FieldType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : (['string', 'number', 'boolean'].includes(typeof v) ? (typeof v as FieldType) : 'unknown');

interface Acc {
  types: Set<FieldType>;
  array: boolean;
  seen: number;
  example?: unknown;
  children: Map<string, Acc>;
}

const newAcc = (): Acc => ({ types: new Set(), array: false, seen: 0, children: new Map() });

function visit(acc: Acc, value: unknown, depth: number): void {
  if (Array.isArray(value)) {
    acc.array = true;
    acc.types.add('array');
    for (const item of value.slice(0, 20)) visitItem(acc, item, depth);
    return;
  }
  visitItem(acc, value, depth);
}

function visitItem(acc: Acc, value: unknown, depth: number): void {
  const t = typeOf(value);
  if (t !== 'array') acc.types.add(t);
  if (acc.example === undefined && t !== 'object' && t !== 'array' && value !== null) acc.example = value;
  if (t === 'array') return visit(acc, value, depth);
  if (t !== 'object' || depth > 12) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    let c = acc.children.get(key);
    if (!c) acc.children.set(key, (c = newAcc()));
    c.seen++;
    visit(c, child, depth + 1);
  }
}

function toNodes(acc: Acc, prefix: string[], parentCount: number): FieldNode[] {
  return [...acc.children.entries()].map(([name, c]) => {
    const segments = [...prefix, name];
    return {
      name,
      segments,
      types: [...c.types].filter((t) => t !== 'array'),
      array: c.array,
      required: c.seen >= parentCount,
      example: c.example,
      children: toNodes(c, segments, c.seen),
    };
  });
}

/** The fields of the given records (the first `limit` of them). */
export function inferFieldTree(records: readonly unknown[], limit = 50): FieldNode[] {
  const root = newAcc();
  const sample = records.slice(0, limit);
  for (const r of sample) visitItem(root, r, 0);
  return toNodes(root, [], sample.length);
}

/** The fields a JSON Schema declares (properties, items, allOf); required as the schema says. */
export function fieldsFromSchema(schema: JsonSchema | undefined, prefix: string[] = [], depth = 0): FieldNode[] {
  if (!schema || typeof schema !== 'object' || depth > 12) return [];
  const s = schema as Record<string, unknown>;
  if (s.type === 'array' || s.items) return fieldsFromSchema(s.items as JsonSchema, prefix, depth + 1);
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const own = Object.entries(props).map(([name, p]): FieldNode => {
    const ps = (p ?? {}) as Record<string, unknown>;
    const isArray = ps.type === 'array' || Array.isArray(ps.type) && (ps.type as string[]).includes('array');
    const itemType = isArray ? ((ps.items as Record<string, unknown> | undefined)?.type as string | undefined) : (ps.type as string | undefined);
    const segments = [...prefix, name];
    return {
      name,
      segments,
      types: itemType ? [itemType as FieldType] : [],
      array: !!isArray,
      required: required.has(name),
      description: typeof ps.description === 'string' ? ps.description : undefined,
      example: Array.isArray(ps.examples) ? ps.examples[0] : undefined,
      children: fieldsFromSchema(p, segments, depth + 1),
    };
  });
  const composed = (Array.isArray(s.allOf) ? (s.allOf as JsonSchema[]) : []).flatMap((sub) => fieldsFromSchema(sub, prefix, depth + 1));
  return mergeFieldTrees(own, composed);
}

/** Merges trees by name: types, children and flags are combined. */
export function mergeFieldTrees(a: FieldNode[], b: FieldNode[]): FieldNode[] {
  const out = a.map((n) => ({ ...n }));
  for (const n of b) {
    const i = out.findIndex((x) => x.name === n.name);
    if (i < 0) out.push(n);
    else {
      const m = out[i];
      out[i] = {
        ...m,
        types: [...new Set([...m.types, ...n.types])],
        array: m.array || n.array,
        required: m.required || n.required,
        example: m.example ?? n.example,
        description: m.description ?? n.description,
        children: mergeFieldTrees(m.children, n.children),
      };
    }
  }
  return out;
}

/** The node at a path of names, looking through arrays. */
export function findField(tree: FieldNode[], segments: readonly string[]): FieldNode | undefined {
  let level = tree;
  let found: FieldNode | undefined;
  for (const s of segments) {
    found = level.find((n) => n.name === s);
    if (!found) return undefined;
    level = found.children;
  }
  return found;
}

/** Every node of a tree, depth first. */
export function allFields(tree: FieldNode[]): FieldNode[] {
  return tree.flatMap((n) => [n, ...allFields(n.children)]);
}
