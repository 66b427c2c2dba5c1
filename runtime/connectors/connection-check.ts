/**
 * "Test connection": reaches the system a stored connection points at with its
 * real settings and secrets, and says in one sentence whether it answered.
 * Postgres and MySQL run `select 1`; HTTP sends a GET to the base URL with the
 * fixed headers; brokers and SFTP open a session and close it. Messages never
 * carry a secret value (the connectors redact them).
 */
import { FlowError } from '../../nodes/errors.ts';
import { probeBroker, type BrokerBinding } from './brokers.ts';
import type { ClosableConnectionResolver, ConnectionBinding } from './connection-registry.ts';
import { httpFetch } from './http-client.ts';
import { probeSmtp } from './smtp.ts';

export interface ConnectionCheck {
  ok: boolean;
  message: string;
}

const TIMEOUT_MS = 15_000;

/** `text` with every secret value (of four characters or more) replaced by •••. */
export function hide(text: string, secrets: readonly string[] = []): string {
  return secrets.filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join('•••'), text);
}

async function withTimeout<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(name: string, binding: ConnectionBinding, resolver: ClosableConnectionResolver): Promise<string> {
  switch (binding.kind) {
    case 'postgres':
    case 'mysql': {
      await resolver.sql(name).query('select 1');
      return binding.url === 'embedded' ? 'The embedded database answered.' : 'The database answered.';
    }
    case 'http': {
      const http = resolver.http(name);
      const res = await httpFetch(http.baseUrl, { method: 'GET', headers: http.headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 401 || res.status === 403) throw new Error(`${http.baseUrl} refused the credentials (HTTP ${res.status})`);
      if (res.status >= 500) throw new Error(`${http.baseUrl} answered with a server error (HTTP ${res.status})`);
      return `${http.baseUrl} answered HTTP ${res.status}.`;
    }
    case 'amqp':
    case 'nats':
      await probeBroker(name, binding as BrokerBinding);
      return `The ${binding.kind === 'amqp' ? 'AMQP' : 'NATS'} broker accepted the connection.`;
    case 'sftp': {
      const session = await resolver.sftp!(name).open();
      await session.close();
      return 'The SFTP server accepted the key and the host key matched.';
    }
    case 'smtp':
      return probeSmtp(binding);
  }
}

function urlPassword(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}

/** The secret values a binding carries (its secrets, a database URL's password): never shown in a message. */
export const bindingSecrets = (binding: ConnectionBinding): string[] =>
  [...('secretValues' in binding ? binding.secretValues ?? [] : []), ...(binding.kind === 'postgres' || binding.kind === 'mysql' ? urlPassword(binding.url) : [])];

/** Tries connection `name` (bound to `binding` in `resolver`); never throws. */
export async function checkConnection(name: string, binding: ConnectionBinding, resolver: ClosableConnectionResolver): Promise<ConnectionCheck> {
  const secrets = bindingSecrets(binding);
  try {
    return { ok: true, message: await withTimeout(`connection '${name}'`, probe(name, binding, resolver)) };
  } catch (err) {
    const raw = err instanceof FlowError || err instanceof Error ? err.message : String(err);
    return { ok: false, message: hide(raw, secrets) };
  } finally {
    await resolver.close().catch(() => undefined);
  }
}
