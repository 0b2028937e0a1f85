import { isIP } from 'node:net';
import type ipaddr from 'ipaddr.js';
import { ConfigError } from '../errors/index.js';
import { parseAddress, parseUnmappedAddress } from './address.js';

/** One IP address or CIDR block of a host list; a single address is a /32 or /128 block. */
export interface AddressBlock {
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefixLength: number;
  /** The entry as the operator wrote it, for messages. */
  readonly source: string;
}

/** A parsed `--allow-hosts` / `--deny-hosts` list. */
export interface HostList {
  /** Exact host names: lower case, IDNs in punycode, no trailing dot. */
  readonly names: ReadonlySet<string>;
  /** `*.example.com` entries, stored as `.example.com`: they match subdomains only. */
  readonly suffixes: readonly string[];
  readonly blocks: readonly AddressBlock[];
}

// Characters that would make the URL parser below read an entry as something other than a bare host.
const NOT_A_HOST = /[\s/\\:@?#[\]%]/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

/** Parses operator host-list entries (names, `*.domain`, IP literals, CIDRs); throws ConfigError naming a bad entry. */
export function parseHostList(entries: readonly string[], flag = 'host list'): HostList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const blocks: AddressBlock[] = [];
  // Entries often arrive straight from an env var, so commas and spaces separate them as well.
  for (const entry of entries.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '')) {
    const block = parseBlock(entry, flag);
    if (block !== undefined) {
      blocks.push(block);
      continue;
    }
    if (entry.startsWith('*.')) {
      const name = parseName(entry.slice(2));
      if (name === undefined || isIP(name) !== 0) throw invalid(entry, flag);
      suffixes.push(`.${name}`);
      continue;
    }
    const name = parseName(entry);
    if (name === undefined) throw invalid(entry, flag);
    // The URL parser turns "2130706433" or "0x7f.1" into a dotted quad; such an entry means that address.
    const asAddress = parseBlock(name, flag, entry);
    if (asAddress !== undefined) blocks.push(asAddress);
    else names.add(name);
  }
  return { names, suffixes, blocks };
}

/** Whether a host name is on the list, exactly or as a subdomain of a `*.` entry. */
export function hostListHasName(list: HostList, hostname: string): boolean {
  const name = normalizeHostName(hostname);
  return list.names.has(name) || list.suffixes.some((suffix) => name.endsWith(suffix));
}

/** The list's address block that contains `ip`, if any (IPv4-mapped IPv6 is matched as IPv4). */
export function hostListBlockFor(list: HostList, ip: string): AddressBlock | undefined {
  const address = parseUnmappedAddress(ip);
  if (address === undefined) return undefined;
  return list.blocks.find(
    (block) => block.network.kind() === address.kind() && address.match(block.network, block.prefixLength),
  );
}

/** Lower-cases a host name and drops brackets and one trailing dot, the forms under which lists compare names. */
export function normalizeHostName(hostname: string): string {
  const lower = hostname.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

function parseBlock(entry: string, flag: string, source = entry): AddressBlock | undefined {
  const slash = entry.indexOf('/');
  const addressPart = unbracket(slash === -1 ? entry : entry.slice(0, slash));
  if (isIP(addressPart) === 0) {
    if (slash !== -1) throw invalid(source, flag);
    return undefined;
  }
  const prefixPart = slash === -1 ? undefined : entry.slice(slash + 1);
  const parsed = parseAddress(addressPart);
  if (parsed === undefined) throw invalid(source, flag);
  const maxPrefix = parsed.kind() === 'ipv4' ? 32 : 128;
  const prefixLength = prefixPart === undefined ? maxPrefix : Number(prefixPart);
  if (prefixPart !== undefined && !/^\d{1,3}$/.test(prefixPart)) throw invalid(source, flag);
  if (prefixLength > maxPrefix) throw invalid(source, flag);
  // An IPv4-mapped block is the IPv4 block it maps; addresses are compared after the same conversion.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && prefixLength >= 96) {
    return { network: (parsed as ipaddr.IPv6).toIPv4Address(), prefixLength: prefixLength - 96, source };
  }
  return { network: parsed, prefixLength, source };
}

function parseName(entry: string): string | undefined {
  if (entry === '' || NOT_A_HOST.test(entry) || entry.includes('*')) return undefined;
  let hostname: string;
  try {
    // The WHATWG host parser gives the same lower-casing, IDNA and IPv4 normalisation a request URL gets.
    hostname = new URL(`http://${entry}/`).hostname;
  } catch {
    return undefined;
  }
  const name = normalizeHostName(hostname);
  if (isIP(name) !== 0) return name;
  return name.split('.').every((label) => LABEL.test(label)) ? name : undefined;
}

function unbracket(value: string): string {
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
}

function invalid(entry: string, flag: string): ConfigError {
  return new ConfigError(
    `Invalid ${flag} entry "${entry}": expected a host name, *.domain, IP address or CIDR range such as 10.0.0.0/8.`,
  );
}
