/**
 * A node type's config written once, as a TypeBox schema (see the top of
 * define-node.ts): the helpers node types build it with, and what is derived
 * from it (the plain JSON Schema, the defaults, the expression fields).
 *
 * TypeBox schemas are JSON Schema objects (with a few symbol keys TypeBox
 * keeps for itself), so ajv validates them, the designer renders its forms
 * from them and `Static<typeof schema>` is the config's TypeScript type.
 */
import { Type, type SchemaOptions, type StringOptions, type TObject, type TSchema, type TString, type TUnsafe } from '@sinclair/typebox';
import type { ExpressionEvaluator } from './expression/evaluator.ts';
import { checkConfigExpressions } from './expression/config-expressions.ts';
import type { ConfigProblem, JsonSchema } from './define-node.ts';

export { Type, type Static } from '@sinclair/typebox';

/**
 * How the schema marks a string property as a JSONata expression: JSON Schema's own annotation for
 * what a string holds (`contentMediaType`), so even a strict validator takes the schema as it is.
 */
export const EXPRESSION_KEYWORD = 'contentMediaType';
export const EXPRESSION_MEDIA_TYPE = 'application/x-jsonata';

/** A string property holding a JSONata expression: editors highlight it, `check()` syntax-checks it. */
export function Expression(options: StringOptions = {}): TString {
  return Type.String({ ...options, [EXPRESSION_KEYWORD]: EXPRESSION_MEDIA_TYPE });
}

/** One of the listed strings, written as JSON Schema's `enum` (the inspector renders a select). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** One of the listed values (strings, numbers or null), as `enum` without a `type`. */
export function Enum<const T extends readonly (string | number | null)[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ enum: [...values], ...options });
}

/** An object of string values by any key (headers, fixed parameters, column maps): `additionalProperties`. */
export function StringMap(options: SchemaOptions = {}, values: TSchema = Type.String()): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: values, ...options });
}

/** An object the config holds as it is (e.g. a JSON Schema the records must match). */
export function AnyObject(options: SchemaOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', ...options });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema as plain JSON (TypeBox's symbol keys left out): what ajv, the designer and flow.schema.json get. */
export function plainSchema(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/**
 * The config a new node starts with: each property's `default`; an object
 * property without one gets its own properties' defaults (e.g. `csv`).
 */
export function schemaDefaults(schema: TObject | JsonSchema): Obj {
  return (defaultOf(schema) as Obj | undefined) ?? {};
}

function defaultOf(schema: unknown): unknown {
  if (!isObj(schema)) return undefined;
  // A copy (defaults are JSON), so no config shares the schema's own arrays and objects.
  if ('default' in schema) return JSON.parse(JSON.stringify(schema.default)) as unknown;
  if (!isObj(schema.properties)) return undefined;
  const out: Obj = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = defaultOf(property);
    if (value !== undefined) out[name] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** JSON pointers of the expression properties, `*` standing for any array index (e.g. `/routes/*\/condition`). */
export function expressionPointers(schema: TSchema | JsonSchema, prefix = ''): string[] {
  if (!isObj(schema)) return [];
  if (schema[EXPRESSION_KEYWORD] === EXPRESSION_MEDIA_TYPE) return [prefix];
  const out: string[] = [];
  if (isObj(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) out.push(...expressionPointers(property as JsonSchema, `${prefix}/${name}`));
  }
  if (isObj(schema.items)) out.push(...expressionPointers(schema.items as JsonSchema, `${prefix}/*`));
  return out;
}

/** The expressions a config holds at the given pointers (absent ones left out), with their concrete paths. */
export function expressionsAt(pointers: readonly string[], config: unknown): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  const visit = (value: unknown, parts: string[], path: string) => {
    if (value === undefined) return;
    if (parts.length === 0) {
      out.push({ path, source: value as string });
      return;
    }
    const [head, ...rest] = parts;
    if (head === '*') {
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          visit(item, rest, `${path}/${i}`);
        });
      }
    } else if (isObj(value)) visit(value[head], rest, `${path}/${head}`);
  };
  for (const pointer of pointers) visit(config, pointer.split('/').slice(1), '');
  return out;
}

/** Syntax problems of every expression the config holds (an empty one is a problem too). */
export function checkExpressionFields(pointers: readonly string[], config: unknown, evaluator: ExpressionEvaluator): ConfigProblem[] {
  return checkConfigExpressions(expressionsAt(pointers, config), evaluator);
}
