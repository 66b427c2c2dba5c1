/**
 * SFTP connections (ssh2-sftp-client over ssh2): key authentication with the
 * private key the environment binds as a secret, and the server's host key
 * checked against the known host key in the connection's settings before
 * anything is sent. Every error names the connection and quotes the cause with
 * the key and passphrase replaced by `***`; refused, reset and timed-out
 * connections are transient (retried), a wrong key or host key is permanent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import type { SftpConnection, SftpEntry, SftpSession } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';
import { redact } from '../../nodes/secret-redaction.ts';

export interface SftpBinding {
  kind: 'sftp';
  host: string;
  port?: number;
  username: string;
  /** OpenSSH or PEM private key text (a secret: `{{secret:key}}`, `$env:NAME`). */
  privateKey: string;
  passphrase?: string;
  /**
   * The server's known host key: `ssh-ed25519 AAAA…` (a known_hosts or .pub line; a leading host name is
   * allowed) or its fingerprint `SHA256:…` as `ssh-keygen -lf` prints it.
   */
  hostKey: string;
  /** How long connecting and authenticating may take; default 20 s. */
  readyTimeoutMs?: number;
}

/** What is wrong with an SFTP binding's settings, or null. */
export function sftpBindingProblem(name: string, b: Record<string, unknown>): string | null {
  if (typeof b.host !== 'string' || b.host === '') return `connection '${name}' needs a host`;
  if (b.port !== undefined && !(Number.isInteger(b.port) && (b.port as number) > 0 && (b.port as number) < 65536)) return `connection '${name}': port must be 1 to 65535`;
  if (typeof b.username !== 'string' || b.username === '') return `connection '${name}' needs a username`;
  if (typeof b.privateKey !== 'string' || b.privateKey === '') return `connection '${name}' needs a privateKey (a secret)`;
  if (b.passphrase !== undefined && typeof b.passphrase !== 'string') return `connection '${name}': passphrase must be text`;
  if (typeof b.hostKey !== 'string' || knownHostKey(b.hostKey) === null) {
    return `connection '${name}' needs hostKey, the server's known host key ('ssh-ed25519 AAAA…' or 'SHA256:…'): a server is never trusted unseen`;
  }
  return null;
}

type KnownKey = { blob: Buffer } | { sha256: string };

/** The key blob of `ssh-ed25519 AAAA… [comment]` (a host name may come first), or a SHA256 fingerprint. */
function knownHostKey(text: string): KnownKey | null {
  const trimmed = text.trim();
  const fingerprint = /^SHA256:([A-Za-z0-9+/]+=*)$/.exec(trimmed);
  if (fingerprint) return { sha256: fingerprint[1].replace(/=+$/, '') };
  const words = trimmed.split(/\s+/);
  const at = words.findIndex((w) => /^(ssh-|ecdsa-|sk-)/.test(w));
  const base64 = at >= 0 ? words[at + 1] : undefined;
  if (!base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return null;
  return { blob: Buffer.from(base64, 'base64') };
}

const fingerprintOf = (blob: Buffer) => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

function hostKeyMatches(known: KnownKey, blob: Buffer): boolean {
  return 'blob' in known ? known.blob.equals(blob) : fingerprintOf(blob) === `SHA256:${known.sha256}`;
}

const TRANSIENT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|timed out|Timed out|No response from server|connection lost|Connection lost/;

/** An SFTP connection named `name`; `secretValues` are hidden from every message. */
export function createSftpConnection(name: string, binding: SftpBinding, secretValues: readonly string[] = []): SftpConnection {
  const port = binding.port ?? 22;
  const where = `connection '${name}' (sftp ${binding.username}@${binding.host}:${port})`;
  const hidden = [...new Set([binding.privateKey, binding.passphrase ?? '', ...secretValues])].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  const known = knownHostKey(binding.hostKey);

  const fail = (doing: string, err: unknown, errorClass?: 'transient' | 'permanent'): FlowError => {
    if (err instanceof FlowError) return err;
    const raw = err instanceof Error ? err.message : String(err);
    const message = redact(`${where}: ${doing} failed: ${raw.replace(/^\w+: (getConnection: )?/, '')}`, hidden);
    return new FlowError(errorClass ?? (TRANSIENT.test(raw) ? 'transient' : 'permanent'), message, { field: name });
  };

  return {
    async open(signal) {
      if (!known) throw new FlowError('permanent', `${where}: hostKey is not a known host key`, { field: name });
      const client = new SftpClient(`ledgerflow:${name}`);
      let offered: Buffer | undefined;
      try {
        signal?.throwIfAborted();
        await client.connect({
          host: binding.host,
          port,
          username: binding.username,
          privateKey: binding.privateKey,
          ...(binding.passphrase ? { passphrase: binding.passphrase } : {}),
          readyTimeout: binding.readyTimeoutMs ?? 20_000,
          retries: 0,
          hostVerifier: (key: Buffer) => {
            offered = key;
            return hostKeyMatches(known, key);
          },
        });
      } catch (err) {
        await client.end().catch(() => undefined);
        if (offered && !hostKeyMatches(known, offered)) {
          throw new FlowError('permanent', `${where}: the server's host key ${fingerprintOf(offered)} is not the connection's known host key; nothing was sent`, { field: name });
        }
        const raw = err instanceof Error ? err.message : String(err);
        if (/authentication methods failed/i.test(raw)) {
          throw fail('signing in', new Error(`the server refused the key for user '${binding.username}' (${raw.replace(/^\w+: (getConnection: )?/, '')})`), 'permanent');
        }
        throw fail('connecting', err);
      }
      return session(client);
    },
  };

  function session(client: SftpClient): SftpSession {
    return {
      async list(dir) {
        try {
          const entries = await client.list(dir);
          return entries.map((e): SftpEntry => ({
            name: e.name,
            type: e.type === '-' ? 'file' : e.type === 'd' ? 'directory' : 'other',
            size: e.size,
            modifiedMs: e.modifyTime,
          }));
        } catch (err) {
          throw fail(`listing '${dir}'`, err);
        }
      },
      async *read(path) {
        let stream: NodeJS.ReadableStream;
        try {
          stream = client.createReadStream(path);
        } catch (err) {
          throw fail(`reading '${path}'`, err);
        }
        try {
          for await (const chunk of stream) yield chunk as Uint8Array;
        } catch (err) {
          throw fail(`reading '${path}'`, err);
        } finally {
          // A reader that stopped early (the parser done, the run cancelled) leaves reads in flight; their
          // late error ('No response from server' when the session closes) must not go unhandled.
          stream.on('error', () => undefined);
        }
      },
      async writeAtomically(path, data) {
        const temp = posix.join(posix.dirname(path), `.${posix.basename(path)}.${randomUUID()}.part`);
        try {
          await client.put(Buffer.from(data), temp);
          // posix-rename@openssh.com replaces an existing file at once; plain SFTP rename refuses to.
          await client.posixRename(temp, path);
        } catch (err) {
          await client.delete(temp, true).catch(() => undefined);
          throw fail(`writing '${path}'`, err);
        }
      },
      async rename(from, to) {
        try {
          await client.posixRename(from, to);
        } catch (err) {
          throw fail(`moving '${from}' to '${to}'`, err);
        }
      },
      async ensureDir(dir) {
        try {
          if (!(await client.exists(dir))) await client.mkdir(dir, true);
        } catch (err) {
          throw fail(`creating folder '${dir}'`, err);
        }
      },
      async close() {
        await client.end().catch(() => undefined);
      },
    };
  }
}
