/**
 * The visual mapper and the JSONata expression are two views of one thing.
 * `parseMapping` reads an object-constructor expression (optionally inside a
 * block with `$name := …;` bindings before it) into target field → expression
 * pairs, keeping each expression exactly as written; `generateExpression`
 * writes a mapping back as readable, indented JSONata. A list built from a
 * repeating source element is a loop, written `"lines": [InvoiceLine.{ … }]`:
 * its fields are read relative to each item and may hold loops in turn.
 */
import jsonata from 'jsonata';
import { dedentContinuation, indentContinuation, readStringLiteral, splitTopLevel } from './expression-scanner.ts';

export type MappingEntry =
  | { key: string; expression: string }
  | { key: string; fields: MappingEntry[] }
  /** A for-each: one target item per item of `loop` (a JSONata path); `fields` are relative to the item. */
  | { key: string; loop: string; fields: MappingEntry[] };

/** A mapping entry that is a for-each over a repeating source element. */
export type LoopEntry = Extract<MappingEntry, { loop: string }>;

export const isLoop = (e: MappingEntry): e is LoopEntry => 'loop' in e;

export interface Mapping {
  /** Statements before the object in a `( …; { … } )` block, without their `;`. */
  preamble: string[] | null;
  fields: MappingEntry[];
}

export type ParsedMapping = { ok: true; mapping: Mapping } | { ok: false; reason: string };

interface AstNode {
  type: string;
  value?: unknown;
  lhs?: unknown;
  expressions?: AstNode[];
  steps?: AstNode[];
}

const isObjectConstructor = (n: AstNode | undefined): boolean => n?.type === 'unary' && n.value === '{';

/** Reads a mapping from an expression; `$` or an empty expression is an empty mapping. */
export function parseMapping(expression: string): ParsedMapping {
  const text = expression.trim();
  if (text === '' || text === '$') return { ok: true, mapping: { preamble: null, fields: [] } };
  let ast: AstNode;
  try {
    ast = jsonata(text).ast() as AstNode;
  } catch (err) {
    return { ok: false, reason: `The expression has a syntax error: ${(err as Error).message}` };
  }
  if (isObjectConstructor(ast) && text.startsWith('{')) {
    const fields = parseObject(text, ast);
    return fields ? { ok: true, mapping: { preamble: null, fields } } : notAMapping();
  }
  if (ast.type === 'block' && text.startsWith('(') && text.endsWith(')')) {
    const exprs = ast.expressions ?? [];
    const last = exprs[exprs.length - 1];
    if (!isObjectConstructor(last)) return notAMapping();
    const statements = splitTopLevel(text.slice(1, -1), ';').map((s) => s.trim()).filter((s) => s !== '');
    if (statements.length !== exprs.length) return notAMapping();
    const objectText = statements[statements.length - 1];
    if (!objectText.startsWith('{')) return notAMapping();
    const fields = parseObject(objectText, last);
    if (!fields) return notAMapping();
    return { ok: true, mapping: { preamble: statements.slice(0, -1).map(dedentContinuation), fields } };
  }
  return notAMapping();
}

function notAMapping(): ParsedMapping {
  return { ok: false, reason: 'The expression does not build an object field by field ({ "field": expression, … }), so it cannot be shown as a mapping.' };
}

// Comments before a key are dropped: the mapper has nowhere to show them.
const stripComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, ' ');

function parseObject(text: string, ast: AstNode): MappingEntry[] | null {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  const pairsAst = (ast.lhs as [AstNode, AstNode][] | undefined) ?? [];
  const pairs = splitTopLevel(t.slice(1, -1), ',').filter((p) => p.trim() !== '');
  if (pairs.length !== pairsAst.length) return null;
  const out: MappingEntry[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const [keyAst, valueAst] = pairsAst[i];
    if (keyAst.type !== 'string') return null;
    const [keyText, ...rest] = splitTopLevel(pairs[i], ':');
    const key = readStringLiteral(stripComments(keyText));
    if (key === null || key !== keyAst.value || rest.length === 0) return null;
    const valueText = pairs[i].slice(keyText.length + 1).trim();
    const loop = readLoop(valueText, valueAst);
    if (isObjectConstructor(valueAst) && valueText.startsWith('{')) {
      const nested = parseObject(valueText, valueAst);
      if (!nested) return null;
      out.push({ key, fields: nested });
    } else if (loop) {
      out.push({ key, ...loop });
    } else {
      out.push({ key, expression: dedentContinuation(valueText) });
    }
  }
  return out;
}

/** Reads `[path.{ … }]` as a loop over `path`; null for any other value (kept as an expression). */
function readLoop(text: string, ast: AstNode): { loop: string; fields: MappingEntry[] } | null {
  if (ast.type !== 'unary' || ast.value !== '[' || ast.expressions?.length !== 1) return null;
  const path = ast.expressions[0];
  const steps = path.type === 'path' ? (path.steps ?? []) : [];
  const last = steps[steps.length - 1];
  if (steps.length < 2 || !isObjectConstructor(last) || !text.startsWith('[') || !text.endsWith(']')) return null;
  const inner = text.slice(1, -1).trim();
  const parts = splitTopLevel(inner, '.');
  const objectText = parts[parts.length - 1].trim();
  if (parts.length < 2 || !objectText.startsWith('{')) return null;
  const source = parts.slice(0, -1).join('.').trim();
  const fields = parseObject(objectText, last);
  return fields && source ? { loop: dedentContinuation(source), fields } : null;
}

