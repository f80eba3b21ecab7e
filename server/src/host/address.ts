// Which addresses the server may call on a host site's behalf: public unicast only, plus the
// ranges the operator names in IMBACHAT_HOST_ALLOWLIST; cloud metadata endpoints never.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** Parsed CIDR ranges that may be called although they are not public (loopback, private…). */
export interface HostAllowlist {
  readonly ranges: ReadonlyArray<readonly [Ip, number]>;
  /** The ranges as the operator wrote them, normalized, for logs and errors. */
  readonly text: string;
}

/** The secure default: nothing but public unicast addresses. */
export const NO_ALLOWLIST: HostAllowlist = { ranges: [], text: '' };

/**
 * Cloud instance-metadata endpoints (AWS, ECS, GCP, Azure wire server, Alibaba, Oracle). They hand
 * out credentials to whoever asks from the machine, so no allowlist opens them: an operator who
 * allows 169.254.0.0/16 for a link-local host must not open the cloud's keys with it.
 */
const METADATA_CIDRS = [
  '169.254.169.254/32',
  '169.254.170.2/32',
  '168.63.129.16/32',
  '100.100.100.200/32',
  '192.0.0.192/32',
  'fd00:ec2::254/128',
  'fd00:ec2::23/128',
].map((c) => ipaddr.parseCIDR(c));

/** Names that reach a metadata endpoint through the cloud's own resolver; refused before any lookup. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
]);

/**
 * Parses "127.0.0.0/8, ::1/128" (comma-separated CIDRs; a bare address means just that address).
 * Throws an Error naming the first entry that is not a range.
 */
export function parseHostAllowlist(text: string | undefined): HostAllowlist {
  const entries = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const ranges: Array<readonly [Ip, number]> = [];
  for (const entry of entries) {
    const cidr = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
    // Strict four-part IPv4 here: "10.1/8" is too easy to misread in a security setting.
    const [addr] = cidr.split('/');
    const strict = addr !== undefined && (addr.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(addr));
    if (!strict || !ipaddr.isValidCIDR(cidr)) {
      throw new Error(`"${entry}" is not a CIDR range such as 127.0.0.0/8 or ::1/128`);
    }
    ranges.push(ipaddr.parseCIDR(cidr));
  }
  return { ranges, text: ranges.map(([ip, bits]) => `${ip.toString()}/${bits}`).join(',') };
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries; every rule applies to that. */
function unwrap(ip: Ip): Ip {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

function inRanges(ip: Ip, ranges: ReadonlyArray<readonly [Ip, number]>): boolean {
  return ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
}

/**
 * Why the server must not connect to this IP address, or null when it may. Only "unicast"
 * (public) addresses pass by themselves; every special range of ipaddr.js (loopback, private,
 * link-local, unique-local, CGNAT, multicast, reserved, unspecified, NAT64, 6to4, Teredo…) needs
 * the allowlist.
 */
export function addressProblem(address: string, allow: HostAllowlist): string | null {
  let parsed: Ip;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return `${address} is not an IP address`;
  }
  const ip = unwrap(parsed);
  if (inRanges(ip, METADATA_CIDRS)) return `${ip.toString()} is a cloud metadata address`;
  const range = ip.range();
  if (range === 'unicast' || inRanges(ip, allow.ranges)) return null;
  return `${ip.toString()} is a ${range} address (allow it with IMBACHAT_HOST_ALLOWLIST)`;
}

/** Host names refused by name, before any lookup. */
export function nameProblem(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return METADATA_NAMES.has(name) ? `${name} is a cloud metadata host name` : null;
}

/**
 * What is wrong with a host URL as configured (http(s), no credentials in it, no literal
 * forbidden address or name), or null. Names are resolved only when called: see client.ts.
 */
export function hostUrlProblem(url: string, allow: HostAllowlist): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an http(s) URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http(s) URL';
  if (u.username || u.password) return 'must not contain a user name or password (use api_login and api_password)';
  // WHATWG parsing has already turned 0xa9fea9fe, 2852039166 and 0251.0376.0251.0376 into dotted form.
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return addressProblem(host, allow);
  const byName = nameProblem(host);
  if (byName) return byName;
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    const loopback = addressProblem('127.0.0.1', allow) && addressProblem('::1', allow);
    return loopback ? `${name} is a loopback name (allow 127.0.0.0/8 with IMBACHAT_HOST_ALLOWLIST)` : null;
  }
  return null;
}
