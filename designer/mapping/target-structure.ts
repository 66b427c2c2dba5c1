/**
 * The target structure a mapping builds, given by the analyst as a JSON Schema
 * or as a sample of the target document; a sample is turned into the schema
 * it implies (objects, lists of objects, scalar types), so one form is stored.
 */
import type { JsonSchema } from '../../nodes/define-node.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const SCHEMA_KEYS = ['$schema', 'properties', 'items', 'allOf', 'type'];

/** True when a parsed document reads as a JSON Schema rather than a sample of the target. */
export function looksLikeSchema(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return SCHEMA_KEYS.some((k) => k in v) && (typeof v.type === 'string' || typeof v.properties === 'object' || typeof v.$schema === 'string');
}

/** The JSON Schema a sample implies: every field seen, lists by the union of their items. */
export function schemaFromSample(value: Json): JsonSchema {
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== null).map(schemaFromSample);
    return { type: 'array', items: items.reduce(mergeSchemas, {} as JsonSchema) };
  }
  if (value === null) return {};
  if (typeof value === 'object') {
    return { type: 'object', properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaFromSample(v)])) };
  }
  return { type: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string' };
}

function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (!x.type) return b;
  if (x.type === 'object' && y.type === 'object') {
    const props = { ...(x.properties as Record<string, JsonSchema>) };
    for (const [k, v] of Object.entries(y.properties as Record<string, JsonSchema>)) props[k] = props[k] ? mergeSchemas(props[k], v) : v;
    return { type: 'object', properties: props };
  }
  return a;
}

/** Reads the text the analyst pasted: the schema to store, or a message saying why it cannot be used. */
export function readTargetStructure(text: string): { ok: true; schema: JsonSchema } | { ok: false; message: string } {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    return { ok: false, message: `Not valid JSON: ${(err as Error).message}` };
  }
  const schema = looksLikeSchema(value) ? (value as JsonSchema) : schemaFromSample(value);
  const s = schema as Record<string, unknown>;
  if (s.type !== 'object' && !s.properties) return { ok: false, message: 'The target must be an object (a record with fields), not a single value or a list.' };
  return { ok: true, schema };
}
