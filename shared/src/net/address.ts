import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** How the default policy sees one IP address: `range` names the special-purpose block it falls in. */
export interface AddressClassification {
  readonly allowed: boolean;
  /**
   * `unicast` for globally routable addresses, otherwise the block's name (`loopback`, `private`,
   * `linkLocal`, `uniqueLocal`, …). IPv6 forms that embed an IPv4 address read `outer:inner`, for
   * example `ipv4Mapped:loopback` or `6to4:private`.
   */
  readonly range: string;
}

// ipaddr.js lumps these into `reserved`; they are split out only so that refusals name them precisely.
const IPV4_RESERVED_DETAIL: ReadonlyArray<readonly [string, string]> = [
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['198.18.0.0/15', 'benchmarking'],
];
const IPV6_RESERVED_DETAIL: ReadonlyArray<readonly [string, string]> = [
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
];

// RFC 4291 global unicast; everything outside it is special-purpose or unassigned.
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');
// The deprecated IPv4-compatible block (RFC 4291 §2.5.5.1); ipaddr.js reports it as plain unicast.
const IPV6_IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
// Only the well-known NAT64 prefix has a fixed place for the IPv4 address (RFC 6052 §2.2).
const IPV6_NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** Classifies an IP address under the default policy: only globally routable unicast is allowed. */
export function classifyAddress(ip: string): AddressClassification {
  const address = parseAddress(ip);
  if (address === undefined) return { allowed: false, range: 'invalid' };
  return address.kind() === 'ipv4' ? classifyIPv4(address as ipaddr.IPv4) : classifyIPv6(address as ipaddr.IPv6);
}

/** Parses a canonical IPv4 or IPv6 literal (brackets and zone allowed); `undefined` for anything else. */
export function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // ipaddr.js also accepts shorthand IPv4 ("127.1", "2130706433"); anything that is not a strict literal
  // must not be classified here, because the caller would then connect to whatever a resolver makes of it.
  const family = isIP(bare);
  if (family === 0) return undefined;
  try {
    if (family === 4) return ipaddr.parse(bare);
    // ipaddr.js reads "::a.b.c.d" as IPv4-mapped, but it is IPv4-compatible (::7f00:1 for ::127.0.0.1);
    // the WHATWG host parser writes every IPv6 address in hex first, exactly as the socket will see it.
    const zone = bare.indexOf('%');
    const canonical = new URL(`http://[${zone === -1 ? bare : bare.slice(0, zone)}]/`).hostname.slice(1, -1);
    return ipaddr.parse(canonical);
  } catch {
    return undefined;
  }
}

/** Like `parseAddress`, but an IPv4-mapped IPv6 address comes back as the IPv4 address it maps. */
export function parseUnmappedAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const address = parseAddress(ip);
  if (address?.kind() !== 'ipv6') return address;
  const v6 = address as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

function classifyIPv4(address: ipaddr.IPv4): AddressClassification {
  const range = address.range();
  if (range === 'unicast') return { allowed: true, range };
  if (range === 'reserved') return { allowed: false, range: detail(address, IPV4_RESERVED_DETAIL) ?? range };
  return { allowed: false, range };
}

function classifyIPv6(address: ipaddr.IPv6): AddressClassification {
  const range: string = address.range();
  switch (range) {
    case 'ipv4Mapped':
      return embedded(range, address.toIPv4Address());
    case 'rfc6052':
      return address.match(IPV6_NAT64_WELL_KNOWN) ? embedded('nat64', lowIPv4(address)) : { allowed: false, range: 'nat64' };
    case '6to4': {
      const [, high = 0, low = 0] = address.parts;
      return embedded(range, new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]));
    }
    case 'reserved':
      return { allowed: false, range: detail(address, IPV6_RESERVED_DETAIL) ?? range };
    case 'unicast':
      if (address.match(IPV6_IPV4_COMPATIBLE)) return { allowed: false, range: 'ipv4Compatible' };
      if (!address.match(IPV6_GLOBAL_UNICAST)) return { allowed: false, range: 'reserved' };
      return { allowed: true, range };
    default:
      // Teredo (the client address is obfuscated and the relay is someone else's), rfc6145, orchid, … :
      // not plain global unicast, and where an IPv4 address hides inside we cannot say where it leads.
      return { allowed: false, range };
  }
}

function embedded(outer: string, inner: ipaddr.IPv4): AddressClassification {
  const result = classifyIPv4(inner);
  return { allowed: result.allowed, range: `${outer}:${result.range}` };
}

function lowIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const high = address.parts[6] ?? 0;
  const low = address.parts[7] ?? 0;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function detail(address: ipaddr.IPv4 | ipaddr.IPv6, table: ReadonlyArray<readonly [string, string]>): string | undefined {
  for (const [cidr, name] of table) {
    const [network, prefix] = ipaddr.parseCIDR(cidr);
    if (network.kind() === address.kind() && address.match(network, prefix)) return name;
  }
  return undefined;
}

const RANGE_WORDS: Readonly<Record<string, string>> = {
  unicast: 'a globally routable address',
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  private: 'a private-network address',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a unique-local address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  ipv4Compatible: 'a deprecated IPv4-compatible address',
  teredo: 'a Teredo address',
  rfc6145: 'an IPv4-translated address',
  deprecatedSiteLocal: 'a deprecated site-local address',
  discard: 'a discard-only address',
  nat64: 'a NAT64 address',
  invalid: 'not a valid IP address',
};

const OUTER_WORDS: Readonly<Record<string, string>> = {
  ipv4Mapped: 'an IPv4-mapped form of',
  nat64: 'a NAT64 form of',
  '6to4': 'a 6to4 form of',
};

// Well-known cloud metadata endpoints, named in refusals because they are the classic SSRF prize.
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '169.254.170.2']);

/** Words for a range returned by `classifyAddress`, e.g. "a loopback address" (for refusal messages). */
export function describeRange(range: string, ip?: string): string {
  const [outer, inner] = range.includes(':') ? range.split(':', 2) : [undefined, range];
  const innerWords = RANGE_WORDS[inner ?? ''] ?? 'a special-purpose address';
  const words = outer === undefined ? innerWords : `${OUTER_WORDS[outer] ?? `a ${outer} form of`} ${innerWords}`;
  const canonical = ip === undefined ? undefined : parseAddress(ip)?.toString();
  return canonical !== undefined && METADATA_ADDRESSES.has(canonical) ? `${words} (a cloud metadata endpoint)` : words;
}
