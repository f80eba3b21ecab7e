// Which network address a request comes from, for the per-address buckets: the socket's peer,
// or, only behind proxies the operator names (IMBACHAT_TRUSTED_PROXIES), X-Forwarded-For.
import ipaddr from 'ipaddr.js';

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "10.0.0.0/8, ::1/128"; a bare address means that one address. Throws with the entry that is wrong. */
export function parseCidrList(text: string): Cidr[] {
  const out: Cidr[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const withMask = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
    const v4 = ipaddr.IPv4.isValidCIDRFourPartDecimal(withMask);
    if (!v4 && !(ipaddr.IPv6.isValidCIDR(withMask) && withMask.includes(':'))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8)`);
    }
    let [addr, bits] = ipaddr.parseCIDR(withMask);
    // Peers are compared as IPv4 once unmapped, so a mapped range is kept as its IPv4 range.
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      [addr, bits] = [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    out.push([addr, bits]);
  }
  return out;
}

/** An address in one strict form (dotted IPv4, IPv6; IPv4-mapped IPv6 as IPv4), or null. */
function parseAddress(s: string | undefined): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!s) return null;
  const t = s.trim().replace(/^\[(.*)\]$/, '$1');
  // Only the plain forms: "0x7f.1" and friends are valid to ipaddr.js but never written by a proxy.
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return ipaddr.IPv4.parse(t);
  if (t.includes(':') && ipaddr.IPv6.isValid(t)) {
    const v6 = ipaddr.IPv6.parse(t);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return null;
}

function inAny(addr: ipaddr.IPv4 | ipaddr.IPv6, ranges: Cidr[]): boolean {
  return ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

/**
 * The key of the client's address. X-Forwarded-For is read only when the peer is a trusted proxy:
 * walking it from the right (each proxy appends who connected to it), the first address that is
 * not a trusted proxy is the client; what stands left of it was written by the client and is
 * ignored. IPv6 clients are grouped by /64, the block one subscriber gets. Null when the peer is
 * unknown (an in-process request), so only the per-user buckets apply.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: Cidr[]): string | null {
  let client = parseAddress(peer);
  if (!client) return peer ? peer.slice(0, 64) : null;
  if (trusted.length && inAny(client, trusted) && forwardedFor) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parseAddress(hops[i]);
      // Garbage can only come from the client's side of the chain: keep the last good hop.
      if (!hop) break;
      client = hop;
      if (!inAny(hop, trusted)) break;
    }
  }
  return keyOf(client);
}

function keyOf(a: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (a.kind() === 'ipv4') return a.toString();
  const p = (a as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([p[0]!, p[1]!, p[2]!, p[3]!, 0, 0, 0, 0]).toRFC5952String()}/64`;
}
