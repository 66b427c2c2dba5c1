/** Keys and ajv options of the JSON Schemas declared in the code (see schema-validator.ts). */

/** ajv's options for declared schemas; the designer's build generates their code with the same ones. */
export const DECLARED_SCHEMA_OPTIONS = { allErrors: true, strict: false } as const;

/** The key of the flow document's schema. */
export const FLOW_SCHEMA_KEY = 'flow';

/** The key of a node type's config schema. */
export function configSchemaKey(decl: { type: string; version: number }): string {
  return `${decl.type}@${decl.version}`;
}
