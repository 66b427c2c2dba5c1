/**
 * The SFTP connector against a real OpenSSH server: key authentication, the
 * known host key checked before anything is sent, atomic writes, and errors
 * that name the connection and never carry the key.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindingProblem, createConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { connectionProblems } from '../../../runtime/connectors/environment-connections.ts';
import type { FlowError } from '../../../nodes/errors.ts';
import { sftpServerForFile, type SftpTestServer } from './sftp-server.ts';

const sftp = sftpServerForFile();
let server: SftpTestServer;
beforeAll(() => {
  server = sftp();
});

const binding = (over: Record<string, unknown> = {}) => ({
  kind: 'sftp' as const, host: '127.0.0.1', port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey, ...over,
});
const connect = (over: Record<string, unknown> = {}) => createConnectionResolver({ bank: binding(over) as never }).sftp!('bank');

async function failure(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (err) {
    return err as FlowError;
  }
  throw new Error('expected a failure');
}

/** The base64 body of a private key, which no message may carry in any part. */
const keyBody = (key: string) => key.split('\n').filter((l) => l && !l.startsWith('-----'));

describe('SFTP connector (real OpenSSH server)', { timeout: 120_000 }, () => {
  it('lists, reads, writes atomically (replacing a file at once) and renames', async () => {
    await writeFile(join(server.root, 'hello.txt'), 'hello');
    const session = await connect().open();
    try {
      const listed = await session.list('.');
      expect(listed.find((e) => e.name === 'hello.txt')).toMatchObject({ type: 'file', size: 5 });
      const chunks: Uint8Array[] = [];
      for await (const c of session.read('hello.txt')) chunks.push(c);
      expect(Buffer.concat(chunks).toString()).toBe('hello');
      await session.ensureDir('out/nested');
      await session.writeAtomically('out/nested/a.xml', '<a>1</a>');
      await session.writeAtomically('out/nested/a.xml', '<a>2</a>');
      expect(await readFile(join(server.root, 'out/nested/a.xml'), 'utf8')).toBe('<a>2</a>');
      // No temp file left behind.
      expect(await readdir(join(server.root, 'out/nested'))).toEqual(['a.xml']);
      await session.rename('hello.txt', 'out/hello.txt');
      expect(await readdir(join(server.root, 'out'))).toContain('hello.txt');
    } finally {
      await session.close();
    }
  });

  it('the host key may be given as its SHA256 fingerprint', async () => {
    const { execFileSync } = await import('node:child_process');
    const fingerprint = execFileSync('ssh-keygen', ['-lf', '-'], { input: server.hostKey }).toString().split(' ')[1];
    const session = await connect({ hostKey: fingerprint }).open();
    await session.close();
  });

  it('a wrong key fails naming the connection and the user, permanently, without the key', async () => {
    const err = await failure(connect({ privateKey: server.otherPrivateKey }).open());
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toMatch(new RegExp(`^connection 'bank' \\(sftp ${server.username}@127\\.0\\.0\\.1:${server.port}\\): signing in failed: the server refused the key for user '${server.username}'`));
    for (const line of [...keyBody(server.otherPrivateKey), ...keyBody(server.privateKey)]) expect(err.message).not.toContain(line.slice(0, 20));
  });

  it('a server showing another host key is refused before anything is sent', async () => {
    const err = await failure(connect({ hostKey: server.otherHostKey }).open());
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toMatch(/^connection 'bank' \(sftp .*\): the server's host key SHA256:\S+ is not the connection's known host key; nothing was sent$/);
  });

  it('an unreachable server fails transiently, naming the connection', async () => {
    const { createServer } = await import('node:net');
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const err = await failure(connect({ port: closed }).open());
    expect(err.errorClass).toBe('transient');
    expect(err.message).toMatch(new RegExp(`^connection 'bank' \\(sftp .*@127\\.0\\.0\\.1:${closed}\\): connecting failed: .*ECONNREFUSED`));
    for (const line of keyBody(server.privateKey)) expect(err.message).not.toContain(line.slice(0, 20));
  });

  it('settings: a host key is required, the key must be a secret reference', () => {
    expect(bindingProblem('bank', { ...binding(), hostKey: undefined })).toMatch(/needs hostKey, the server's known host key/);
    expect(bindingProblem('bank', binding())).toBeNull();
    const problems = connectionProblems('bank', 'sftp', { host: 'h', username: 'u', privateKey: server.privateKey, hostKey: server.hostKey }, []);
    expect(problems).toContainEqual({ path: '/settings/privateKey', message: 'privateKey is a credential: put the value in secrets and write {{secret:<name>}} in its place' });
    expect(connectionProblems('bank', 'sftp', { host: 'h', username: 'u', privateKey: '{{secret:key}}', hostKey: server.hostKey }, ['key'])).toEqual([]);
  });
});
