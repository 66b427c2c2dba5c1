/**
 * Field-by-field changes between two JSON values (a node's config, a flow's
 * top-level fields) for version diffs. Unlike value-diff.ts (which compares a
 * mapping result with its expectation position by position) it matches array
 * items by their `id` (or `port`, or `name`), so inserting a rule at the top
 * shows one added rule rather than every later rule as changed, and it gives
 * expressions a line diff. Browser-safe.
 */
import { diffLines, diffSequences, type LineDiff } from './text-line-diff.ts';

/** One changed field. */
export interface FieldChange {
  /**
   * Dotted path with `[i]` for array items, e.g. `columns.invoice_number` or
   * `rules[2].message`. The index is the item's position in the new value
   * (in the old value for removed items), as in the designer's config paths.
   */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
  /** For expressions and multi-line text: the change line by line. */
  lines?: LineDiff[];
  /** Key (`id`, `port` or `name`) of the innermost array item on the path, when items were matched by it. */
  item?: string;
  /** The items of a keyed array changed order; `from` and `to` list the keys of the items in both, in order. */
  reordered?: true;
  /** For changes summarised rather than listed (mapping tests): the parts that changed. */
  parts?: string[];
}

export interface FieldDiffOptions {
  /** JSON pointers of fields holding expressions (`*` matches any key or index), e.g. `/rules/*\/expression`. */
  expressionFields?: readonly string[];
}

/** Field names that hold expressions in every node type and in the flow's `amount`. */
const EXPRESSION_NAMES = new Set(['expression', 'condition', 'value']);
/** Array item fields that identify an item across versions, in order of preference. */
const ITEM_KEYS = ['id', 'port', 'name'] as const;