/** Writes a mapping as indented JSONata; fields without an expression are left out. */
export function generateExpression(mapping: Mapping): string {
  if (!mapping.preamble || mapping.preamble.length === 0) return objectText(mapping.fields, 0);
  const statements = mapping.preamble.map((s) => `  ${indentContinuation(s, 2)};`);
  return `(\n${statements.join('\n')}\n  ${objectText(mapping.fields, 2)}\n)`;
}

function objectText(fields: MappingEntry[], indent: number): string {
  const inner = indent + 2;
  const lines: string[] = [];
  for (const f of fields) {
    if (isLoop(f)) {
      // A list nobody has chosen a repeating element for yet writes nothing.
      if (f.loop.trim() !== '') lines.push(`${' '.repeat(inner)}${JSON.stringify(f.key)}: [${indentContinuation(f.loop.trim(), inner)}.${objectText(f.fields, inner)}]`);
    } else if ('fields' in f) {
      lines.push(`${' '.repeat(inner)}${JSON.stringify(f.key)}: ${objectText(f.fields, inner)}`);
    } else if (f.expression.trim() !== '') {
      lines.push(`${' '.repeat(inner)}${JSON.stringify(f.key)}: ${indentContinuation(f.expression.trim(), inner)}`);
    }
  }
  if (lines.length === 0) return '{}';
  return `{\n${lines.join(',\n')}\n${' '.repeat(indent)}}`;
}

/** Every leaf of a mapping with its target path. */
export function flattenMapping(fields: MappingEntry[], prefix: string[] = []): { path: string[]; expression: string }[] {
  return fields.flatMap((f) =>
    'fields' in f ? flattenMapping(f.fields, [...prefix, f.key]) : [{ path: [...prefix, f.key], expression: f.expression }],
  );
}

/** The expression mapped to a target path, or undefined. */
export function getFieldExpression(fields: MappingEntry[], path: readonly string[]): string | undefined {
  const [head, ...rest] = path;
  const entry = fields.find((f) => f.key === head);
  if (!entry) return undefined;
  if (rest.length === 0) return 'fields' in entry ? undefined : entry.expression;
  return 'fields' in entry ? getFieldExpression(entry.fields, rest) : undefined;
}

/** Sets the expression of a target path, creating nested objects on the way; an empty expression removes it. */
export function setFieldExpression(fields: MappingEntry[], path: readonly string[], expression: string): MappingEntry[] {
  if (expression.trim() === '') return removeField(fields, path);
  const [head, ...rest] = path;
  const index = fields.findIndex((f) => f.key === head);
  let entry: MappingEntry;
  if (rest.length === 0) entry = { key: head, expression };
  else {
    const existing = index >= 0 ? fields[index] : undefined;
    const children = existing && 'fields' in existing ? existing.fields : [];
    const nested = setFieldExpression(children, rest, expression);
    entry = existing && isLoop(existing) ? { ...existing, fields: nested } : { key: head, fields: nested };
  }
  if (index < 0) return [...fields, entry];
  return fields.map((f, i) => (i === index ? entry : f));
}

/** Makes the target path a loop over `source` (a JSONata path), keeping fields already mapped inside it. */
export function setLoop(fields: MappingEntry[], path: readonly string[], source: string): MappingEntry[] {
  const [head, ...rest] = path;
  const index = fields.findIndex((f) => f.key === head);
  const existing = index >= 0 ? fields[index] : undefined;
  const children = existing && 'fields' in existing ? existing.fields : [];
  let entry: MappingEntry;
  if (rest.length === 0) entry = { key: head, loop: source, fields: children };
  else entry = existing && isLoop(existing) ? { ...existing, fields: setLoop(children, rest, source) } : { key: head, fields: setLoop(children, rest, source) };
  if (index < 0) return [...fields, entry];
  return fields.map((f, i) => (i === index ? entry : f));
}

/** Every loop of a mapping with its target path and its source, outermost first. */
export function loopsOf(fields: MappingEntry[], prefix: string[] = []): { path: string[]; loop: string }[] {
  return fields.flatMap((f) => {
    if (!('fields' in f)) return [];
    const path = [...prefix, f.key];
    const inner = loopsOf(f.fields, path);
    return isLoop(f) ? [{ path, loop: f.loop }, ...inner] : inner;
  });
}

/** Removes a target path; objects left empty are removed too (a loop stays: its list is still mapped). */
export function removeField(fields: MappingEntry[], path: readonly string[]): MappingEntry[] {
  const [head, ...rest] = path;
  const out: MappingEntry[] = [];
  for (const f of fields) {
    if (f.key !== head) out.push(f);
    else if (rest.length > 0 && 'fields' in f) {
      const children = removeField(f.fields, rest);
      if (isLoop(f)) out.push({ ...f, fields: children });
      else if (children.length) out.push({ key: f.key, fields: children });
    }
  }
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** A JSONata path for field names, back-quoting names that are not plain identifiers (`#text`, `@currencyID`). */
export function pathExpression(segments: readonly string[]): string {
  return segments.map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !KEYWORDS.has(s) ? s : `\`${s}\``)).join('.');
}
