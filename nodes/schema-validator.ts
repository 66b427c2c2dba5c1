/**
 * The validators of the JSON Schemas declared in the code: the flow document's
 * and each node type's config schema, by key (`flow`, `<type>@<version>`);
 * and the compiler of a schema a flow brings itself (`validate.record`).
 * Here ajv compiles each on first use. The designer's build puts
 * designer/precompiled-validators.ts in this module's place: the same ajv
 * validators, generated as code at build time, so the browser runs them
 * without `new Function` and the designer's Content-Security-Policy needs no
 * 'unsafe-eval' (nor ships ajv's compiler).
 */
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft7 from 'ajv';
import addFormats from 'ajv-formats';
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

/** A flow's own JSON Schema (draft 2020-12, or draft-06/07 when its `$schema` says so), every error reported. */
export function flowSchemaValidator(schema: Record<string, unknown>): ValidateFunction {
  const draft7 = typeof schema.$schema === 'string' && /draft-0[67]/.test(schema.$schema);
  const ajv = draft7 ? new AjvDraft7({ allErrors: true, strict: false }) : new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
