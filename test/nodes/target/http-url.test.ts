/** Issue 12 point 7: an HTTP target's URL stays under its connection's base URL. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTarget } from '../../../nodes/target/http.ts';
import { urlUnderBase } from '../../../nodes/target/http-url.ts';
import { connections, setupContext, stubEvaluator, targetContext } from './target-test-context.ts';

describe('urlUnderBase', () => {
  it.each([
    ['http://erp.example/api/', '/invoices', 'http://erp.example/api/invoices'],
    ['http://erp.example/api', 'invoices/INV%202026%2F42', 'http://erp.example/api/invoices/INV%202026%2F42'],
    ['http://erp.example/api/', '', 'http://erp.example/api'],
    ['http://erp.example', '/x?page=1', 'http://erp.example/x?page=1'],
    ['http://erp.example/api?tenant=7', '/x', 'http://erp.example/api/x?tenant=7'],
    ['http://erp.example/api/', '//evil.example/x', 'http://erp.example/api//evil.example/x'],
    ['http://erp.example/api/', '/a...b/.x', 'http://erp.example/api/a...b/.x'],
  ])('%s + %s → %s', (base, path, url) => {
    expect(urlUnderBase(base, path)).toEqual({ url });
  });

  it.each([
    ['/../../admin', "a '..' segment"],
    ['/invoices/../../admin', "a '..' segment"],
    ['/%2e%2E/admin', "a '..' segment"],
    ['/%2E/admin', "a '.' segment"],
    ['/./admin', "a '.' segment"],
    ['/a\\..\\..\\admin', 'backslash'],
    ['/%zz', 'malformed'],
  ])('refuses %s', (path, why) => {
    const result = urlUnderBase('http://erp.example/api/v1', path);
    expect('problem' in result && result.problem).toContain(why);
  });
});

describe('target.http keeps to its base URL', () => {
  let server: Server;
  let baseUrl: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => { seen.push(req.url!); req.resume(); res.writeHead(201).end(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('a configured path with .. is a config problem', () => {
    const problems = httpTarget.check!({ ...httpTarget.defaults, connection: 'erp', path: '/../../admin' }, stubEvaluator);
    expect(problems.map((p) => p.message).join()).toMatch(/leave the connection's base URL/);
  });

  it("a record value of '..' in a placeholder is refused (permanent), nothing is sent; ordinary values are", async () => {
    const target = httpTarget.create({ ...httpTarget.defaults, connection: 'erp', path: '/invoices/{{n}}/{{m}}' }, setupContext('post'));
    const ctx = targetContext({ connections: connections({}, { erp: { baseUrl, headers: {} } }) });
    const outcomes = await target.write([{ key: 'a', data: { n: '..', m: '..' } }, { key: 'b', data: { n: '%2e%2e', m: 'x' } }, { key: 'c', data: { n: 'INV/1', m: '.x' } }], ctx);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { errorClass: 'permanent', message: expect.stringMatching(/leave the connection's base URL/) } });
    expect(outcomes[1]).toMatchObject({ ok: true }); // the value is encoded: %252e%252e, an ordinary segment
    expect(outcomes[2]).toMatchObject({ ok: true });
    expect(seen).toEqual(['/api/v1/invoices/%252e%252e/x', '/api/v1/invoices/INV%2F1/.x']);
  });
});
