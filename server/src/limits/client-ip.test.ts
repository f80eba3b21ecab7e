// Which address the per-address buckets charge: the peer, unless it is a trusted proxy.
import { describe, expect, it } from 'vitest';
import { clientAddress, parseCidrList } from './client-ip.ts';

const proxies = parseCidrList('10.0.0.0/8, 127.0.0.1, ::1/128');

describe('client address', () => {
  it('without trusted proxies the peer is the client and X-Forwarded-For is ignored', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', [])).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', '198.51.100.1', [])).toBe('127.0.0.1');
  });

  it('a peer that is not a trusted proxy cannot name another client', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
  });

  it('behind trusted proxies, the rightmost address that is not a proxy is the client; what the client wrote left of it is ignored', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.1, 10.0.0.7', proxies)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', ['6.6.6.6, 198.51.100.1', '10.1.1.1'], proxies)).toBe('198.51.100.1');
  });

  it('garbage in X-Forwarded-For falls back to the last good hop, never to the garbage', () => {
    expect(clientAddress('10.0.0.2', 'not-an-ip, 10.0.0.3', proxies)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', '0x7f.1', proxies)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '', proxies)).toBe('10.0.0.2');
  });

  it('IPv4-mapped IPv6 is the IPv4 address, and IPv6 clients share a bucket per /64', () => {
    expect(clientAddress('::ffff:203.0.113.9', undefined, [])).toBe('203.0.113.9');
    expect(clientAddress('2001:db8:1:2:aaaa::1', undefined, [])).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2:bbbb::2', undefined, [])).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:3::1', undefined, [])).toBe('2001:db8:1:3::/64');
    expect(clientAddress('::ffff:127.0.0.1', '[2001:db8::5]', proxies)).toBe('2001:db8::/64');
  });

  it('an unknown peer (an in-process request) has no address, so only the user is counted', () => {
    expect(clientAddress(undefined, '198.51.100.1', proxies)).toBeNull();
  });
});

describe('IMBACHAT_TRUSTED_PROXIES entries', () => {
  it('accepts CIDRs and bare addresses of both families; an IPv4-mapped range counts as IPv4', () => {
    const [mapped] = parseCidrList('::ffff:10.0.0.0/104');
    expect(mapped![0].kind()).toBe('ipv4');
    expect(mapped![1]).toBe(8);
    expect(parseCidrList(' , ')).toEqual([]);
  });

  it('refuses anything else, naming the entry', () => {
    for (const bad of ['10.0.0.0/33', 'localhost', '0x7f000001', '10.0.0', 'fd00::/129']) {
      expect(() => parseCidrList(`127.0.0.1, ${bad}`)).toThrow(`"${bad}" is not an IP address or CIDR range`);
    }
  });
});
