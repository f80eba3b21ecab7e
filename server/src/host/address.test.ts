// The address policy on its own: which literal addresses, numeric forms and names a host URL may
// name, and what IMBACHAT_HOST_ALLOWLIST opens. No traffic: these addresses are never dialled.
import { describe, expect, it } from 'vitest';
import { NO_ALLOWLIST, addressProblem, hostUrlProblem, parseHostAllowlist } from './address.ts';

describe('addresses a host call may not reach without the allowlist', () => {
  const forbidden: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['192.168.1.1', /private/],
    ['169.254.1.1', /linkLocal/],
    ['fe80::1', /linkLocal/],
    ['fd12:3456::1', /uniqueLocal/],
    ['100.64.0.1', /carrierGradeNat/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['169.254.169.254', /metadata/],
    ['fd00:ec2::254', /metadata/],
    ['100.100.100.200', /metadata/],
    ['168.63.129.16', /metadata/],
    // IPv4-mapped IPv6 carries the IPv4 address, and every rule applies to that.
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:a9fe:a9fe', /metadata/],
    // NAT64 and 6to4 embed an IPv4 address a gateway would reach.
    ['64:ff9b::a9fe:a9fe', /rfc6052/],
    ['2002:a9fe:a9fe::', /6to4/],
  ];
  for (const [address, why] of forbidden) {
    it(`${address} is refused (${why.source})`, () => {
      expect(addressProblem(address, NO_ALLOWLIST)).toMatch(why);
    });
  }

  it('public unicast addresses pass', () => {
    for (const address of ['8.8.8.8', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(addressProblem(address, NO_ALLOWLIST), address).toBeNull();
    }
  });
});

describe('users_info_url as configured (the widgets file and the CLI share this check)', () => {
  it('refuses http://169.254.169.254/…, [fd00:ec2::254], 0xa9fea9fe and metadata.google.internal', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://0xa9fea9fe/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
    ]) {
      expect(hostUrlProblem(url, NO_ALLOWLIST), url).toMatch(/metadata/);
    }
  });

  it('refuses every numeric spelling of the metadata address: decimal, hex, octal, short, trailing dot, IPv4-mapped', () => {
    for (const url of [
      'http://2852039166/',
      'http://0xA9.0xFE.0xA9.0xFE/',
      'http://0251.0376.0251.0376/',
      'http://169.254.43518/',
      'http://169.254.169.254./',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'https://METADATA.Google.Internal./',
      'http://metadata/',
    ]) {
      expect(hostUrlProblem(url, NO_ALLOWLIST), url).toMatch(/metadata/);
    }
  });

  it('refuses loopback and private literals and localhost, and non-http(s) URLs or URLs with credentials', () => {
    for (const url of ['http://127.0.0.1:8080/u', 'http://0x7f000001/', 'http://127.1/', 'http://[::1]/', 'http://10.0.0.8/u', 'http://localhost:3000/u', 'http://a.localhost/u']) {
      expect(hostUrlProblem(url, NO_ALLOWLIST), url).toMatch(/IMBACHAT_HOST_ALLOWLIST/);
    }
    expect(hostUrlProblem('ftp://shop.example/u', NO_ALLOWLIST)).toMatch(/http\(s\)/);
    expect(hostUrlProblem('file:///etc/passwd', NO_ALLOWLIST)).toMatch(/http\(s\)/);
    expect(hostUrlProblem('not a url', NO_ALLOWLIST)).toMatch(/http\(s\)/);
    expect(hostUrlProblem('https://bot:secret@shop.example/u', NO_ALLOWLIST)).toMatch(/user name or password/);
  });

  it('accepts public URLs and names (names are checked by their resolved address at request time)', () => {
    for (const url of ['https://shop.example/chat/users', 'http://8.8.8.8/u', 'https://[2606:4700::1111]/u', 'https://users.internal.example/u']) {
      expect(hostUrlProblem(url, NO_ALLOWLIST), url).toBeNull();
    }
  });
});

describe('IMBACHAT_HOST_ALLOWLIST', () => {
  it('opens exactly the ranges it names: 127.0.0.0/8 opens 127.0.0.1 (also IPv4-mapped) and localhost, not ::1 or 10.0.0.1', () => {
    const allow = parseHostAllowlist('127.0.0.0/8');
    expect(addressProblem('127.0.0.1', allow)).toBeNull();
    expect(addressProblem('127.9.9.9', allow)).toBeNull();
    expect(addressProblem('::ffff:127.0.0.1', allow)).toBeNull();
    expect(addressProblem('::1', allow)).toMatch(/loopback/);
    expect(addressProblem('10.0.0.1', allow)).toMatch(/private/);
    expect(hostUrlProblem('http://localhost:3000/u', allow)).toBeNull();
    expect(hostUrlProblem('http://[::1]:3000/u', parseHostAllowlist('::1/128'))).toBeNull();
  });

  it('never opens a cloud metadata address, even when it allows everything', () => {
    const everything = parseHostAllowlist('0.0.0.0/0, ::/0');
    expect(addressProblem('10.0.0.1', everything)).toBeNull();
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254']) {
      expect(addressProblem(address, everything), address).toMatch(/metadata/);
    }
    expect(hostUrlProblem('http://metadata.google.internal/', everything)).toMatch(/metadata/);
  });

  it('parses comma-separated CIDRs and bare addresses, with spaces and empty entries', () => {
    expect(parseHostAllowlist(' 127.0.0.0/8 , ::1/128,,10.0.0.5 ').text).toBe('127.0.0.0/8,::1/128,10.0.0.5/32');
    expect(parseHostAllowlist('').ranges).toEqual([]);
    expect(parseHostAllowlist(undefined).ranges).toEqual([]);
  });

  it('a bad CIDR is an error naming the entry', () => {
    for (const bad of ['10.0.0.0/33', 'abc', '10.1/8', '0x7f000001/32', '::1/129', '127.0.0.0/']) {
      expect(() => parseHostAllowlist(`127.0.0.0/8,${bad}`), bad).toThrow(`"${bad}" is not a CIDR range`);
    }
  });
});
