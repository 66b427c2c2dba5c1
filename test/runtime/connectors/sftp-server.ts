/**
 * A real OpenSSH SFTP server for tests: Debian's /usr/sbin/sshd (installed by
 * .ci/run when missing) on a free loopback port, with a host key and a user
 * key pair generated for it, its own sshd_config, key authentication only,
 * and internal-sftp starting in a folder of its own (`root`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface SftpTestServer {
  port: number;
  username: string;
  /** The folder the SFTP login starts in (paths on the server are relative to it). */
  root: string;
  /** The user's private key (OpenSSH format), as an environment binds it as a secret. */
  privateKey: string;
  /** Another key the server does not accept. */
  otherPrivateKey: string;
  /** The server's host key as a known_hosts entry (`ssh-ed25519 AAAA…`). */
  hostKey: string;
  /** Another host key (what a different server would show). */
  otherHostKey: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function keyPair(dir: string, name: string): Promise<{ privateKey: string; publicKey: string; file: string }> {
  const file = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `ledgerflow-test-${name}`, '-f', file]);
  return { file, privateKey: await readFile(file, 'utf8'), publicKey: (await readFile(`${file}.pub`, 'utf8')).trim() };
}

/** Starts sshd (on `port`, else a free one) and resolves once it listens; `stop()` ends it and removes its folder. */
export async function startSftpServer(options: { port?: number } = {}): Promise<SftpTestServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install Debian's openssh-server (apt-get install -y openssh-server; .ci/run does)`);
  const dir = await mkdtemp(join(tmpdir(), 'lf-sftp-'));
  const root = join(dir, 'root');
  await mkdir(root);
  await mkdir('/run/sshd', { recursive: true }).catch(() => undefined); // privilege separation folder
  const host = await keyPair(dir, 'host_key');
  const otherHost = await keyPair(dir, 'other_host_key');
  const user = await keyPair(dir, 'user_key');
  const other = await keyPair(dir, 'other_user_key');
  await writeFile(join(dir, 'authorized_keys'), `${user.publicKey}\n`, { mode: 0o600 });
  const username = userInfo().username;

  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? await freePort();
    const config = join(dir, 'sshd_config');
    await writeFile(config, [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${host.file}`, `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no',
      `AllowUsers ${username}`, `Subsystem sftp internal-sftp -d ${root}`, `ForceCommand internal-sftp -d ${root}`, 'LogLevel VERBOSE', '',
    ].join('\n'));
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const listening = await new Promise<boolean>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('Server listening')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (!listening) {
      if (attempt < 5 && options.port === undefined && /Address already in use|Bind to port/.test(log)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start: ${log}`);
    }
    return {
      port, username, root, privateKey: user.privateKey, otherPrivateKey: other.privateKey,
      hostKey: host.publicKey, otherHostKey: otherHost.publicKey,
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/** Starts one server for the test file (beforeAll) and stops it after (afterAll); call `server()` inside tests. */
export function sftpServerForFile(): () => SftpTestServer {
  let server: SftpTestServer | undefined;
  beforeAll(async () => {
    server = await startSftpServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}
