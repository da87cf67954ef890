import { BlockList, isIP } from 'node:net';

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
  // IPv4-compatible (with :: and ::1), IPv4-mapped, NAT64 (well-known and local-use), discard, Teredo,
  // documentation, 6to4, ULA, link-local, site-local, multicast
  ['::', 96],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED_V6.addSubnet(net, prefix, 'ipv6');

/**
 * True for any address a webhook must never reach: loopback, private, CGNAT, link-local, reserved, and every
 * IPv6 form that carries an IPv4 address (mapped `::ffff:a9fe:a9fe`, compatible `::a9fe:a9fe`, NAT64
 * `64:ff9b::a9fe:a9fe`), which would otherwise smuggle 169.254.169.254 or 127.0.0.1 past an IPv4 check.
 * Anything that is not an IP address at all counts as blocked.
 */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? BLOCKED_V4.check(address, 'ipv4') : BLOCKED_V6.check(address, 'ipv6');
}

/** Link-local (169.254/16 holds the instance metadata service; fe80::/10), in any IPv6 spelling of it too. */
export function isLinkLocal(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return address.startsWith('169.254.');
  if (family !== 6) return false;
  const groups = ipv6Groups(address);
  if ((groups[0]! & 0xffc0) === 0xfe80) return true;
  const embedded = embeddedIPv4(groups);
  return embedded !== undefined && embedded.startsWith('169.254.');
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIPv4(groups: number[]): string | undefined {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const carries =
    (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) ||
    (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6));
  if (!carries) return undefined;
  return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad allowed). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
