// IPv6 spellings that carry an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64, 6to4,
// Teredo, ISATAP). Every allow, deny and range check must judge them by the IPv4 address inside; these
// public addresses are never dialled: the counted connections prove the refusal comes before any.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import fetch from 'node-fetch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, PolicyError } from '../src/errors/index.js';
import { describeEmbedding } from '../src/net/address.js';
import { UrlPolicy, agentFor, classifyAddress } from '../src/net/index.js';
import type { PolicyLookup, Resolver } from '../src/net/index.js';
import { startTestHttpServer } from '../src/testing/index.js';
import type { TestHttpServer } from '../src/testing/index.js';

const DENIED = '93.184.215.14';

/** Spellings of DENIED (0x5db8d70e) in every IPv6 form that carries an IPv4 address. */
const SPELLINGS: ReadonlyArray<readonly [string, string]> = [
  ['IPv4-mapped', '::ffff:5db8:d70e'],
  ['IPv4-compatible', '::5db8:d70e'],
  ['IPv4-translated (SIIT)', '::ffff:0:5db8:d70e'],
  ['NAT64 well-known prefix', '64:ff9b::5db8:d70e'],
  ['NAT64 well-known prefix, dotted', '64:ff9b::93.184.215.14'],
  ['local-use NAT64 with a /48 prefix', '64:ff9b:1:5db8:d7:e00::'],
  ['local-use NAT64 with a /56 prefix', '64:ff9b:1:5d:b8:d70e::'],
  ['local-use NAT64 with a /64 prefix', '64:ff9b:1:0:5d:b8d7:e00:0'],
  ['local-use NAT64 with a /96 prefix', '64:ff9b:1::5db8:d70e'],
  ['6to4', '2002:5db8:d70e::1'],
  ['Teredo (client address inverted)', '2001:0:4136:e378:8000:63bf:a247:28f1'],
  ['ISATAP under a global prefix', '2a00:1450:4001:82b:200:5efe:5db8:d70e'],
];

/** The forms the default policy lets through when the IPv4 inside is public: only a deny entry stops them. */
const OPEN_BY_DEFAULT = new Set([
  '64:ff9b::5db8:d70e',
  '64:ff9b::93.184.215.14',
  '2002:5db8:d70e::1',
  '2a00:1450:4001:82b:200:5efe:5db8:d70e',
]);

// Every TCP connection this process establishes; a socket whose lookup is refused never connects.
let sockets = 0;
const countSocket = (message: unknown): void => {
  (message as { socket: Socket }).socket.once('connect', () => {
    sockets += 1;
  });
};
beforeAll(() => subscribe('net.client.socket', countSocket));
afterAll(() => unsubscribe('net.client.socket', countSocket));
beforeEach(() => {
  sockets = 0;
});

function answering(address: string): Resolver {
  return async () => [{ address, family: address.includes(':') ? 6 : 4 }];
}

function callLookup(lookup: PolicyLookup, hostname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve((addresses as { address: string }[]).map((entry) => entry.address).join(',')),
    );
  });
}

function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(String(response.statusCode)));
      })
      .on('error', reject);
  });
}

const bracketed = (ip: string): string => `http://[${ip}]/`;

