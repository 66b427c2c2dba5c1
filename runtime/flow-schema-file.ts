/**
 * `flows/flow.schema.json`, generated from the node catalog: the flow
 * document's schema (nodes/flow-document.schema.json) with each node type's
 * config schema applied to the nodes of that type and version, so an editor
 * checks a node's config in a flow file as the runtime does.
 *
 * `npm run gen:schema` writes it; test/flows/flow-schema-file.test.ts fails
 * when the checked-in file is stale.
 *
 * A config may leave out what its type has a default for (the runtime fills
 * it in): a property is required in the file only when it has no default
 * its own schema accepts. Nodes written for an older type version are
 * checked on load, after `upgrade()`, not here.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import type { AnyNodeDeclaration, JsonSchema } from '../nodes/define-node.ts';
import { NODE_TYPES } from '../nodes/catalog.ts';
import documentSchema from '../nodes/flow-document.schema.json' with { type: 'json' };

export const FLOW_SCHEMA_FILE = fileURLToPath(new URL('../flows/flow.schema.json', import.meta.url));

// `ajv/dist/2020.js` is CommonJS; its default export differs between loaders.
const AjvClass = ((Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020) as typeof Ajv2020;

type Obj = Record<string, unknown>;

/** The config schema as a flow file sees it: properties with an acceptable default are not required. */
function fileConfigSchema(decl: AnyNodeDeclaration, ajv: Ajv2020): JsonSchema {
  const { $schema: _s, ...schema } = structuredClone(decl.configSchema) as Obj;
  const properties = (schema.properties ?? {}) as Record<string, Obj>;
  const defaults = decl.defaults as Obj;
  const required = ((schema.required ?? []) as string[]).filter((name) => !(name in defaults && ajv.validate(properties[name] ?? {}, defaults[name])));
  if (required.length) schema.required = required;
  else delete schema.required;
  return schema;
}

/** The flow file schema for these node types. */
export function flowFileSchema(types: readonly AnyNodeDeclaration[] = NODE_TYPES): JsonSchema {
  const ajv = new AjvClass({ strict: false });
  const schema = structuredClone(documentSchema) as Obj;
  schema.$id = 'https://ledgerflow.dev/schema/flow.schema.json';
  schema.description = `${String(schema.description).split(' Each node')[0]} Each node's \`config\` is checked against the schema of its type and version (generated from the node catalog: npm run gen:schema).`;
  const node = ((schema.properties as Obj).nodes as Obj).items as Obj;
  node.allOf = types.map((decl) => ({
    if: { properties: { type: { const: decl.type }, typeVersion: { const: decl.version } }, required: ['type', 'typeVersion'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, never awaited
    then: { properties: { config: { title: decl.title, ...fileConfigSchema(decl, ajv) } } },
  }));
  return schema;
}

/** The file's text, as checked in. */
export function flowFileSchemaText(types?: readonly AnyNodeDeclaration[]): string {
  return `${JSON.stringify(flowFileSchema(types), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(FLOW_SCHEMA_FILE, flowFileSchemaText());
  console.log(`wrote ${FLOW_SCHEMA_FILE}`);
}
