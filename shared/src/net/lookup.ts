import { promises as dnsPromises } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';

/** One address a resolver returned. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** What a resolver is asked: `family` 0 means either. */
export interface ResolveOptions {
  readonly family: 0 | 4 | 6;
  readonly hints?: number | undefined;
}

/** Resolves a host name to every address it has; injectable so tests can play a rebinding DNS server. */
export type Resolver = (hostname: string, options: ResolveOptions) => Promise<readonly ResolvedAddress[]>;

/** The callback of `dns.lookup`, in both its single-address and `all: true` shapes. */
export type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `dns.lookup`-compatible function, usable as the `lookup` option of net, tls, http and https. */
export interface PolicyLookup {
  (hostname: string, callback: LookupCallback): void;
  (hostname: string, options: number | LookupOptions, callback: LookupCallback): void;
}

/** Decides on one resolved address; returns the refusal to report, or `undefined` when it is allowed. */
export type AddressGate = (ip: string, hostname: string) => Error | undefined;

/** The operating system's resolver (`dns.lookup`, getaddrinfo), asked for every address. */
export const systemResolver: Resolver = (hostname, { family, hints }) =>
  dnsPromises.lookup(hostname, { all: true, family, ...(hints === undefined ? {} : { hints }) });

/** Builds a `dns.lookup`-compatible function that refuses the name when any resolved address fails the gate. */
export function createPolicyLookup(resolve: Resolver, gate: AddressGate): PolicyLookup {
  function lookup(
    hostname: string,
    optionsOrCallback: number | LookupOptions | LookupCallback,
    maybeCallback?: LookupCallback,
  ): void {
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    if (typeof callback !== 'function') throw new TypeError('lookup needs a callback function.');
    const options: LookupOptions =
      typeof optionsOrCallback === 'number'
        ? { family: optionsOrCallback }
        : typeof optionsOrCallback === 'object' && optionsOrCallback !== null
          ? optionsOrCallback
          : {};
    const family = familyOf(options.family);
    // Callbacks run on their own tick, as with dns.lookup, so that a throw inside one is not swallowed
    // by this promise chain and never calls the callback a second time.
    resolve(hostname, { family, hints: options.hints }).then(
      (addresses) => {
        // Every address is checked, not only the one returned: with `all: true` (happy eyeballs) the socket
        // may try any of them, and a resolver that mixes a public and a private answer is itself suspect.
        for (const { address } of addresses) {
          const refusal = gate(address, hostname);
          if (refusal !== undefined) return process.nextTick(callback, refusal, '');
        }
        const usable = family === 0 ? addresses : addresses.filter((entry) => entry.family === family);
        const first = usable[0];
        if (first === undefined) return process.nextTick(callback, notFound(hostname), '');
        if (options.all === true) {
          return process.nextTick(
            callback,
            null,
            usable.map(({ address, family: addressFamily }) => ({ address, family: addressFamily })),
          );
        }
        return process.nextTick(callback, null, first.address, first.family);
      },
      (error: unknown) => {
        process.nextTick(callback, error instanceof Error ? error : new Error(String(error)), '');
      },
    );
  }
  return lookup;
}

function familyOf(family: LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname,
  });
}
