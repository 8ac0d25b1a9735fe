import { promises as dns } from 'node:dns';
import net from 'node:net';
import { badRequest } from '../errors';

/** Resolves a host name to its addresses (injected in tests, so a test never asks real DNS). */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** Where a delivery may connect: the URL and the one address checked and pinned for it. */
export interface Destination {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Ranges a webhook must not reach unless the installation allows them: this host, private networks,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unique-local (fd00:ec2::254),
 * multicast and reserved space. IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are
 * checked as that IPv4 address.
 */
const BLOCKED_V4 = [
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
] as const;
const BLOCKED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const;

const blocked = new net.BlockList();
for (const [a, p] of BLOCKED_V4) blocked.addSubnet(a, p, 'ipv4');
for (const [a, p] of BLOCKED_V6) blocked.addSubnet(a, p, 'ipv6');

export interface GuardOptions {
  resolver?: Resolver;
  /** CIDRs the installation allows although they are private (e.g. `127.0.0.0/8` for tests). */
  allow?: readonly string[];
}

/** The 16 bytes of an IPv6 address (net.isIPv6 has accepted it). */
function v6Bytes(address: string): number[] {
  let s = address.split('%')[0] ?? address;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4tail?.[1]) {
    const p = v4tail[1].split('.').map(Number);
    s = `${s.slice(0, -v4tail[1].length)}${(((p[0] ?? 0) << 8) | (p[1] ?? 0)).toString(16)}:${(((p[2] ?? 0) << 8) | (p[3] ?? 0)).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = Number.parseInt(g || '0', 16);
    return [(n >> 8) & 255, n & 255];
  });
}

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedV4(address: string): string | undefined {
  const b = v6Bytes(address);
  const v4 = (o: number) => b.slice(o, o + 4).join('.');
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 255 && b[11] === 255) return v4(12); // ::ffff:a.b.c.d
  if (zero(0, 12) && !zero(12, 16)) return v4(12); // ::a.b.c.d (deprecated compatible form)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2); // 2002::/16
  return undefined;
}

function inList(list: net.BlockList, address: string, family: 4 | 6): boolean {
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether an address is in a refused range and not in the installation's allowance. */
export function isRefusedAddress(address: string, allow: readonly string[] = []): boolean {
  const family = net.isIPv4(address) ? 4 : net.isIPv6(address) ? 6 : 0;
  if (!family) return true;
  const allowed = allowList(allow);
  const check = (a: string, f: 4 | 6) => inList(blocked, a, f) && !inList(allowed, a, f);
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4 && check(v4, 4)) return true;
  }
  return check(address, family);
}

const allowCache = new Map<string, net.BlockList>();
function allowList(allow: readonly string[]): net.BlockList {
  const key = allow.join(',');
  let list = allowCache.get(key);
  if (!list) {
    list = new net.BlockList();
    for (const cidr of allow) {
      const [a, p] = cidr.split('/');
      if (!a) continue;
      const type = net.isIPv6(a) ? 'ipv6' : 'ipv4';
      list.addSubnet(a, Number(p ?? (type === 'ipv6' ? 128 : 32)), type);
    }
    allowCache.set(key, list);
  }
  return list;
}

/** Checks a URL's form without resolving it: http(s), a host, no credentials. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('The URL is not valid', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badRequest('The URL must start with http:// or https://');
  if (!url.hostname) throw badRequest('The URL has no host');
  if (url.username || url.password) throw badRequest('The URL must not carry a user name or password');
  return url;
}

/**
 * Resolves the destination once and checks every address it resolves to; the delivery then connects
 * to the address checked here (never resolving again), so DNS rebinding between the check and the
 * connection cannot point it elsewhere. Refusal happens before any connection is opened.
 */
export async function resolveDestination(raw: string, opts: GuardOptions = {}): Promise<Destination> {
  const url = parseWebhookUrl(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = net.isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await (opts.resolver ?? systemResolver)(host).catch(() => {
        throw new DestinationRefused(`The host ${host} could not be resolved`);
      });
  if (!addresses.length) throw new DestinationRefused(`The host ${host} could not be resolved`);
  for (const a of addresses) {
    if (isRefusedAddress(a.address, opts.allow))
      throw new DestinationRefused(
        `The destination ${host} resolves to ${a.address}, a private, loopback, link-local or reserved address; an installation administrator can allow it`,
      );
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A destination the guard refused: the delivery fails without a connection. */
export class DestinationRefused extends Error {}
