/**
 * Shared pieces of the differential tests: loading the example flows'
 * expressions and samples, mutating documents, and comparing an expression's
 * outcome under the reference and the compiled evaluator.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import fc from 'fast-check';
import type { Bindings, ExpressionEvaluator } from '../../../../nodes/expression/evaluator.ts';
import { FlowError } from '../../../../nodes/errors.ts';
import { parseTemplate } from '../../../../nodes/expression/message-template.ts';
import { parseDocument, type FormatOptions } from '../../../../nodes/formats/index.ts';
import { fileInput, loadFlowFile, loadReferenceData } from '../../../../runtime/flow-files.ts';
import type { ReferenceData } from '../../../../nodes/define-node.ts';

export type Outcome = { ok: true; value: string } | { ok: false; code?: string; message: string };

const FUNCTION = '<function>';

/** A JSON-like copy for comparison (key order kept; functions as a marker; cycles impossible then). */
export function plain(value: unknown): unknown {
  if (typeof value === 'function') return FUNCTION;
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if (v._jsonata_lambda === true || v._jsonata_function === true) return FUNCTION;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = plain(v[key]);
  return out;
}

/** Evaluates and captures the result (as JSON text) or the error (code and message). */
export async function outcome(evaluator: ExpressionEvaluator, expr: string, input: unknown, functions: Bindings, bindings?: Bindings): Promise<Outcome> {
  try {
    const compiled = evaluator.compile(expr, { functions });
    const value = await compiled.evaluate(input, bindings);
    return { ok: true, value: JSON.stringify(plain(value)) ?? 'undefined' };
  } catch (err) {
    if (!(err instanceof FlowError)) return { ok: false, message: `not a FlowError: ${String(err)}` };
    return { ok: false, code: err.details.code, message: err.message };
  }
}

/** Same result, or the same error (same code; same message when there is no code). */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.ok && b.ok) return a.value === b.value;
  if (!a.ok && !b.ok) return a.code === b.code && (a.code !== undefined || a.message === b.message);
  return false;
}

// ---- example flows ---------------------------------------------------------

export interface FlowExpressions {
  flow: string;
  functions: Bindings;
  /** Expressions on source records, with those records. */
  onSource: { expressions: string[]; records: unknown[] };
  /** Expressions after the transform (validation, routes, targets), with mapped records. */
  onMapped: { expressions: string[]; records: unknown[] };
  /** The mapping of the flow's transform node. */
  transform?: string;
}

const EXPRESSION_KEYS = new Set(['expression', 'condition', 'idempotencyKey']);

function expressionsOf(config: unknown, out: string[]): void {
  const visit = (x: unknown, key: string, parentKey: string) => {
    if (typeof x === 'string') {
      if (EXPRESSION_KEYS.has(key) || (key === 'value' && parentKey === 'references')) out.push(x);
      else if (key === 'message') for (const p of parseTemplate(x).placeholders) out.push(p.source);
    } else if (Array.isArray(x)) x.forEach((item) => {
      visit(item, key, key);
    });
    else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) visit(v, k, key);
  };
  visit(config, '', '');
}

async function readRecords(path: string, options: FormatOptions): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const r of parseDocument(fileInput(path).chunks(), basename(path), options)) records.push(r);
  return records;
}

