import { isIP } from 'node:net';
import { ConfigError, InvalidArgumentError, PolicyError } from '../errors/index.js';
import { classifyAddress, describeEmbedding, describeRange, parseAddress } from './address.js';
import { createPolicyAgents } from './agents.js';
import { displayUrl } from './display.js';
import type { PolicyAgentOptions, PolicyAgents } from './agents.js';
import { hostListBlockFor, hostListBlockForAny, hostListHasName, normalizeHostName, parseHostList } from './hosts.js';
import type { HostList } from './hosts.js';
import { createPolicyLookup, systemResolver } from './lookup.js';
import type { PolicyLookup, Resolver } from './lookup.js';

/** Options of a `UrlPolicy`, usually straight from the `--allow-hosts` / `--deny-hosts` flags. */
export interface UrlPolicyOptions {
  /** Host names, `*.domain`, IP literals and CIDRs that may be reached even when the default policy refuses them. */
  readonly allowHosts?: readonly string[];
  /** Host names, `*.domain`, IP literals and CIDRs that are always refused, even when also allowed. */
  readonly denyHosts?: readonly string[];
  /** URL schemes that may be fetched, without the colon; default `http` and `https`. */
  readonly allowedSchemes?: readonly string[];
  /** Resolves host names at connect time; default the system resolver (`dns.lookup`). */
  readonly resolve?: Resolver;
}

type Verdict =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string; readonly allowWith?: string };

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * The outbound-request policy of the fetch and browser servers. `checkUrl` decides what can be decided
 * from the URL alone; `lookup` and the agents decide on the address each connection actually uses.
 */
export class UrlPolicy {
  readonly #allow: HostList;
  readonly #deny: HostList;
  readonly #schemes: ReadonlySet<string>;
  readonly #resolve: Resolver;

  /** The connect-time check as a `dns.lookup`-compatible function; refuses a name if any of its addresses is refused. */
  readonly lookup: PolicyLookup;

  constructor(options: UrlPolicyOptions = {}) {
    this.#allow = parseHostList(options.allowHosts ?? [], '--allow-hosts', 'allow');
    this.#deny = parseHostList(options.denyHosts ?? [], '--deny-hosts', 'deny');
    this.#schemes = parseSchemes(options.allowedSchemes ?? ['http', 'https']);
    this.#resolve = options.resolve ?? systemResolver;
    this.lookup = this.#lookupFor(undefined);
  }

  /** Parses a URL and refuses it when its scheme, host name or IP-literal host is not allowed; returns the parsed URL. */
  checkUrl(url: string | URL): URL {
    const parsed = parseUrl(url);
    const shown = displayUrl(parsed);
    const scheme = parsed.protocol.slice(0, -1);
    if (!this.#schemes.has(scheme)) {
      const allowed = [...this.#schemes].map((name) => `${name}:`).join(', ');
      throw new PolicyError(
        `Refused ${shown}: the ${scheme}: scheme is not allowed; only ${allowed} URLs can be fetched.`,
      );
    }
    const host = normalizeHostName(parsed.hostname);
    if (host === '') return parsed;
    const verdict = this.#hostVerdict(host);
    if (!verdict.allowed) throw new PolicyError(refusalMessage(shown, verdict));
    return parsed;
  }

  /** Whether a connection to `ip` (reached under `hostname`, if given) is allowed: deny lists first, then allow lists, then the default policy. */
  isAddressAllowed(ip: string, hostname?: string): boolean {
    return this.#verdict(ip, hostname).allowed;
  }

  /** Creates http and https agents that apply this policy to every connection they open, redirect hops included. */
  createAgents(options?: PolicyAgentOptions): PolicyAgents {
    return createPolicyAgents(
      {
        refuseAddress: (ip, target) => {
          const verdict = this.#verdict(ip, undefined);
          return verdict.allowed ? undefined : new PolicyError(refusalMessage(`a connection to ${target}`, verdict));
        },
        lookupFor: (target) => this.#lookupFor(target),
      },
      options,
    );
  }

  #lookupFor(target: string | undefined): PolicyLookup {
    return createPolicyLookup(this.#resolve, (ip, hostname) => {
      const verdict = this.#verdict(ip, hostname);
      if (verdict.allowed) return undefined;
      return new PolicyError(refusalMessage(`a connection to ${target ?? hostname}`, verdict));
    });
  }

  // What can be known from the host alone: literals are decided now, names only when denied or when they
  // are localhost names. Those are loopback by definition (RFC 6761), and Chromium answers `*.localhost`
  // itself without asking DNS, so a connect-time check would never see them.
  #hostVerdict(host: string): Verdict {
    if (isIP(host) !== 0) return this.#verdict(host, undefined);
    if (hostListHasName(this.#deny, host)) return { allowed: false, reason: `${host} is listed in --deny-hosts` };
    if (host === 'localhost' || host.endsWith('.localhost')) return this.#verdict('127.0.0.1', host);
    return { allowed: true };
  }

  #verdict(ip: string, hostname: string | undefined): Verdict {
    const name = hostname === undefined ? undefined : normalizeHostName(hostname);
    const byName = name !== undefined && isIP(name) === 0 ? name : undefined;
    const subject = byName === undefined ? ip : `${byName} resolves to ${ip}, which`;
    if (byName !== undefined && hostListHasName(this.#deny, byName)) {
      return { allowed: false, reason: `${byName} is listed in --deny-hosts` };
    }
    // Deny lists are matched on every IPv4 address the IP carries, allow lists on the one it is judged as.
    const denied = hostListBlockForAny(this.#deny, ip);
    if (denied !== undefined) {
      const shown = `${ip}${carriedWords(ip, denied.address)}`;
      const who = byName === undefined ? shown : `${byName} resolves to ${shown}, which`;
      return { allowed: false, reason: `${who} is listed in --deny-hosts as ${denied.block.source}` };
    }
    if (byName !== undefined && hostListHasName(this.#allow, byName)) return { allowed: true };
    if (hostListBlockFor(this.#allow, ip) !== undefined) return { allowed: true };
    const { allowed, range } = classifyAddress(ip);
    if (allowed) return { allowed: true };
    return { allowed: false, reason: `${subject} is ${describeRange(range, ip)}`, allowWith: byName ?? ip };
  }
}

// " (a NAT64 form of 93.184.215.14)" when the denied address was found inside another spelling.
function carriedWords(ip: string, matched: string): string {
  if (parseAddress(ip)?.toString() === matched) return '';
  return ` (${describeEmbedding(ip) ?? 'carrying'} ${matched})`;
}

function refusalMessage(what: string, verdict: Extract<Verdict, { allowed: false }>): string {
  const hint =
    verdict.allowWith === undefined ? '' : `; an operator can allow it with --allow-hosts ${verdict.allowWith}`;
  return `Refused ${what}: ${verdict.reason}${hint}.`;
}

function parseUrl(url: string | URL): URL {
  const text = typeof url === 'string' ? url : url.href;
  try {
    return new URL(text);
  } catch {
    throw new InvalidArgumentError(
      `"${displayUrl(text)}" is not a valid absolute URL; give one such as https://example.com/.`,
    );
  }
}

function parseSchemes(schemes: readonly string[]): ReadonlySet<string> {
  const result = new Set<string>();
  for (const entry of schemes) {
    const scheme = entry.trim().toLowerCase().replace(/:$/, '');
    if (!SCHEME.test(scheme)) throw new ConfigError(`Invalid URL scheme "${entry}": expected a name such as https.`);
    result.add(scheme);
  }
  if (result.size === 0)
    throw new ConfigError('The list of allowed URL schemes is empty; name at least one, such as https.');
  return result;
}
