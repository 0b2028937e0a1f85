import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { embeddedIPv4 } from './embedded.js';
import type { EmbeddingForm } from './embedded.js';

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

/**
 * The address every allow-list and range check judges: for an IPv6 form with a fixed IPv4 destination
 * (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 64:ff9b::/96, 6to4, Teredo) that IPv4 address,
 * otherwise the address itself.
 */
export function judgedAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const address = parseAddress(ip);
  if (address?.kind() !== 'ipv6') return address;
  return embeddedIPv4(address as ipaddr.IPv6)?.destination ?? address;
}

/** The address itself and every IPv4 address it carries in any embedding form, which deny lists all check. */
export function addressesCarried(ip: string): ReadonlyArray<ipaddr.IPv4 | ipaddr.IPv6> {
  const address = parseAddress(ip);
  if (address === undefined) return [];
  if (address.kind() !== 'ipv6') return [address];
  return [address, ...(embeddedIPv4(address as ipaddr.IPv6)?.carried ?? [])];
}

function classifyIPv4(address: ipaddr.IPv4): AddressClassification {
  const range = address.range();
  if (range === 'unicast') return { allowed: true, range };
  if (range === 'reserved') return { allowed: false, range: detail(address, IPV4_RESERVED_DETAIL) ?? range };
  return { allowed: false, range };
}

// Forms whose traffic reaches exactly the IPv4 destination, globally: judged as that address.
const TRANSPARENT_FORMS: ReadonlySet<EmbeddingForm> = new Set(['ipv4Mapped', 'nat64', '6to4']);

function classifyIPv6(address: ipaddr.IPv6): AddressClassification {
  const embedded = embeddedIPv4(address);
  if (embedded !== undefined) {
    if (embedded.destination !== undefined && TRANSPARENT_FORMS.has(embedded.form)) {
      return inside(embedded.form, embedded.destination);
    }
    // Deprecated, local-use or relayed forms (IPv4-compatible, IPv4-translated, local NAT64, Teredo) are
    // never plain global unicast; where the IPv4 address hides, the outer refusal names it.
    if (embedded.form !== 'isatap') return { allowed: false, range: embedded.form };
  }
  const range: string = address.range();
  switch (range) {
    case 'reserved':
      return { allowed: false, range: detail(address, IPV6_RESERVED_DETAIL) ?? range };
    case 'unicast': {
      if (!address.match(IPV6_GLOBAL_UNICAST)) return { allowed: false, range: 'reserved' };
      // An ISATAP host on a global prefix is reached over IPv4 inside its site: an internal address there
      // is an internal host.
      const isatap = embedded?.carried[0];
      if (isatap !== undefined && !classifyIPv4(isatap).allowed) return inside('isatap', isatap);
      return { allowed: true, range };
    }
    default:
      // rfc6052 outside the NAT64 prefixes, orchid, … : not plain global unicast.
      return { allowed: false, range };
  }
}

function inside(outer: string, inner: ipaddr.IPv4): AddressClassification {
  const result = classifyIPv4(inner);
  return { allowed: result.allowed, range: `${outer}:${result.range}` };
}

function detail(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  table: ReadonlyArray<readonly [string, string]>,
): string | undefined {
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
  nat64Local: 'a local-use NAT64 address',
  invalid: 'not a valid IP address',
};

const OUTER_WORDS: Readonly<Record<EmbeddingForm, string>> = {
  ipv4Mapped: 'an IPv4-mapped form of',
  ipv4Compatible: 'an IPv4-compatible form of',
  rfc6145: 'an IPv4-translated form of',
  nat64: 'a NAT64 form of',
  nat64Local: 'a local-use NAT64 form of',
  '6to4': 'a 6to4 form of',
  teredo: 'a Teredo form of',
  isatap: 'an ISATAP form of',
};

/** Words for the form an IPv6 address carries IPv4 in, e.g. "a NAT64 form of"; `undefined` when it carries none. */
export function describeEmbedding(ip: string): string | undefined {
  const address = parseAddress(ip);
  if (address?.kind() !== 'ipv6') return undefined;
  const form = embeddedIPv4(address as ipaddr.IPv6)?.form;
  return form === undefined ? undefined : OUTER_WORDS[form];
}

// Well-known cloud metadata endpoints, named in refusals because they are the classic SSRF prize.
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '169.254.170.2']);

/** Words for a range returned by `classifyAddress`, e.g. "a loopback address" (for refusal messages). */
export function describeRange(range: string, ip?: string): string {
  const [outer, inner] = range.includes(':') ? range.split(':', 2) : [undefined, range];
  const innerWords = RANGE_WORDS[inner ?? ''] ?? 'a special-purpose address';
  const outerWords = outer === undefined ? undefined : (OUTER_WORDS as Readonly<Record<string, string>>)[outer];
  const words = outer === undefined ? innerWords : `${outerWords ?? `a ${outer} form of`} ${innerWords}`;
  const metadata =
    ip !== undefined && addressesCarried(ip).some((address) => METADATA_ADDRESSES.has(address.toString()));
  return metadata ? `${words} (a cloud metadata endpoint)` : words;
}
