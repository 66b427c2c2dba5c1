/** The address a request comes from, as sign-in throttling counts it (runtime/app/sign-in.ts). */
import type { Context } from 'hono';

const isLoopback = (a: string) => a === '::1' || a.startsWith('127.') || a === '::ffff:127.0.0.1';

/**
 * The caller's address: the socket's peer; behind a proxy on the same
 * machine (peer is loopback), the address that proxy appended to
 * `X-Forwarded-For`. A remote client cannot choose its key by sending the header.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const peer = env?.incoming?.socket?.remoteAddress;
  const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  if (!peer) return forwarded ?? 'local';
  return isLoopback(peer) && forwarded ? forwarded : peer;
}
