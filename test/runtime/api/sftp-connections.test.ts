/**
 * SFTP connections through the API: the private key is a secret of the named
 * connection, bound per environment, encrypted at rest and never returned;
 * written in clear it is refused; a run's resolver decrypts it and signs in
 * to a real OpenSSH server with it, checking the known host key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { createEnvironmentConnections } from '../../../runtime/connectors/environment-connections.ts';
import { createHarness, type Harness } from './harness.ts';
import { startSftpServer, type SftpTestServer } from '../connectors/sftp-server.ts';

let h: Harness;
let server: SftpTestServer;
beforeAll(async () => {
  server = await startSftpServer();
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
  await server?.stop();
});

const settings = () => ({ host: '127.0.0.1', port: server.port, username: server.username, privateKey: '{{secret:key}}', hostKey: server.hostKey });
const keyLine = () => server.privateKey.split('\n')[1];

describe('SFTP connections per environment', { timeout: 120_000 }, () => {
  it('keeps the key as an encrypted secret, refuses it in clear, and signs in with it for a run', async () => {
    const clear = await h.call('admin', 'PUT', '/api/connections/test/bank', { kind: 'sftp', settings: { ...settings(), privateKey: server.privateKey } });
    expect(clear.status).toBe(422);
    expect(JSON.stringify(await clear.json())).toContain('privateKey is a credential');
    const noHostKey = await h.call('admin', 'PUT', '/api/connections/test/bank', { kind: 'sftp', settings: { ...settings(), hostKey: undefined }, secrets: { key: server.privateKey } });
    expect(noHostKey.status).toBe(422);

    const saved = await h.json('admin', 'PUT', '/api/connections/test/bank', { kind: 'sftp', settings: settings(), secrets: { key: server.privateKey } });
    expect(saved).toMatchObject({ environment: 'test', name: 'bank', kind: 'sftp', secretNames: ['key'] });
    const listed = await (await h.call('admin', 'GET', '/api/connections?environment=test')).text();
    expect(listed).not.toContain(keyLine());
    const { rows } = await h.store.sql.query<{ secrets: Record<string, string> }>(`select secrets from connections where name = 'bank'`);
    expect(JSON.stringify(rows)).not.toContain(keyLine());

    const connections = createEnvironmentConnections({ database: h.database, secrets: createSecretBox(h.secretKey) });
    const resolver = await connections.connectionsFor('test', { connections: { bank: { kind: 'sftp' } } });
    const session = await resolver.sftp!('bank').open();
    expect(Array.isArray(await session.list('.'))).toBe(true);
    await session.close();
    // Bound in test only: prod has no such connection.
    const prod = await connections.connectionsFor('prod', { connections: { bank: { kind: 'sftp' } } });
    expect(() => prod.sftp!('bank')).toThrow(/connection 'bank' is not configured for this environment/);
  });
});