describe('--deny-hosts against IPv6 spellings of a denied IPv4 address', () => {
  it.each(SPELLINGS.filter(([, ip]) => OPEN_BY_DEFAULT.has(ip)))(
    'refuses the %s literal %s that the default policy alone lets through, before any socket',
    async (_form, ip) => {
      const url = bracketed(ip);
      const open = new UrlPolicy();
      expect(open.checkUrl(url).hostname).toBe(new URL(url).hostname);
      expect(open.isAddressAllowed(ip)).toBe(true);

      const policy = new UrlPolicy({ denyHosts: [DENIED] });
      expect(() => policy.checkUrl(url)).toThrow(PolicyError);
      expect(() => policy.checkUrl(url)).toThrow(`${DENIED}) is listed in --deny-hosts as ${DENIED}.`);
      expect(policy.isAddressAllowed(ip)).toBe(false);
      await expect(get(url, policy.createAgents().http)).rejects.toBeInstanceOf(PolicyError);
      expect(sockets).toBe(0);
    },
  );

  it.each(SPELLINGS)(
    'refuses a name allowed by --allow-hosts whose DNS answer is the %s form %s',
    async (_form, ip) => {
      const resolve = answering(ip);
      const open = new UrlPolicy({ allowHosts: ['mirror.test'], resolve });
      expect(await callLookup(open.lookup, 'mirror.test')).toBe(ip);

      const policy = new UrlPolicy({ allowHosts: ['mirror.test'], denyHosts: [DENIED], resolve });
      await expect(callLookup(policy.lookup, 'mirror.test')).rejects.toThrow(
        new RegExp(
          `mirror\\.test resolves to ${ip.replace(/\./g, '\\.')} \\(an? [^)]+ ${DENIED.replace(/\./g, '\\.')}\\), which is listed in --deny-hosts as ${DENIED.replace(/\./g, '\\.')}`,
        ),
      );
      await expect(get('http://mirror.test/', policy.createAgents().http)).rejects.toBeInstanceOf(PolicyError);
      expect(sockets).toBe(0);
    },
  );

  it('refuses every RFC 6052 layout of a denied address under a local NAT64 prefix the operator allowed', () => {
    const open = new UrlPolicy({ allowHosts: ['64:ff9b:1::/48'] });
    const policy = new UrlPolicy({ allowHosts: ['64:ff9b:1::/48'], denyHosts: [DENIED] });
    const local = SPELLINGS.filter(([form]) => form.startsWith('local-use')).map(([, ip]) => ip);
    expect(local).toHaveLength(4);
    for (const ip of local) {
      expect(open.isAddressAllowed(ip)).toBe(true);
      expect(policy.isAddressAllowed(ip)).toBe(false);
    }
    expect(policy.isAddressAllowed('64:ff9b:1::5db8:d70f')).toBe(true);
  });

  it('reads a deny entry written in an embedding form as the IPv4 address it carries, in every spelling', () => {
    const policy = new UrlPolicy({ denyHosts: ['64:ff9b::5db8:d70e'] });
    expect(policy.isAddressAllowed(DENIED)).toBe(false);
    expect(policy.isAddressAllowed('2002:5db8:d70e::1')).toBe(false);
    expect(policy.isAddressAllowed('93.184.215.15')).toBe(true);
    const wholeForm = new UrlPolicy({ denyHosts: ['2002::/16'] });
    expect(wholeForm.isAddressAllowed('2002:5db8:d70f::1')).toBe(false);
    expect(wholeForm.isAddressAllowed('93.184.215.15')).toBe(true);
  });
});

describe('redirect hops to IPv6 spellings of a denied address', () => {
  let front: TestHttpServer;
  beforeAll(async () => {
    front = await startTestHttpServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://front').searchParams.get('to') ?? '/';
      response.writeHead(302, { location: target });
      response.end();
    });
  });
  afterAll(async () => {
    await front.close();
  });

  it.each([
    ['a NAT64 literal', bracketed('64:ff9b::5db8:d70e'), undefined],
    ['a 6to4 literal', bracketed('2002:5db8:d70e::1'), undefined],
    ['a name whose DNS answer is 6to4', 'http://cdn.test/', '2002:5db8:d70e::1'],
    ['a name whose DNS answer is NAT64 (DNS64)', 'http://cdn.test/', '64:ff9b::5db8:d70e'],
  ])('refuses a hop to %s after an allowed first hop, before any socket to it', async (_name, location, answer) => {
    const resolve: Resolver = async (hostname) =>
      hostname === 'cdn.test' && answer !== undefined
        ? [{ address: answer, family: 6 }]
        : [{ address: '127.0.0.1', family: 4 }];
    const start = `http://front.test:${front.port}/?to=${encodeURIComponent(location)}`;
    // Without the deny entry the hop's address passes the policy: nothing else stands between it and the host.
    const open = new UrlPolicy({ allowHosts: ['front.test'], resolve });
    expect(open.isAddressAllowed(answer ?? new URL(location).hostname.slice(1, -1))).toBe(true);

    const policy = new UrlPolicy({ allowHosts: ['front.test'], denyHosts: [DENIED], resolve });
    await expect(fetch(policy.checkUrl(start), { agent: agentFor(policy.createAgents()) })).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      message: expect.stringContaining(`is listed in --deny-hosts as ${DENIED}`),
    });
    expect(front.hits).toBeGreaterThan(0);
    // One connection: the allowed first hop. The denied hop never connected.
    expect(sockets).toBe(1);
    front.resetHits();
  });
});

