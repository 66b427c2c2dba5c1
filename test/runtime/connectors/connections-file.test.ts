import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnectionsFile } from '../../../runtime/connectors/connections-file.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lf-connections-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConnectionsFile', () => {
  it('resolves $env: references from the environment', async () => {
    const path = await file('ok.json', {
      erp: { kind: 'http', baseUrl: 'https://$env:ERP_HOST/api', headers: { Authorization: 'Bearer $env:ERP_TOKEN' }, rateLimitPerSecond: 10 },
      ledger: { kind: 'postgres', url: '$env:LEDGER_URL' },
      store: { kind: 'postgres', url: 'embedded' },
    });
    const bindings = await loadConnectionsFile(path, { ERP_HOST: 'erp.example', ERP_TOKEN: 's3cret', LEDGER_URL: 'postgres://u@db/ledger' });
    expect(bindings).toEqual({
      erp: { kind: 'http', baseUrl: 'https://erp.example/api', headers: { Authorization: 'Bearer s3cret' }, rateLimitPerSecond: 10 },
      ledger: { kind: 'postgres', url: 'postgres://u@db/ledger' },
      store: { kind: 'postgres', url: 'embedded' },
    });
  });

  it('names the missing variable and the connection', async () => {
    const path = await file('missing.json', { erp: { kind: 'http', baseUrl: 'https://x', headers: { Authorization: '$env:NOPE_TOKEN' } } });
    await expect(loadConnectionsFile(path, {})).rejects.toThrow(`connections file ${path}, connection 'erp': environment variable NOPE_TOKEN is not set`);
  });

  it('refuses invalid bindings and unreadable files', async () => {
    await expect(loadConnectionsFile(await file('kind.json', { q: { kind: 'kafka' } }), {})).rejects.toThrow("unknown kind 'kafka'");
    await expect(loadConnectionsFile(await file('url.json', { q: { kind: 'postgres', url: 'oracle://x' } }), {})).rejects.toThrow('postgres://');
    await expect(loadConnectionsFile(await file('bad.json', '{ not json'), {})).rejects.toThrow('could not be read');
    await expect(loadConnectionsFile(join(dir, 'absent.json'), {})).rejects.toThrow('could not be read');
  });
});
