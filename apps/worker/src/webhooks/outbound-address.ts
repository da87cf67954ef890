import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for webhook URLs. A tenant chooses the URL, so without this a webhook could reach the
 * instance metadata service (169.254.169.254), Redis on localhost or anything on the VPC.
 * The check runs at send time against the address DNS returned, and the request then connects to that
 * pinned address: a name that re-resolves to 10.0.0.5 between check and connect (DNS rebinding) cannot win.
 */
export interface OutboundPolicy {
  /** Allow `http:` URLs (local development only). @defaultValue false */
  allowHttp: boolean;
  /** Host names or IPs exempt from the address check (local development only), e.g. 127.0.0.1, localhost. */
  allowHosts: string[];
}

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export class OutboundUrlRejected extends Error {
  override readonly name = 'OutboundUrlRejected';
}

// Two lists: Node matches IPv4 addresses against IPv6 rules too (as ::ffff:a.b.c.d), so one list with
// ::ffff:0:0/96 would block every IPv4 address.
const BLOCKED_V4 = new BlockList();
const BLOCKED_V6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED_V4.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  // unspecified, loopback, IPv4-mapped, NAT64, discard, documentation, 6to4, ULA, link-local, site-local, multicast
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED_V6.addSubnet(net, prefix, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? BLOCKED_V4.check(address, 'ipv4') : BLOCKED_V6.check(address, 'ipv6');
}

/** Validates the URL and resolves it to one address that passes the policy, or throws OutboundUrlRejected. */
export async function resolveTarget(
  raw: string,
  policy: OutboundPolicy,
  resolve: (host: string) => Promise<Array<{ address: string; family: number }>> = (host) =>
    lookup(host, { all: true, verbatim: true }),
): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlRejected('the webhook URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new OutboundUrlRejected(`webhook URLs must use https (got ${url.protocol})`);
  }
  if (url.username || url.password) throw new OutboundUrlRejected('webhook URLs must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = policy.allowHosts.map((h) => h.toLowerCase()).includes(host);
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  // Every address must pass: a name with one public and one private address is refused outright.
  if (addresses.length === 0) throw new OutboundUrlRejected('the webhook host did not resolve');
  if (!allowed && addresses.some((a) => isBlockedAddress(a.address))) {
    throw new OutboundUrlRejected('the webhook host resolves to a private, loopback or reserved address');
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
