/** The app of the security tests: a harness with the payments flow at version 1, and its OpenAPI operations. */
import { createHarness, paymentsFlow, PAYMENTS_TABLE, type Harness } from '../harness.ts';

/** One operation of the OpenAPI document. */
export interface DocumentedOperation {
  /** `POST /api/flows/{id}/versions` */
  key: string;
  method: string;
  path: string;
  params: { name: string; in: string }[];
  hasBody: boolean;
  /** Top-level field names of the JSON body's schema. */
  fields: string[];
}

/** A fresh harness with flow `payments` (version 1), and every operation its `/api/openapi.json` documents. */
export async function harnessWithOperations(): Promise<{ h: Harness; operations: DocumentedOperation[] }> {
  const h = await createHarness();
  await h.store.sql.query(PAYMENTS_TABLE);
  await h.json('analyst', 'POST', '/api/flows', { document: paymentsFlow() }, 201);
  await h.json('analyst', 'POST', '/api/flows/payments/versions', { message: 'v1' }, 201);
  const doc = await h.json(null, 'GET', '/api/openapi.json');
  const schemas = doc.components?.schemas ?? {};
  const fieldsOf = (schema: { $ref?: string; properties?: object } | undefined): string[] => {
    const s = schema?.$ref ? schemas[schema.$ref.split('/').pop()!] : schema;
    return Object.keys(s?.properties ?? {});
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({
    key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, params: op.parameters ?? [],
    hasBody: !!op.requestBody, fields: fieldsOf(op.requestBody?.content?.['application/json']?.schema),
  })));
  return { h, operations };
}
