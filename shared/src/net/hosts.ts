import { isIP } from 'node:net';
import type ipaddr from 'ipaddr.js';
import { ConfigError } from '../errors/index.js';
import { addressesCarried, judgedAddress, parseAddress } from './address.js';
import { destinationBlock, destinationLayout } from './embedded.js';

/** One IP address or CIDR block of a host list; a single address is a /32 or /128 block. */
export interface AddressBlock {
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefixLength: number;
  /** The entry as the operator wrote it, for messages. */
  readonly source: string;
}

/** Whether a list opens (`allow`) or closes (`deny`) addresses; entries that could only widen an allow list are refused. */
export type HostListUse = 'allow' | 'deny';

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
export function parseHostList(entries: readonly string[], flag = 'host list', use: HostListUse = 'allow'): HostList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const blocks: AddressBlock[] = [];
  // Entries often arrive straight from an env var, so commas and spaces separate them as well.
  for (const entry of entries.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '')) {
    const block = parseBlock(entry, flag, use);
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
    const asAddress = parseBlock(name, flag, use, entry);
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

/**
 * The list's address block that contains `ip` as the policy judges it, if any: an IPv6 form with a fixed
 * IPv4 destination (IPv4-mapped, NAT64, 6to4, Teredo, …) is matched as that IPv4 address. This is how
 * allow lists match, so no IPv6 spelling reaches more than its IPv4 destination is allowed.
 */
export function hostListBlockFor(list: HostList, ip: string): AddressBlock | undefined {
  const address = judgedAddress(ip);
  return address === undefined ? undefined : blockContaining(list, address);
}

/** A deny-list match: the block, and the address it matched (`ip` itself or an IPv4 address carried inside it). */
export interface CarriedMatch {
  readonly block: AddressBlock;
  readonly address: string;
}

/**
 * The list's address block that contains `ip` or any IPv4 address it carries in any embedding form, if
 * any. This is how deny lists match: no spelling of a denied address gets past them.
 */
export function hostListBlockForAny(list: HostList, ip: string): CarriedMatch | undefined {
  for (const address of addressesCarried(ip)) {
    const block = blockContaining(list, address);
    if (block !== undefined) return { block, address: address.toString() };
  }
  return undefined;
}

/** Lower-cases a host name and drops brackets and one trailing dot, the forms under which lists compare names. */
export function normalizeHostName(hostname: string): string {
  const lower = hostname.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

function blockContaining(list: HostList, address: ipaddr.IPv4 | ipaddr.IPv6): AddressBlock | undefined {
  return list.blocks.find(
    (block) => block.network.kind() === address.kind() && address.match(block.network, block.prefixLength),
  );
}

function parseBlock(entry: string, flag: string, use: HostListUse, source = entry): AddressBlock | undefined {
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
  if (parsed.kind() === 'ipv4') return { network: parsed, prefixLength, source };
  // A block written in an embedding form is the IPv4 block it carries, since addresses in those forms are
  // judged as their IPv4 destination.
  const v6 = parsed as ipaddr.IPv6;
  const asIPv4 = destinationBlock(v6, prefixLength);
  if (asIPv4 !== undefined) return { ...asIPv4, source };
  const layout = destinationLayout(v6);
  // A block that lies inside such a form without fixing any bit of the IPv4 address (64:ff9b::/96,
  // 2002::/16): on a deny list it refuses the whole form; on an allow list it would match nothing, and
  // reading it as "every IPv4 address" would open loopback and metadata to anyone who spells them so.
  if (use === 'allow' && layout !== undefined && prefixLength >= layout.formPrefix) {
    throw new ConfigError(
      `Invalid ${flag} entry "${source}": addresses in this IPv6 form are judged as the IPv4 address they carry; list the IPv4 addresses or ranges to allow instead.`,
    );
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
