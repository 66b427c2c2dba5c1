/**
 * Where HTTP targets may send: never to link-local or cloud-metadata
 * addresses (169.254.0.0/16 — 169.254.169.254 hands out cloud credentials —
 * fe80::/10, Alibaba's 100.100.100.200, AWS's fd00:ec2::254, the
 * `metadata.google.internal` names), checked on the addresses a name
 * resolves to; and, when the installation lists hosts in
 * `LEDGERFLOW_OUTBOUND_HOSTS`, only to those. Loopback and private networks
 * stay allowed by default: local ERPs and tests live there.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** What outbound requests may reach. */
export interface OutboundPolicy {
  /** Host names (`erp.example.com`), `*.example.com` for any subdomain, or IP addresses; null: any host not forbidden. */
  allowedHosts: string[] | null;
}

/** The code of the error a refused destination fails with (as `cause.code` of fetch's TypeError). */
export const OUTBOUND_REFUSED = 'ERR_OUTBOUND_REFUSED';

const forbidden = new BlockList();
forbidden.addSubnet('169.254.0.0', 16, 'ipv4');
forbidden.addAddress('100.100.100.200', 'ipv4');
forbidden.addSubnet('fe80::', 10, 'ipv6');
forbidden.addAddress('fd00:ec2::254', 'ipv6');
const FORBIDDEN_NAMES = /^(metadata|metadata\.google\.internal|metadata\.goog|instance-data(\.ec2\.internal)?)\.?$/i;

/**
 * The policy of this installation: the hosts of `LEDGERFLOW_OUTBOUND_HOSTS`
 * (parsed with the other settings, runtime/settings.ts); none or empty: any host.
 */
export function outboundPolicy(hosts: readonly string[] | undefined): OutboundPolicy {
  const allowed = (hosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  return { allowedHosts: allowed.length ? allowed : null };
}

/** An error like a system one (`code`), which transportError reports as a permanent refusal. */
export function outboundRefused(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: OUTBOUND_REFUSED });
}

/** True for link-local and metadata addresses (IPv4-mapped IPv6 included). */
export function isForbiddenAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return forbidden.check(mapped, 'ipv4');
  const family = isIP(address);
  return family !== 0 && forbidden.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** Why `hostname` may not be called (from its name alone), or null. */
export function hostProblem(hostname: string, policy: OutboundPolicy): string | null {
  const host = bare(hostname);
  if (FORBIDDEN_NAMES.test(host) || isForbiddenAddress(host)) return `${host} is a link-local or cloud-metadata address, which flows may not call`;
  const allowed = policy.allowedHosts;
  if (allowed && !allowed.some((h) => h === host || (h.startsWith('*.') && host.endsWith(h.slice(1))))) {
    return `${host} is not among the hosts this installation may call (LEDGERFLOW_OUTBOUND_HOSTS)`;
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

type Resolver = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for `http.request` that refuses names resolving to a forbidden
 * address; it checks the address actually connected to, so a name that
 * changes its answer between a check and the connection gains nothing.
 */
export function createGuardedLookup(resolve: Resolver = dnsLookup as unknown as Resolver) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad) return callback(outboundRefused(`${hostname} resolves to ${bad.address}, a link-local or cloud-metadata address, which flows may not call`), []);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The guarded lookup over the system resolver. */
export const guardedLookup = createGuardedLookup();

const resolveAll = (hostname: string) => new Promise<LookupAddress[]>((resolve, reject) => {
  dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

/** Throws (as fetch does, a TypeError whose cause has the code) when `url` may not be called. */
export async function checkOutboundUrl(url: URL, policy: OutboundPolicy): Promise<void> {
  const problem = hostProblem(url.hostname, policy);
  if (problem) throw new TypeError('fetch failed', { cause: outboundRefused(problem) });
  if (isIP(bare(url.hostname))) return;
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(bare(url.hostname));
  } catch {
    return; // let the request itself report the resolution failure, as it would have
  }
  const bad = addresses.find((a) => isForbiddenAddress(a.address));
  if (bad) throw new TypeError('fetch failed', { cause: outboundRefused(`${url.hostname} resolves to ${bad.address}, a link-local or cloud-metadata address, which flows may not call`) });
}

/**
 * `fetch` checked against `policy` before each call. For fetch
 * implementations other than the runtime's client: it checks the first URL,
 * not the hops of a redirect it follows.
 */
export function guardFetch(fetchImpl: typeof fetch, policy: OutboundPolicy): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    await checkOutboundUrl(url, policy);
    return fetchImpl(input, init);
  }) as typeof fetch;
}
