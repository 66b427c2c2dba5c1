/**
 * The validators of the JSON Schemas declared in the code: the flow document's
 * and each node type's config schema, by key (`flow`, `<type>@<version>`).
 * Here ajv compiles each on first use. The designer's build puts
 * designer/precompiled-validators.ts in this module's place: the same ajv
 * validators, generated as code at build time, so the browser runs them
 * without `new Function` and the designer's Content-Security-Policy needs no
 * 'unsafe-eval'.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { DECLARED_SCHEMA_OPTIONS } from './schema-keys.ts';

// `ajv/dist/2020.js` is CommonJS; its default export differs between bundlers and Node.
const AjvClass = ((Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020) as typeof Ajv2020;
let ajv: Ajv2020 | undefined;
// By schema object: tests declare node types of their own under keys the catalog also uses.
const compiled = new WeakMap<object, ValidateFunction>();

/** The validator of the declared schema `key` (here `schema` itself is compiled; the key serves the designer's build). */
export function declaredSchemaValidator(_key: string, schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    ajv ??= new AjvClass(DECLARED_SCHEMA_OPTIONS);
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}