describe('internal addresses hidden inside IPv6 forms', () => {
  it.each([
    ['6to4 of loopback', '2002:7f00:1::1', '6to4:loopback', 'a 6to4 form of a loopback address'],
    [
      '6to4 of the metadata endpoint',
      '2002:a9fe:a9fe::1',
      '6to4:linkLocal',
      'a 6to4 form of a link-local address (a cloud metadata endpoint)',
    ],
    [
      'NAT64 of the metadata endpoint',
      '64:ff9b::a9fe:a9fe',
      'nat64:linkLocal',
      'a NAT64 form of a link-local address (a cloud metadata endpoint)',
    ],
    [
      'local-use NAT64 of the metadata endpoint',
      '64:ff9b:1::a9fe:a9fe',
      'nat64Local',
      'a local-use NAT64 address (a cloud metadata endpoint)',
    ],
    [
      'IPv4-compatible metadata endpoint',
      '::a9fe:a9fe',
      'ipv4Compatible',
      'a deprecated IPv4-compatible address (a cloud metadata endpoint)',
    ],
    ['Teredo with a loopback client', '2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo', 'a Teredo address'],
    [
      'ISATAP of loopback under a global prefix',
      '2a00:1450:4001:82b:0:5efe:7f00:1',
      'isatap:loopback',
      'an ISATAP form of a loopback address',
    ],
    [
      'ISATAP of a private host under a global prefix',
      '2a00:1450:4001:82b:0:5efe:a00:1',
      'isatap:private',
      'an ISATAP form of a private-network address',
    ],
    [
      'ISATAP of the metadata endpoint',
      '2a00:1450:4001:82b:200:5efe:a9fe:a9fe',
      'isatap:linkLocal',
      'an ISATAP form of a link-local address (a cloud metadata endpoint)',
    ],
  ])('refuses %s (%s) as a literal and as a DNS answer', async (_name, ip, range, words) => {
    // The address is global unicast or a plain special-purpose block to a library that does not look inside.
    expect(ipaddr.parse(ip).kind()).toBe('ipv6');
    expect(classifyAddress(ip)).toEqual({ allowed: false, range });
    expect(() => new UrlPolicy().checkUrl(bracketed(ip))).toThrow(
      `${ip} is ${words}; an operator can allow it with --allow-hosts ${ip}.`,
    );
    const policy = new UrlPolicy({ resolve: answering(ip) });
    await expect(callLookup(policy.lookup, 'inner.test')).rejects.toThrow(
      `inner.test resolves to ${ip}, which is ${words}`,
    );
    expect(sockets).toBe(0);
  });

  it('refuses an ISATAP address under a global prefix that ipaddr.js alone calls global unicast', () => {
    expect(ipaddr.parse('2a00:1450:4001:82b:0:5efe:7f00:1').range()).toBe('unicast');
    expect(new UrlPolicy().isAddressAllowed('2a00:1450:4001:82b:0:5efe:7f00:1')).toBe(false);
    expect(new UrlPolicy().isAddressAllowed('2a00:1450:4001:82b:200:5efe:5db8:d70e')).toBe(true);
  });
});

