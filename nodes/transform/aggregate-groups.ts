/**
 * The groups an aggregate node builds: per group its key values, its measures
 * (exact decimals) and the lineage keys of the records it summed. A group is
 * built per chunk and merged across chunks and workers; merging is
 * order-independent (first/last/collect go by lineage key, the records'
 * position in the run), so any split of a run gives the same groups.
 */
import { FlowError } from '../errors.ts';
import { averageOf, compareDecimals, ExactSum, isDecimalValue } from './exact-sum.ts';
import { LineagePool, PooledLineage, type LineageKey } from './lineage-pool.ts';

export type { LineageKey } from './lineage-pool.ts';

export const MEASURE_OPS = ['sum', 'count', 'min', 'max', 'avg', 'first', 'last', 'collect'] as const;
export type MeasureOp = (typeof MEASURE_OPS)[number];

export interface MeasureSpec {
  name: string;
  op: MeasureOp;
}

/**
 * A measure's running value. A sum is its ExactSum and a count its number,
 * with no wrapper: a run holds one cell per group and measure, and sums and
 * counts are most of them (the cell's kind is told by its type).
 */
type Cell =
  | ExactSum
  | number
  | { op: 'avg'; sum: ExactSum; n: number }
  | { op: 'min' | 'max'; v: unknown }
  | { op: 'first' | 'last'; v: unknown; at: string | undefined }
  | { op: 'collect'; items: [string, unknown][] };

export interface Group {
  key: unknown[];
  /** Records summed into the group. */
  count: number;
  cells: Cell[];
  /**
   * Lineage keys of the records summed into it, compact (see `LineageKey`), in a run's pool when
   * its table has one (see `GroupTable`); `lineageOf` lists them, `lineageKeysOf` as text.
   */
  sources: LineageKey[] | PooledLineage;
  /**
   * A size-windowed group: each record's measure values by lineage key, not
   * yet summed. Windows are cut from them in read order when the group is
   * emitted (see `sizeWindows`), so any split of the run gives the same windows.
   */
  rows?: [string, unknown[]][];
}

/** A group as stored between chunks (plain JSON). */
export interface StoredGroup {
  key: unknown[];
  count: number;
  cells: unknown[];
  sources: LineageKey[];
  rows?: [string, unknown[]][];
}

/** The compact form of a lineage key (see `LineageKey`). */
export function compactLineageKey(key: string): LineageKey {
  const n = key.length;
  if (n === 0 || n > 9 || key.charCodeAt(0) === 48) return key; // '' or a leading zero: not a plain position
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return key;
  }
  return Number(key);
}

/** The lineage keys of the records a group summed, as text (as traces and replays name them). */
export function lineageKeysOf(group: Pick<Group, 'sources'>): string[] {
  return lineageOf(group).map(String);
}

/** The lineage keys of the records a group summed, compact. */
export function lineageOf(group: Pick<Group, 'sources'>): LineageKey[] {
  return Array.isArray(group.sources) ? group.sources : group.sources.list();
}

/**
 * Groups by the JSON text of their key. A table held for a whole run has a
 * `lineage` pool its groups keep their lineage keys in (off the JS heap).
 */
export type GroupTable = Map<string, Group> & { lineage?: LineagePool };

/** An empty table; `pooled`: its groups keep lineage in a pool of its own (a run's table, held for the run). */
export function newGroupTable(pooled = false): GroupTable {
  return pooled ? Object.assign(new Map<string, Group>(), { lineage: new LineagePool() }) : new Map<string, Group>();
}

/** Position of a record in the run from its lineage key ("12", "12.3"): segment by segment, as numbers. */
export function compareLineageKeys(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return 0;
}

const missing = (v: unknown) => v === undefined || v === null;

