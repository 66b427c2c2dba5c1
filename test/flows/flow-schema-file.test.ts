/**
 * flows/flow.schema.json is generated from the node catalog (npm run
 * gen:schema): it must be current, and it must check node configs in flow
 * files the way the runtime does.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { FLOW_SCHEMA_FILE, flowFileSchema, flowFileSchemaText } from '../../runtime/flow-schema-file.ts';

const FLOWS = resolve(import.meta.dirname, '../../flows');
const flowFiles = readdirSync(FLOWS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(FLOWS, d.name, 'flow.json')))
  .map((d) => join(FLOWS, d.name, 'flow.json'));
const validateFile = new Ajv2020({ strict: false, allErrors: true }).compile(flowFileSchema());

const node = (type: string, config: Record<string, unknown>, typeVersion = 1) => ({ id: 'n', type, typeVersion, position: { x: 0, y: 0 }, config });
const flow = (...nodes: ReturnType<typeof node>[]) => ({ id: 'f', name: 'F', nodes, edges: [] });
const errorsOf = (doc: unknown) => (validateFile(doc) ? [] : (validateFile.errors ?? []).map((e) => e.instancePath));

describe('flows/flow.schema.json', () => {
  it('is the one generated from the node catalog (run `npm run gen:schema` after changing a node type)', async () => {
    expect(await readFile(FLOW_SCHEMA_FILE, 'utf8')).toBe(flowFileSchemaText());
  });

  it.each(flowFiles)('accepts the example flow %s', async (path) => {
    expect(errorsOf(JSON.parse(await readFile(path, 'utf8')))).toEqual([]);
  });

  it("checks each node's config against its type's schema, leaving out what has a default", () => {
    expect(errorsOf(flow(node('target.http', { connection: 'erp' })))).toEqual([]);
    expect(errorsOf(flow(node('target.http', { connection: 'erp', method: 'GET' })))).toContain('/nodes/0/config/method');
    expect(errorsOf(flow(node('target.http', { method: 'PUT' })))).toContain('/nodes/0/config');
    expect(errorsOf(flow(node('transform.jsonata', { expression: '$', nope: 1 })))).toContain('/nodes/0/config');
    expect(errorsOf(flow(node('source.file', { csv: { delimiter: ';' } })))).toEqual([]);
    // A node written for an older version is checked after its upgrade, when the flow is loaded.
    expect(errorsOf(flow(node('target.http', { method: 'GET' }, 0)))).not.toContain('/nodes/0/config/method');
  });
});