describe('--allow-hosts against the same spellings', () => {
  it('does not let an allowed IPv6 range open loopback, private or metadata addresses spelled inside it', () => {
    // A plain CIDR match puts these inside 2000::/3, "all global IPv6".
    const globalV6 = ipaddr.IPv6.parseCIDR('2000::/3');
    const hidden = ['2002:7f00:1::1', '2002:a9fe:a9fe::1', '2002:a00:1::1', '2001:0:4136:e378:8000:63bf:80ff:fffe'];
    for (const ip of hidden) expect(ipaddr.IPv6.parse(ip).match(globalV6)).toBe(true);

    const policy = new UrlPolicy({ allowHosts: ['2000::/3'] });
    for (const ip of hidden) expect(policy.isAddressAllowed(ip)).toBe(false);
    expect(policy.isAddressAllowed('2a00:1450:4001:82b::200e')).toBe(true);
    expect(() => policy.checkUrl(bracketed('2002:7f00:1::1'))).toThrow(
      '2002:7f00:1::1 is a 6to4 form of a loopback address',
    );
  });

  it.each([
    ['the NAT64 prefix', '64:ff9b::/96', '64:ff9b::a9fe:a9fe'],
    ['the 6to4 prefix', '2002::/16', '2002:a9fe:a9fe::1'],
    ['the IPv4-mapped prefix', '::ffff:0:0/96', '::ffff:a9fe:a9fe'],
    ['the Teredo prefix', '2001::/32', '2001:0:4136:e378:8000:63bf:5601:5601'],
    ['one Teredo server', '2001:0:4136:e378::/64', '2001:0:4136:e378:8000:63bf:5601:5601'],
  ])(
    'rejects %s %s as an allow entry, because it would open every IPv4 address spelled inside it',
    (_name, entry, metadata) => {
      // Matched as IPv6, the entry covers the metadata endpoint spelled in that form.
      const [network, prefix] = ipaddr.IPv6.parseCIDR(entry);
      expect(ipaddr.IPv6.parse(metadata).match(network, prefix)).toBe(true);
      expect(describeEmbedding(metadata)).toBeDefined();
      expect(classifyAddress(metadata).allowed).toBe(false);

      expect(() => new UrlPolicy({ allowHosts: [entry] })).toThrow(ConfigError);
      expect(() => new UrlPolicy({ allowHosts: [entry] })).toThrow(
        `Invalid --allow-hosts entry "${entry}": addresses in this IPv6 form are judged as the IPv4 address they carry; list the IPv4 addresses or ranges to allow instead.`,
      );
      expect(new UrlPolicy({ denyHosts: [entry] }).isAddressAllowed('93.184.215.15')).toBe(true);
    },
  );

  it('judges every spelling of an allowed IPv4 host as that host, and no neighbour or loopback with it', () => {
    const policy = new UrlPolicy({ allowHosts: ['10.0.0.5'] });
    for (const ip of ['10.0.0.5', '::ffff:a00:5', '64:ff9b::a00:5', '2002:a00:5::1'])
      expect(policy.isAddressAllowed(ip)).toBe(true);
    for (const ip of ['10.0.0.6', '64:ff9b::a00:6', '2002:a00:6::1', '64:ff9b::7f00:1', '2002:7f00:1::1']) {
      expect(policy.isAddressAllowed(ip)).toBe(false);
    }
  });

  it('reads an allow entry written in an embedding form as the IPv4 host it carries', () => {
    const policy = new UrlPolicy({ allowHosts: ['2002:a00:5::/48'] });
    expect(policy.isAddressAllowed('10.0.0.5')).toBe(true);
    expect(policy.isAddressAllowed('64:ff9b::a00:5')).toBe(true);
    expect(policy.isAddressAllowed('2002:a00:6::1')).toBe(false);
    expect(new UrlPolicy({ allowHosts: ['64:ff9b::10.0.0.0/104'] }).isAddressAllowed('10.9.9.9')).toBe(true);
  });

  it('lets the deny list win over an allowed IPv4 host spelled in another form', () => {
    const policy = new UrlPolicy({ allowHosts: ['10.0.0.0/8'], denyHosts: ['10.0.0.5'] });
    for (const ip of ['64:ff9b::a00:5', '2002:a00:5::1', '2001:0:4136:e378:8000:63bf:f5ff:fffa'])
      expect(policy.isAddressAllowed(ip)).toBe(false);
    expect(policy.isAddressAllowed('64:ff9b::a00:6')).toBe(true);
  });
});