/** Expressions and sample records of an example flow (flows/<name>/flow.json). */
export async function loadFlowExpressions(flowDir: URL, standardFunctions: (ref: ReferenceData) => Bindings): Promise<FlowExpressions> {
  const { doc, dir } = await loadFlowFile(new URL('flow.json', flowDir).pathname);
  const reference = await loadReferenceData(doc, dir);
  const functions = standardFunctions(reference);
  const source = doc.nodes.find((n) => n.type.startsWith('source.'));
  const options: FormatOptions = { format: 'auto', ...((source?.config ?? {}) as FormatOptions) };
  const records: unknown[] = [];
  for (const sample of (doc as { samples?: string[] }).samples ?? []) records.push(...(await readRecords(resolve(dir, sample), options)));
  const onSource: string[] = [];
  const flowLevel = doc as unknown as Record<string, unknown>;
  for (const key of ['recordKey', 'businessKey', 'eventTime']) if (typeof flowLevel[key] === 'string') onSource.push(flowLevel[key] as string);
  const amount = flowLevel.amount as { value?: string; currency?: string } | undefined;
  if (amount?.value) onSource.push(amount.value);
  if (amount?.currency) onSource.push(amount.currency);
  const onMapped: string[] = [];
  let transform: string | undefined;
  for (const node of doc.nodes) {
    expressionsOf(node.config, transform === undefined ? onSource : onMapped);
    if (node.type === 'transform.jsonata' && transform === undefined) transform = (node.config as { expression: string }).expression;
  }
  return { flow: doc.id, functions, onSource: { expressions: onSource, records }, onMapped: { expressions: onMapped, records: [] }, transform };
}

/** The transform's output records for the given inputs (as the reference gives them). */
export async function mapRecords(evaluator: ExpressionEvaluator, expression: string, records: unknown[], functions: Bindings): Promise<unknown[]> {
  const out: unknown[] = [];
  const compiled = evaluator.compile(expression, { functions });
  for (const r of records) {
    try {
      const v = await compiled.evaluate(r, undefined);
      if (Array.isArray(v)) out.push(...v);
      else if (v !== undefined) out.push(v);
    } catch {
      // a sample the mapping rejects: not a base for mutations
    }
  }
  return JSON.parse(JSON.stringify(out));
}

export async function readText(url: URL): Promise<string> {
  return readFile(url, 'utf8');
}

// ---- mutations ---------------------------------------------------------------

/** A JSON value a broken or surprising document may hold instead of the expected one. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('', '0', '12.50', '-3', '1e3', 'abc', ' 7 ', 'EUR', 'true', '2026-03-14', '2026-03-14T09:21:33.000Z', 'null'),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.integer({ min: -5, max: 50 }), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'ID', '#text', '@currencyID', 'x'), fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxKeys: 2 }),
);

export type Mutation = [index: number, kind: 'delete' | 'replace' | 'wrap' | 'unwrap' | 'duplicate' | 'empty', value: unknown];

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.tuple(fc.nat(), fc.constantFrom('delete', 'replace', 'wrap', 'unwrap', 'duplicate', 'empty') as fc.Arbitrary<Mutation[1]>, oddValue),
  { maxLength: 4 },
);

type Container = Record<string, unknown> | unknown[];

function slots(doc: unknown): [Container, string | number][] {
  const out: [Container, string | number][] = [];
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach((v, i) => {
      out.push([x, i]);
      visit(v);
    });
    else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) (out.push([x as Container, k]), visit(v));
  };
  visit(doc);
  return out;
}

/** A deep copy of `doc` with the mutations applied (each picks a slot by index). */
export function mutate(doc: unknown, list: Mutation[]): unknown {
  const copy = JSON.parse(JSON.stringify(doc));
  for (const [index, kind, value] of list) {
    const all = slots(copy);
    if (all.length === 0) break;
    const [parent, key] = all[index % all.length];
    const current = (parent as Record<string | number, unknown>)[key];
    const set = (v: unknown) => ((parent as Record<string | number, unknown>)[key] = v);
    switch (kind) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 'replace':
        set(JSON.parse(JSON.stringify(value)));
        break;
      case 'wrap':
        set([current]);
        break;
      case 'unwrap':
        if (Array.isArray(current) && current.length > 0) set(current[0]);
        break;
      case 'duplicate':
        set(Array.isArray(current) ? [...current, ...current] : [current, current]);
        break;
      case 'empty':
        set(Array.isArray(current) ? [] : {});
        break;
    }
  }
  return copy;
}
