import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/index.js';
import { hostListBlockFor, hostListHasName, parseHostList } from '../src/net/index.js';

describe('parseHostList', () => {
  it('matches host names exactly, ignoring case and a trailing dot', () => {
    const list = parseHostList(['Example.COM.', 'api.internal']);
    expect(hostListHasName(list, 'example.com')).toBe(true);
    expect(hostListHasName(list, 'EXAMPLE.com.')).toBe(true);
    expect(hostListHasName(list, 'api.internal')).toBe(true);
    expect(hostListHasName(list, 'www.example.com')).toBe(false);
    expect(hostListHasName(list, 'example.com.evil.test')).toBe(false);
    expect(hostListHasName(list, 'notexample.com')).toBe(false);
  });

  it('matches a *.domain entry against subdomains only, not the domain itself', () => {
    const list = parseHostList(['*.example.com']);
    expect(hostListHasName(list, 'a.example.com')).toBe(true);
    expect(hostListHasName(list, 'a.b.example.com.')).toBe(true);
    expect(hostListHasName(list, 'example.com')).toBe(false);
    expect(hostListHasName(list, 'badexample.com')).toBe(false);
  });

  it('stores internationalised names in punycode, the form a parsed URL carries', () => {
    const list = parseHostList(['bücher.example']);
    expect(hostListHasName(list, new URL('http://BÜCHER.example/').hostname)).toBe(true);
    expect([...list.names]).toEqual(['xn--bcher-kva.example']);
  });

  it('matches IPv4, IPv6 and bracketed IPv6 literals as single addresses', () => {
    const list = parseHostList(['127.0.0.1', '::1', '[fd00::5]']);
    expect(hostListBlockFor(list, '127.0.0.1')?.source).toBe('127.0.0.1');
    expect(hostListBlockFor(list, '127.0.0.2')).toBeUndefined();
    expect(hostListBlockFor(list, '::1')?.source).toBe('::1');
    expect(hostListBlockFor(list, '0:0:0:0:0:0:0:1')?.source).toBe('::1');
    expect(hostListBlockFor(list, 'fd00::5')?.source).toBe('[fd00::5]');
    expect(hostListBlockFor(list, '[fd00::5]')?.source).toBe('[fd00::5]');
    expect(list.names.size).toBe(0);
  });

  it('matches CIDR ranges of both families', () => {
    const list = parseHostList(['10.0.0.0/8', 'fd00::/8', '[fe80::]/10']);
    expect(hostListBlockFor(list, '10.255.0.1')?.source).toBe('10.0.0.0/8');
    expect(hostListBlockFor(list, '11.0.0.1')).toBeUndefined();
    expect(hostListBlockFor(list, 'fd12::1')?.source).toBe('fd00::/8');
    expect(hostListBlockFor(list, 'fc00::1')).toBeUndefined();
    expect(hostListBlockFor(list, 'fe80::1')?.source).toBe('[fe80::]/10');
  });

  it('matches an IPv4-mapped IPv6 address against the IPv4 entry it maps, and a mapped entry against IPv4', () => {
    const list = parseHostList(['10.0.0.0/8', '::ffff:192.168.0.0/112']);
    expect(hostListBlockFor(list, '::ffff:10.1.2.3')?.source).toBe('10.0.0.0/8');
    expect(hostListBlockFor(list, '::ffff:a01:203')?.source).toBe('10.0.0.0/8');
    expect(hostListBlockFor(list, '192.168.4.5')?.source).toBe('::ffff:192.168.0.0/112');
  });

  it('reads numeric IPv4 spellings as the address a URL would reach', () => {
    const list = parseHostList(['2130706433', '0x0a.1']);
    expect(hostListBlockFor(list, '127.0.0.1')?.source).toBe('2130706433');
    expect(hostListBlockFor(list, '10.0.0.1')?.source).toBe('0x0a.1');
    expect(list.names.size).toBe(0);
  });

  it('splits entries on commas and white space, as an environment variable gives them', () => {
    const list = parseHostList(['a.example, b.example  10.0.0.0/8', '']);
    expect([...list.names]).toEqual(['a.example', 'b.example']);
    expect(list.blocks.map((block) => block.source)).toEqual(['10.0.0.0/8']);
  });

  it.each([
    ['a URL', 'http://example.com'],
    ['a host with a port', 'example.com:8080'],
    ['a host with credentials', 'user@example.com'],
    ['a path', 'example.com/path'],
    ['a bare wildcard', '*'],
    ['an empty wildcard suffix', '*.'],
    ['a wildcard inside a label', 'a*.example.com'],
    ['a wildcard over an IP address', '*.10.0.0.1'],
    ['an empty label', 'a..example.com'],
    ['a label with a leading hyphen', '-bad.example'],
    ['a forbidden character', 'exa$mple.com'],
    ['an IPv4 prefix over 32', '10.0.0.0/33'],
    ['an IPv6 prefix over 128', 'fd00::/129'],
    ['a non-numeric prefix', '10.0.0.0/eight'],
    ['a shorthand CIDR base', '10/8'],
    ['an unterminated bracket', '[::1'],
    ['an out-of-range octet', '256.1.1.1/8'],
  ])('rejects %s with a ConfigError that names the entry', (_label, entry) => {
    expect(() => parseHostList([entry], '--allow-hosts')).toThrow(ConfigError);
    expect(() => parseHostList([entry], '--allow-hosts')).toThrow(`Invalid --allow-hosts entry "${entry}"`);
  });
});
