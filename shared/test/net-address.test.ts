import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../src/net/index.js';

describe('classifyAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.170.2', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['2001:2::1', 'benchmarking'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['100::1', 'discard'],
    ['4000::1', 'reserved'],
    ['::2', 'ipv4Compatible'],
    ['::ffff:127.0.0.1', 'ipv4Mapped:loopback'],
    ['::ffff:7f00:1', 'ipv4Mapped:loopback'],
    ['::ffff:169.254.169.254', 'ipv4Mapped:linkLocal'],
    ['::ffff:10.0.0.1', 'ipv4Mapped:private'],
    ['::ffff:0.0.0.0', 'ipv4Mapped:unspecified'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::5db8:d822', 'ipv4Compatible'],
    ['::93.184.216.34', 'ipv4Compatible'],
    ['::ffff:0:7f00:1', 'rfc6145'],
    ['64:ff9b::7f00:1', 'nat64:loopback'],
    ['64:ff9b::a9fe:a9fe', 'nat64:linkLocal'],
    ['64:ff9b::10.0.0.1', 'nat64:private'],
    ['64:ff9b:1::5db8:d822', 'nat64Local'],
    ['2002:7f00:1::', '6to4:loopback'],
    ['2002:a9fe:a9fe::1', '6to4:linkLocal'],
    ['2002:c0a8:101::', '6to4:private'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:0:5db8:d822::1', 'teredo'],
  ])('refuses %s as %s', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, range });
  });

  it.each([
    ['93.184.216.34', 'unicast'],
    ['8.8.8.8', 'unicast'],
    ['1.1.1.1', 'unicast'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'unicast'],
    ['2a00:1450:4001:82b::200e', 'unicast'],
    ['::ffff:93.184.216.34', 'ipv4Mapped:unicast'],
    ['64:ff9b::5db8:d822', 'nat64:unicast'],
    ['2002:5db8:d822::1', '6to4:unicast'],
  ])('allows the globally routable %s (%s)', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: true, range });
  });

  it.each([
    ['a host name', 'example.com'],
    ['an empty string', ''],
    ['shorthand IPv4 that only a lenient parser accepts', '127.1'],
    ['a decimal IPv4 integer', '2130706433'],
    ['an octal IPv4 form', '0177.0.0.1'],
    ['a hex IPv4 form', '0x7f000001'],
    ['a CIDR', '10.0.0.0/8'],
    ['an out-of-range octet', '256.0.0.1'],
  ])('refuses %s as invalid rather than guess what it means', (_label, ip) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, range: 'invalid' });
  });

  it('accepts a bracketed IPv6 literal as URL host names write it', () => {
    expect(classifyAddress('[::1]')).toEqual({ allowed: false, range: 'loopback' });
    expect(classifyAddress('[2606:2800:220:1:248:1893:25c8:1946]')).toEqual({ allowed: true, range: 'unicast' });
  });
});
