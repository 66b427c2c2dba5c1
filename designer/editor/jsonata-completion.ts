/**
 * Autocomplete for JSONata: field paths from the sample (or declared schema),
 * following the path typed so far (`supplier.` offers supplier's fields), and
 * every function with its signature and description.
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { FUNCTION_DOCS } from '../../nodes/expression/function-docs.ts';
import { pathExpression } from '../mapping/expression-mapping.ts';
import { cellText } from '../shell/format.ts';
import { findField, type FieldNode } from './field-paths.ts';

const FUNCTION_OPTIONS: Completion[] = FUNCTION_DOCS.map((d) => ({
  label: d.name,
  type: 'function',
  detail: d.signature.slice(d.name.length),
  info: `${d.description}${d.custom ? '\n(Ledgerflow function)' : ''}`,
  apply: `${d.name}(`,
  boost: d.custom ? 2 : 0,
}));

// A path of names (plain or `back-quoted`), a dot, and the name being typed.
const PATH_BEFORE = /((?:(?:[A-Za-z_][\w]*|`[^`]*`)\.)*)([A-Za-z_#@][\w]*|`[^`]*)?$/;

/** Splits `a.\`#text\`.b.` into names. */
export function pathNames(text: string): string[] {
  return (text.match(/`[^`]*`|[A-Za-z_][\w]*/g) ?? []).map((s) => (s.startsWith('`') ? s.slice(1, -1) : s));
}

function fieldOption(f: FieldNode): Completion {
  const types = f.types.join(' | ') || (f.children.length ? 'object' : '');
  return {
    label: pathExpression([f.name]),
    type: f.children.length ? 'class' : 'property',
    detail: `${types}${f.array ? '[]' : ''}`,
    info: f.example !== undefined ? `e.g. ${cellText(f.example, 80)}` : f.description,
    boost: f.required ? 1 : 0,
  };
}

/** A completion source reading the current field tree through `getFields`. */
export function jsonataCompletion(getFields: () => FieldNode[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const fn = ctx.matchBefore(/\$[\w]*$/);
    if (fn) return { from: fn.from, options: FUNCTION_OPTIONS, validFor: /^\$[\w]*$/ };
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(Math.max(0, ctx.pos - line.from - 300), ctx.pos - line.from);
    const m = PATH_BEFORE.exec(before);
    if (!m) return null;
    const [whole, parentText, partial = ''] = m;
    const start = before.length - whole.length;
    // `$doc.x`: a variable's fields are not known.
    if (before[start - 1] === '$') return null;
    if (!ctx.explicit && !whole) return null;
    const parent = pathNames(parentText);
    const level = parent.length ? findField(getFields(), parent)?.children : getFields();
    if (!level?.length) return null;
    return { from: ctx.pos - partial.length, options: level.map(fieldOption), validFor: /^[\w#@`]*$/ };
  };
}