interface Place {
  path: string;
  pointer: string[];
  /** Last object key on the way (array indexes skipped): what the field is called. */
  name?: string;
  item?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasValue = (o: Json, key: string) => Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;
const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** Appends an object key to a dotted path, quoting keys that would read ambiguously. */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Structural equality of JSON values; a key holding `undefined` counts as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => hasValue(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * Every changed field between two values, in the order of the new value
 * (then removed fields in the order of the old one). `path` prefixes the paths.
 */
export function diffFields(from: unknown, to: unknown, path = '', options: FieldDiffOptions = {}): FieldChange[] {
  const patterns = (options.expressionFields ?? []).map((p) => p.split('/').slice(1).map(unescapePointer));
  const out: FieldChange[] = [];
  const rootPointer = path ? path.split('.') : [];
  new Walker(patterns, out).walk(from, to, { path, pointer: rootPointer, name: rootPointer.at(-1) });
  return out;
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

class Walker {
  constructor(
    private readonly patterns: string[][],
    private readonly out: FieldChange[],
  ) {}

  walk(from: unknown, to: unknown, at: Place): void {
    if (jsonEqual(from, to)) return;
    if (Array.isArray(from) && Array.isArray(to)) this.arrays(from, to, at);
    else if (isObject(from) && isObject(to)) this.objects(from, to, at);
    else this.leaf('changed', from, to, at);
  }

  private objects(from: Json, to: Json, at: Place): void {
    const keys = Object.keys(to).filter((k) => to[k] !== undefined);
    for (const k of Object.keys(from)) if (hasValue(from, k) && !hasValue(to, k)) keys.push(k);
    for (const key of keys) {
      const place: Place = { path: childPath(at.path, key), pointer: [...at.pointer, key], name: key, item: at.item };
      if (!hasValue(to, key)) this.leaf('removed', from[key], undefined, place);
      else if (!hasValue(from, key)) this.leaf('added', undefined, to[key], place);
      else this.walk(from[key], to[key], place);
    }
  }

  private arrays(from: unknown[], to: unknown[], at: Place): void {
    const key = itemKey(from, to);
    if (key) this.keyedArrays(from, to, key, at);
    else if ([...from, ...to].every((v) => v === null || typeof v !== 'object')) this.primitiveArrays(from, to, at);
    else this.positionalArrays(from, to, at);
  }

  private itemPlace(at: Place, index: number, item = at.item): Place {
    return { path: `${at.path}[${index}]`, pointer: [...at.pointer, String(index)], name: at.name, item };
  }

  private keyedArrays(from: unknown[], to: unknown[], key: string, at: Place): void {
    const idOf = (v: unknown) => String((v as Json)[key]);
    const tag = (v: unknown) => `${typeof (v as Json)[key]}:${idOf(v)}`;
    const oldIndex = new Map(from.map((v, i) => [tag(v), i]));
    const newTags = new Set(to.map(tag));
    const commonOld = from.filter((v) => newTags.has(tag(v))).map(idOf);
    const commonNew = to.filter((v) => oldIndex.has(tag(v))).map(idOf);
    if (commonOld.some((id, i) => id !== commonNew[i])) {
      this.out.push({ path: at.path, kind: 'changed', from: commonOld, to: commonNew, reordered: true, ...(at.item !== undefined ? { item: at.item } : {}) });
    }
    to.forEach((item, i) => {
      const j = oldIndex.get(tag(item));
      if (j === undefined) this.leaf('added', undefined, item, this.itemPlace(at, i, idOf(item)));
      else this.walk(from[j], item, this.itemPlace(at, i, idOf(item)));
    });
    from.forEach((item, j) => {
      if (!newTags.has(tag(item))) this.leaf('removed', item, undefined, this.itemPlace(at, j, idOf(item)));
    });
  }

  /**
   * Lists of plain values (key columns, sensitive fields, sample files) by a
   * sequence diff: an insertion shows as one added item, and a removed item
   * next to an added one reads as one changed item.
   */
  private primitiveArrays(from: unknown[], to: unknown[], at: Place): void {
    let removed: number[] = [];
    let added: number[] = [];
    const flush = () => {
      const paired = Math.min(removed.length, added.length);
      for (let p = 0; p < paired; p++) this.leaf('changed', from[removed[p]], to[added[p]], this.itemPlace(at, added[p]));
      for (const j of removed.slice(paired)) this.leaf('removed', from[j], undefined, this.itemPlace(at, j));
      for (const i of added.slice(paired)) this.leaf('added', undefined, to[i], this.itemPlace(at, i));
      removed = [];
      added = [];
    };
    for (const edit of diffSequences(from, to)) {
      if (edit.kind === 'same') flush();
      else if (edit.kind === 'removed') removed.push(edit.fromIndex!);
      else added.push(edit.toIndex!);
    }
    flush();
  }

  private positionalArrays(from: unknown[], to: unknown[], at: Place): void {
    for (let i = 0; i < Math.max(from.length, to.length); i++) {
      const place = this.itemPlace(at, i);
      if (i >= to.length) this.leaf('removed', from[i], undefined, place);
      else if (i >= from.length) this.leaf('added', undefined, to[i], place);
      else this.walk(from[i], to[i], place);
    }
  }

  private leaf(kind: FieldChange['kind'], from: unknown, to: unknown, at: Place): void {
    const change: FieldChange = { path: at.path, kind };
    if (kind !== 'added') change.from = from;
    if (kind !== 'removed') change.to = to;
    if (at.item !== undefined) change.item = at.item;
    if (kind === 'changed' && typeof from === 'string' && typeof to === 'string' && this.isExpression(at, from, to)) {
      change.lines = diffLines(from, to);
    }
    this.out.push(change);
  }

  private isExpression(at: Place, from: string, to: string): boolean {
    if (from.includes('\n') || to.includes('\n')) return true;
    if (at.name !== undefined && EXPRESSION_NAMES.has(at.name)) return true;
    return this.patterns.some((p) => p.length === at.pointer.length && p.every((s, i) => s === '*' || s === at.pointer[i]));
  }
}

/** The field that identifies items of both arrays: present on every item, text or number, unique per side. */
function itemKey(from: unknown[], to: unknown[]): string | undefined {
  if (from.length + to.length === 0) return undefined;
  return ITEM_KEYS.find((key) => uniquelyKeyed(from, key) && uniquelyKeyed(to, key));
}

function uniquelyKeyed(list: unknown[], key: string): boolean {
  const seen = new Set<string>();
  for (const item of list) {
    if (!isObject(item)) return false;
    const id = item[key];
    if (typeof id !== 'string' && typeof id !== 'number') return false;
    const tag = `${typeof id}:${id}`;
    if (seen.has(tag)) return false;
    seen.add(tag);
  }
  return true;
}
