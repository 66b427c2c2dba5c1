/**
 * Issue 12 point 8: a target that echoes the request's credentials in its
 * error body leaves `***` in traces, dead letters and the audit log, never
 * the secret; credentials written in clear into settings are refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../../nodes/flow-document.ts';
import { createHarness, type Harness } from '../harness.ts';

const TOKEN = 'sk_live_5f3c9e7a1b2d4c6e8f0a';
const API_KEY = 'key-0d9c8b7a6f5e';
let h: Harness;
let echo: Server;
let baseUrl: string;

const echoFlow: FlowDocument = {
  id: 'echo', name: 'Invoices to an echoing ERP', businessKey: 'ref',
  connections: { erp: { kind: 'http', description: 'ERP API' } },
  nodes: [
    { id: 'in', type: 'source.file', typeVersion: 1, position: { x: 0, y: 0 }, config: { format: 'json' } },
    { id: 'post', type: 'target.http', typeVersion: 1, position: { x: 200, y: 0 }, config: { connection: 'erp', method: 'POST', path: '/invoices', idempotencyKey: 'ref', batchSize: 1, concurrency: 1 } },
  ],
  edges: [{ id: 'e1', source: 'in', target: 'post' }],
};

beforeAll(async () => {
  // An ERP that answers 400 quoting every header it was sent, as some gateways do.
  echo = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      // For INV-CUT the token straddles the 300-character excerpt: it must be hidden before the cut.
      const filler = body.includes('INV-CUT') ? 'x'.repeat(246) : '';
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`${filler}bad request; you sent Authorization: ${req.headers.authorization} and X-Api-Key: ${req.headers['x-api-key']} (${JSON.stringify(req.headers)})`);
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/api`;
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => echo.close(resolve));
});

describe('secrets never stored', () => {
  it('an error body echoing Authorization shows *** in the trace and the dead letter; the secret is nowhere in the store', async () => {
    await h.json('admin', 'PUT', '/api/connections/dev/erp', {
      kind: 'http', settings: { baseUrl, headers: { Authorization: 'Bearer {{secret:token}}', 'X-Api-Key': '{{secret:key}}' } }, secrets: { token: TOKEN, key: API_KEY },
    });
    await h.json('analyst', 'POST', '/api/flows', { document: echoFlow }, 201);
    await h.json('analyst', 'POST', '/api/flows/echo/versions', { message: 'v1' }, 201);
    await h.json('analyst', 'POST', '/api/flows/echo/deployments', { environment: 'dev', version: 1 }, 201);
    const { runId } = await h.json('operator', 'POST', '/api/flows/echo/runs', { environment: 'dev', input: { name: 'i.json', content: JSON.stringify([{ ref: 'INV-1', total: '10.00' }, { ref: 'INV-CUT', total: '1.00' }]) } }, 202);

    const records = await h.json('operator', 'GET', `/api/runs/${runId}/records`);
    const deadLetters = await h.json('operator', 'GET', '/api/dead-letters');
    const shown = JSON.stringify({ records, deadLetters });
    expect(shown).toContain('refused the record with 400');
    expect(shown).toContain('Authorization: ***');
    expect(shown).toContain('X-Api-Key: ***');
    expect(shown).not.toContain(TOKEN.slice(0, 8));
    expect(records.items).toHaveLength(2);

    for (const table of ['record_traces', 'dead_letters', 'runs', 'audit_log', 'connections']) {
      const { rows } = await h.store.sql.query<{ t: string }>(`select coalesce(string_agg(x::text, ' '), '') as t from ${table} x`);
      expect(rows[0].t, table).not.toContain(TOKEN);
      expect(rows[0].t, table).not.toContain(API_KEY);
    }
    expect(JSON.stringify(await h.json('admin', 'GET', '/api/audit'))).not.toContain(TOKEN);
  });

  it('credentials written in clear into connection settings are refused (they would be stored and shown)', async () => {
    const header = await h.call('admin', 'PUT', '/api/connections/dev/erp2', { kind: 'http', settings: { baseUrl, headers: { Authorization: `Bearer ${TOKEN}` } } });
    expect(header.status).toBe(422);
    expect((await header.json()).detail).toMatch(/Authorization carries a credential: put the value in secrets/);
    const url = await h.call('admin', 'PUT', '/api/connections/dev/db', { kind: 'postgres', settings: { url: 'postgres://erp:plain-pw@127.0.0.1:5432/erp' } });
    expect(url.status).toBe(422);
    expect(JSON.stringify(await h.json('admin', 'GET', '/api/audit'))).not.toContain(TOKEN);
  });
});
