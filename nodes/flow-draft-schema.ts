/**
 * The shape every stored draft has: the flow document's JSON Schema
 * (flow-document.schema.json) reduced to its structure. A draft may hold
 * problems (an empty name of a connection, 50 retry attempts, an amount
 * without its currency), which flow validation reports; what it may not hold
 * is anything but a document: the fields the schema names, of the types it
 * gives, and the skeleton (the document's id, name, nodes and edges; each
 * node's id, type, version, position and config; each edge's id, source and
 * target). Derived, not written again, so a field added to the document's
 * schema is part of the draft's at once.
 */
import flowSchema from './flow-document.schema.json' with { type: 'json' };

/** Value rules: flow validation reports them as problems of a draft. */
const VALUE_RULES = new Set(['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'enum', 'const', 'format']);

/** Where `required` is the skeleton of the graph, kept; elsewhere it is a value rule. */
const SKELETON = new Set(['', '/properties/nodes/items', '/properties/nodes/items/properties/position', '/properties/edges/items']);

function structure(schema: unknown, at: string): unknown {
  if (Array.isArray(schema)) return schema.map((s, i) => structure(s, `${at}/${i}`));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (VALUE_RULES.has(key) || key === 'description' || key === 'title') continue;
    if (key === 'required' && !SKELETON.has(at)) continue;
    // `properties` maps names to schemas: its own keys are field names, never keywords.
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, s]) => [name, structure(s, `${at}/properties/${name}`)]))
      : structure(value, `${at}/${key}`);
  }
  return out;
}

const { $schema: _dialect, $id: _id, title: _title, ...documentSchema } = flowSchema as Record<string, unknown>;

/** The JSON Schema of a stored draft (2020-12, without `$schema`/`$id`). */
export const FLOW_DRAFT_SCHEMA = { ...(structure(documentSchema, '') as Record<string, unknown>), description: 'A flow document as a draft holds it: the structure of a flow document (flows/flow.schema.json) without its value rules, which flow validation reports as problems.' };

/** The key of the draft schema's validator (see schema-validator.ts). */
export const FLOW_DRAFT_SCHEMA_KEY = 'flow-draft';