function compareValues(a: unknown, b: unknown): number {
  if (isDecimalValue(a) && isDecimalValue(b)) return compareDecimals(a, b);
  const x = typeof a === 'string' ? a : JSON.stringify(a);
  const y = typeof b === 'string' ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function emptyCell(op: MeasureOp): Cell {
  switch (op) {
    case 'sum': return new ExactSum();
    case 'count': return 0;
    case 'avg': return { op, sum: new ExactSum(), n: 0 };
    case 'min': case 'max': return { op, v: undefined };
    case 'first': case 'last': return { op, v: undefined, at: undefined };
    case 'collect': return { op, items: [] };
  }
}

/** A group with nothing summed yet; `lineage`: the pool of the table it goes into (see `GroupTable`). */
export function newGroup(key: unknown[], specs: readonly MeasureSpec[], sized = false, lineage?: LineagePool): Group {
  return { key, count: 0, cells: specs.map((s) => emptyCell(s.op)), sources: lineage ? new PooledLineage(lineage) : [], ...(sized ? { rows: [] } : {}) };
}

/** Throws a validation error naming the measure when a value to sum or average is not an amount. */
export function checkMeasureValues(specs: readonly MeasureSpec[], values: readonly unknown[]): void {
  specs.forEach((spec, i) => {
    const v = values[i];
    if ((spec.op === 'sum' || spec.op === 'avg') && !missing(v) && !isDecimalValue(v)) {
      throw new FlowError('validation', `measure "${spec.name}" (${spec.op}) is ${JSON.stringify(v)}, not a number or decimal string`, { field: `/measures/${i}/expression` });
    }
  });
}

/**
 * Adds one record: `values[i]` is what measure i's expression gave for it
 * (`undefined` for a count without one). A sum or average of a value that is
 * not an amount throws a validation error naming the measure (the caller adds
 * node and record); missing values are left out, as SQL leaves out NULL.
 */
export function addToGroup(group: Group, specs: readonly MeasureSpec[], values: readonly unknown[], lineageKey: string): void {
  checkMeasureValues(specs, values);
  group.count++;
  group.sources.push(compactLineageKey(lineageKey));
  if (group.rows) group.rows.push([lineageKey, [...values]]);
  else for (let i = 0; i < group.cells.length; i++) group.cells[i] = addValue(group.cells[i], values[i], lineageKey);
}

/**
 * The windows of a size-windowed group: its records in read order (by lineage
 * key), cut every `size` records, each window a group of its own whose key
 * ends with the window's number (1, 2, …); the last may hold fewer records.
 */
export function sizeWindows(group: Group, specs: readonly MeasureSpec[], size: number): Group[] {
  const rows = [...(group.rows ?? [])].sort((a, b) => compareLineageKeys(a[0], b[0]));
  const out: Group[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const window = newGroup([...group.key, out.length + 1], specs);
    for (const [lineageKey, values] of rows.slice(i, i + size)) addToGroup(window, specs, values, lineageKey);
    out.push(window);
  }
  return out;
}

/** Adds one value to a cell; returns the cell (a count: its new number). */
function addValue(cell: Cell, v: unknown, at: string): Cell {
  if (typeof cell === 'number') return cell + 1;
  if (cell instanceof ExactSum) {
    if (!missing(v)) cell.add(v as number | string);
    return cell;
  }
  if (cell.op === 'collect') {
    cell.items.push([at, v ?? null]);
    return cell;
  }
  if (missing(v)) return cell;
  switch (cell.op) {
    case 'avg': cell.sum.add(v as number | string); cell.n++; break;
    case 'min': if (cell.v === undefined || compareValues(v, cell.v) < 0) cell.v = v; break;
    case 'max': if (cell.v === undefined || compareValues(v, cell.v) > 0) cell.v = v; break;
    case 'first': if (cell.at === undefined || compareLineageKeys(at, cell.at) < 0) (cell.v = v), (cell.at = at); break;
    case 'last': if (cell.at === undefined || compareLineageKeys(at, cell.at) > 0) (cell.v = v), (cell.at = at); break;
  }
  return cell;
}

/** Merges `from` (a partial of the same key) into `into`. */
export function mergeGroups(into: Group, from: Group): void {
  into.count += from.count;
  for (const s of lineageOf(from)) into.sources.push(s);
  if (into.rows) for (const r of from.rows ?? []) into.rows.push(r);
  for (let i = 0; i < into.cells.length; i++) into.cells[i] = mergeCell(into.cells[i], from.cells[i]);
}

function mergeCell(into: Cell, from: Cell): Cell {
  if (typeof into === 'number') return into + (from as number);
  if (into instanceof ExactSum) {
    into.addSum(from as ExactSum);
    return into;
  }
  switch (into.op) {
    case 'avg': into.sum.addSum((from as typeof into).sum); into.n += (from as typeof into).n; return into;
    case 'min': case 'max': { const v = (from as typeof into).v; return v === undefined ? into : addValue(into, v, ''); }
    case 'first': case 'last': { const f = from as typeof into; return f.at === undefined ? into : addValue(into, f.v, f.at); }
    case 'collect': for (const item of (from as typeof into).items) into.items.push(item); return into;
  }
}

export function storeGroup(group: Group): StoredGroup {
  return { key: group.key, count: group.count, cells: group.cells.map(storedCell), sources: lineageOf(group), ...(group.rows ? { rows: group.rows } : {}) };
}

function storedCell(c: Cell): unknown {
    if (typeof c === 'number') return c;
    if (c instanceof ExactSum) return c.toString();
    switch (c.op) {
      case 'avg': return [c.sum.toString(), c.n];
      case 'min': case 'max': return c.v ?? null;
      case 'first': case 'last': return c.at === undefined ? null : [c.at, c.v ?? null];
      case 'collect': return c.items;
    }
}

export function loadGroup(stored: StoredGroup, specs: readonly MeasureSpec[]): Group {
  return {
    key: stored.key, count: stored.count, cells: specs.map((spec, i) => loadedCell(spec, stored.cells[i])), sources: stored.sources,
    ...(stored.rows ? { rows: stored.rows } : {}),
  };
}

function loadedCell(spec: MeasureSpec, c: unknown): Cell {
    switch (spec.op) {
      case 'sum': return ExactSum.of(c as string);
      case 'count': return c as number;
      case 'avg': { const [sum, n] = c as [string, number]; return { op: spec.op, sum: ExactSum.of(sum), n }; }
      case 'min': case 'max': return { op: spec.op, v: c ?? undefined };
      case 'first': case 'last': return c === null ? { op: spec.op, v: undefined, at: undefined } : { op: spec.op, at: (c as [string, unknown])[0], v: (c as [string, unknown])[1] };
      case 'collect': return { op: spec.op, items: c as [string, unknown][] };
    }
}

/** The record a group emits: its key fields, then its measures. */
export function groupRecord(group: Group, keyNames: readonly string[], specs: readonly MeasureSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  keyNames.forEach((name, i) => {
    out[name] = group.key[i];
  });
  group.cells.forEach((c, i) => {
    out[specs[i].name] = cellValue(c);
  });
  return out;
}

function cellValue(c: Cell): unknown {
  if (typeof c === 'number') return c;
  if (c instanceof ExactSum) return c.toString();
  switch (c.op) {
    case 'avg': return c.n ? averageOf(c.sum.toString(), c.n) : null;
    case 'min': case 'max': case 'first': case 'last': return c.v ?? null;
    case 'collect': return [...c.items].sort((a, b) => compareLineageKeys(a[0], b[0])).map(([, v]) => v);
  }
}
