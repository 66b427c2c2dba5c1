/**
 * The designer's build-time validators (ajv standalone code, so the designer
 * needs no 'unsafe-eval') answer exactly as the validators the server compiles.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import flowSchema from '../../../nodes/flow-document.schema.json' with { type: 'json' };
import { precompiledValidatorsSource } from '../../../designer/build/precompile-validators.ts';
import { NODE_TYPES } from '../../../nodes/catalog.ts';
import { configSchemaKey, FLOW_SCHEMA_KEY } from '../../../nodes/schema-keys.ts';
import { declaredSchemaValidator } from '../../../nodes/schema-validator.ts';

const dir = mkdtempSync(join(tmpdir(), 'precompiled-validators-'));
let precompiled: Record<string, ValidateFunction>;

beforeAll(async () => {
  // The generated module imports ajv's runtime helpers by package name: point them at this checkout's copy.
  const source = (await precompiledValidatorsSource()).replace(/from "(ajv\/dist\/runtime\/[\w-]+)"/g, (_m, path: string) => `from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve(path)).href)}`);
  const file = join(dir, 'validators.mjs');
  writeFileSync(file, source);
  precompiled = (await import(pathToFileURL(file).href)).default;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answer = (validate: ValidateFunction, value: unknown) => ({ valid: validate(value), errors: validate.errors ?? null });

describe('precompiled validators', () => {
  it('has one for the flow document and for every node type, and uses no eval', async () => {
    expect(Object.keys(precompiled).sort()).toEqual([FLOW_SCHEMA_KEY, ...NODE_TYPES.map(configSchemaKey)].sort());
    expect(await precompiledValidatorsSource()).not.toMatch(/new Function|\beval\(/);
  });

  it.each([
    ['a valid flow', { id: 'f', name: 'F', nodes: [], edges: [] }],
    ['a flow with wrong fields', { id: 3, nodes: [{ id: 'a' }], edges: 'none', extra: true }],
    ['not an object', 'flow'],
  ])('answer like the server on the flow document: %s', (_what, doc) => {
    expect(answer(precompiled[FLOW_SCHEMA_KEY], doc)).toEqual(answer(declaredSchemaValidator(FLOW_SCHEMA_KEY, flowSchema), doc));
  });

  it.each(NODE_TYPES.map((d) => [configSchemaKey(d), d] as const))('answer like the server on %s configs', (key, decl) => {
    for (const config of [decl.defaults ?? {}, {}, { unknown: 1, connection: 5, path: ['x'] }, null]) {
      expect(answer(precompiled[key], config)).toEqual(answer(declaredSchemaValidator(key, decl.configSchema), config));
    }
  });
});
