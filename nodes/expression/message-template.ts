/**
 * Messages with `{{expression}}` placeholders, evaluated on the record:
 * "Supplier {{supplier.vatId}} is not in the supplier master". A placeholder
 * ends at the first `}}`, so an expression inside one cannot contain `}}`.
 */
import type { Bindings, CompiledExpression, ExpressionProblem } from './evaluator.ts';

export interface TemplatePlaceholder {
  /** The expression between the braces, as written. */
  source: string;
  /** Character offset of the expression (after `{{`) in the message. */
  offset: number;
}

export interface ParsedTemplate {
  /** Text around the placeholders: always one more than placeholders. */
  texts: string[];
  placeholders: TemplatePlaceholder[];
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

/** Splits a message into literal text and placeholders. */
export function parseTemplate(message: string): ParsedTemplate {
  const texts: string[] = [];
  const placeholders: TemplatePlaceholder[] = [];
  let last = 0;
  for (const match of message.matchAll(PLACEHOLDER)) {
    const start = match.index ?? 0;
    texts.push(message.slice(last, start));
    placeholders.push({ source: match[1], offset: start + 2 });
    last = start + match[0].length;
  }
  texts.push(message.slice(last));
  return { texts, placeholders };
}

/** Syntax problems of every placeholder, positions counted in the whole message. */
export function checkTemplate(message: string, check: (source: string) => ExpressionProblem | null): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  for (const placeholder of parseTemplate(message).placeholders) {
    const problem = check(placeholder.source);
    if (problem) {
      problems.push({ ...problem, position: placeholder.offset + (problem.position ?? 0) });
    }
  }
  return problems;
}

/** How a placeholder value reads in a message. */
export function templateText(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  // A list of plain values reads as a list ("100, CC-999"), not as JSON.
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.map(templateText).join(', ');
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export interface MessageTemplate {
  readonly message: string;
  /** The message with placeholders filled in; a failing placeholder reads "(error: …)". */
  render(data: unknown, bindings?: Bindings): string | Promise<string>;
}

/** Compiles every placeholder once with `compile`. */
export function compileTemplate(message: string, compile: (placeholder: TemplatePlaceholder) => CompiledExpression): MessageTemplate {
  const { texts, placeholders } = parseTemplate(message);
  if (placeholders.length === 0) return { message, render: () => message };
  const compiled = placeholders.map(compile);

  const join = (values: string[]) => texts.reduce((out, text, i) => out + text + (i < values.length ? values[i] : ''), '');
  const failed = (err: unknown) => `(error: ${err instanceof Error ? err.message : String(err)})`;

  return {
    message,
    render(data, bindings) {
      const values: (string | Promise<string>)[] = compiled.map((expr) => {
        try {
          const value = expr.evaluate(data, bindings);
          return value instanceof Promise ? value.then(templateText, failed) : templateText(value);
        } catch (err) {
          return failed(err);
        }
      });
      if (values.every((v) => typeof v === 'string')) return join(values as string[]);
      return Promise.all(values).then(join);
    },
  };
}
