/** Issue 12 point 7: link-local and metadata addresses are refused; an installation may list the only hosts it calls. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transportError } from '../../../nodes/target/http-errors.ts';
import { createHttpClient, runtimeFetch } from '../../../runtime/connectors/http-client.ts';
import { createGuardedLookup, guardFetch, hostProblem, isForbiddenAddress, OUTBOUND_REFUSED, outboundPolicy } from '../../../runtime/connectors/outbound-policy.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/redirect')) return void res.writeHead(307, { location: new URL(req.url, 'http://x').searchParams.get('to')! }).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => { throw new Error('expected a refusal'); }, (e: { cause?: { code?: string; message: string } }) => e);
  expect(err.cause?.code).toBe(OUTBOUND_REFUSED);
  return err.cause!.message;
}

describe('outbound policy', () => {
  it.each(['169.254.169.254', '169.254.0.1', '::ffff:169.254.169.254', 'fe80::1', 'FE80::abcd', '100.100.100.200', 'fd00:ec2::254'])('%s is forbidden', (a) => {
    expect(isForbiddenAddress(a)).toBe(true);
  });
  it.each(['127.0.0.1', '::1', '10.0.0.5', '192.168.1.1', '8.8.8.8', '2001:db8::1', 'not-an-ip'])('%s is not', (a) => {
    expect(isForbiddenAddress(a)).toBe(false);
  });

  it('names of metadata services and link-local literals are refused; an allow-list admits only its hosts', () => {
    const open = outboundPolicy(undefined);
    expect(open.allowedHosts).toBeNull();
    for (const h of ['metadata.google.internal', 'METADATA', '169.254.169.254', '[fe80::1]']) expect(hostProblem(h, open)).toMatch(/link-local or cloud-metadata/);
    expect(hostProblem('localhost', open)).toBeNull();
    const listed = outboundPolicy([' erp.example.com', '*.bank.example ', '10.0.0.5']);
    expect(listed.allowedHosts).toEqual(['erp.example.com', '*.bank.example', '10.0.0.5']);
    for (const h of ['erp.example.com', 'ERP.example.com', 'api.bank.example', '10.0.0.5']) expect(hostProblem(h, listed), h).toBeNull();
    for (const h of ['bank.example', 'evil.example', 'erp.example.com.evil.example', '127.0.0.1']) expect(hostProblem(h, listed), h).toMatch(/LEDGERFLOW_OUTBOUND_HOSTS/);
    expect(hostProblem('169.254.169.254', { allowedHosts: ['169.254.169.254'] })).toMatch(/cloud-metadata/);
  });

  it('the runtime client refuses link-local addresses, directly or through a redirect, and still reaches loopback', async () => {
    const client = createHttpClient();
    try {
      expect(await refusal(client.fetch('http://169.254.169.254/latest/meta-data/iam/'))).toMatch(/169\.254\.169\.254/);
      expect(await refusal(client.fetch('http://[fe80::1]:8080/'))).toMatch(/fe80::1/);
      expect(await refusal(client.fetch(`${base}/redirect?to=http://169.254.169.254/latest`, { method: 'POST', body: 'x' }))).toMatch(/cloud-metadata/);
      expect(await (await client.fetch(`${base}/ok`)).text()).toBe('ok');
    } finally {
      client.destroy();
    }
  });

  it('a name resolving to a forbidden address is refused when connecting (the address connected to is checked)', async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'rebind.example': [{ address: '10.0.0.9', family: 4 }, { address: '169.254.169.254', family: 4 }],
      'erp.example': [{ address: '10.0.0.9', family: 4 }],
    };
    const lookup = createGuardedLookup((host, _o, cb) => cb(null, answers[host]));
    const ask = (host: string, all: boolean) => new Promise<{ err: (Error & { code?: string }) | null; address: unknown }>((resolve) => lookup(host, { all }, (err, address) => resolve({ err, address })));
    const refused = await ask('rebind.example', false);
    expect(refused.err?.code).toBe(OUTBOUND_REFUSED);
    expect(refused.err?.message).toMatch(/rebind\.example resolves to 169\.254\.169\.254/);
    expect(await ask('erp.example', false)).toEqual({ err: null, address: '10.0.0.9' });
    expect((await ask('erp.example', true)).address).toEqual(answers['erp.example']);
  });

  it('with LEDGERFLOW_OUTBOUND_HOSTS set, the runtime fetch (either client) reaches only the listed hosts', async () => {
    for (const client of [undefined, 'fetch'] as const) {
      const f = runtimeFetch({ outboundHosts: ['erp.example.com'], client });
      expect(await refusal(f(`${base}/ok`))).toMatch(/not among the hosts/);
      const allowed = runtimeFetch({ outboundHosts: ['127.0.0.1'], client });
      expect((await allowed(`${base}/ok`)).status).toBe(200);
    }
    expect(await refusal(guardFetch(fetch, { allowedHosts: null })('http://metadata.google.internal/computeMetadata/v1/'))).toMatch(/metadata/);
  });

  it('a refused destination is a permanent error for the HTTP target, not a retry', async () => {
    const err = await createHttpClient().fetch('http://169.254.169.254/').catch((e: unknown) => e);
    const flowError = transportError('POST http://169.254.169.254/', err, 'post', false, 1000);
    expect(flowError.errorClass).toBe('permanent');
    expect(flowError.message).toMatch(/was not sent: .*cloud-metadata/);
  });
});
