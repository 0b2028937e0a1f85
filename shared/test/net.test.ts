import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, InvalidArgumentError, PolicyError } from '../src/errors/index.js';
import { UrlPolicy, agentFor, classifyAddress } from '../src/net/index.js';
import type { PolicyAgents, Resolver } from '../src/net/index.js';
import { startTestHttpServer } from '../src/testing/index.js';
import { plainLookup } from './net-helpers.js';
import type { TestHttpServer } from '../src/testing/index.js';

const SECRET = 'the secret behind the firewall';

type SecretServer = TestHttpServer;

function startSecretServer(host: '127.0.0.1' | '::1'): Promise<SecretServer> {
  return startTestHttpServer((_request, response) => response.end(SECRET), host);
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

function get(url: string, options: http.RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

// What the fetch server does: check the URL, then request it through the policy agents.
async function guardedGet(policy: UrlPolicy, agents: PolicyAgents, url: string): Promise<Reply> {
  const checked = policy.checkUrl(url);
  return get(checked.href, { agent: agentFor(agents)(checked) });
}

// A resolver that answers every name with fixed addresses, standing in for a DNS server we control.
function answering(...addresses: string[]): Resolver {
  return async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

// Resolves absolute names as most glibc systems do; this sandbox's resolver does not answer `localhost.`.
const absoluteNameResolver: Resolver = (hostname, { family }) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname.replace(/\.$/, ''), { all: true, family }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

let v4: SecretServer;
let v6: SecretServer;

beforeAll(async () => {
  v4 = await startSecretServer('127.0.0.1');
  v6 = await startSecretServer('::1');
});

afterAll(async () => {
  await v4.close();
  await v6.close();
});

beforeEach(() => {
  v4.resetHits();
  v6.resetHits();
});

interface LoopbackCase {
  readonly url: (port: number) => string;
  readonly server: () => SecretServer;
  /** Whether the URL alone gives the target away (literals, localhost names); other names are caught at connect time. */
  readonly refusedByCheckUrl: boolean;
  readonly resolve?: Resolver;
}

const LOOPBACK_CORPUS: ReadonlyArray<readonly [string, LoopbackCase]> = [
  ['dotted IPv4 127.0.0.1', { url: (p) => `http://127.0.0.1:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['decimal IPv4 2130706433', { url: (p) => `http://2130706433:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['octal IPv4 0177.0.0.1', { url: (p) => `http://0177.0.0.1:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  [
    'zero-padded IPv4 127.000.000.001',
    { url: (p) => `http://127.000.000.001:${p}/`, server: () => v4, refusedByCheckUrl: true },
  ],
  ['hex IPv4 0x7f000001', { url: (p) => `http://0x7f000001:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['dotted hex IPv4 0x7f.0.0.1', { url: (p) => `http://0x7f.0.0.1:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['short IPv4 127.1', { url: (p) => `http://127.1:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['IPv4 with a trailing dot', { url: (p) => `http://127.0.0.1.:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  [
    'percent-encoded IPv4 host',
    { url: (p) => `http://%31%32%37.0.0.1:${p}/`, server: () => v4, refusedByCheckUrl: true },
  ],
  [
    'full-width digits IPv4 host',
    { url: (p) => `http://１２７.０.０.１:${p}/`, server: () => v4, refusedByCheckUrl: true },
  ],
  [
    'credentials that look like a host',
    { url: (p) => `http://example.com@127.0.0.1:${p}/`, server: () => v4, refusedByCheckUrl: true },
  ],
  [
    'a backslash that hides the real host',
    { url: (p) => `http://127.0.0.1:${p}\\@example.com/`, server: () => v4, refusedByCheckUrl: true },
  ],
  [
    'IPv4-mapped IPv6 [::ffff:127.0.0.1]',
    { url: (p) => `http://[::ffff:127.0.0.1]:${p}/`, server: () => v4, refusedByCheckUrl: true },
  ],
  [
    'IPv4-mapped IPv6 in hex [::ffff:7f00:1]',
    { url: (p) => `http://[::ffff:7f00:1]:${p}/`, server: () => v4, refusedByCheckUrl: true },
  ],
  ['unspecified IPv4 0.0.0.0', { url: (p) => `http://0.0.0.0:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['unspecified IPv4 written 0', { url: (p) => `http://0:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['unspecified IPv6 [::]', { url: (p) => `http://[::]:${p}/`, server: () => v6, refusedByCheckUrl: true }],
  ['loopback IPv6 [::1]', { url: (p) => `http://[::1]:${p}/`, server: () => v6, refusedByCheckUrl: true }],
  [
    'loopback IPv6 written in full',
    { url: (p) => `http://[0:0:0:0:0:0:0:1]:${p}/`, server: () => v6, refusedByCheckUrl: true },
  ],
  ['localhost', { url: (p) => `http://localhost:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  ['LOCALHOST in capitals', { url: (p) => `http://LOCALHOST:${p}/`, server: () => v4, refusedByCheckUrl: true }],
  [
    'localhost. with a trailing dot',
    { url: (p) => `http://localhost.:${p}/`, server: () => v4, refusedByCheckUrl: true, resolve: absoluteNameResolver },
  ],
  [
    'a name whose DNS answer is 127.0.0.1',
    {
      url: (p) => `http://internal.test:${p}/`,
      server: () => v4,
      refusedByCheckUrl: false,
      resolve: answering('127.0.0.1'),
    },
  ],
  [
    'a name whose DNS answer is ::1',
    {
      url: (p) => `http://internal6.test:${p}/`,
      server: () => v6,
      refusedByCheckUrl: false,
      resolve: answering('::1'),
    },
  ],
  [
    'a name whose DNS answer is IPv4-mapped loopback',
    {
      url: (p) => `http://mapped.test:${p}/`,
      server: () => v4,
      refusedByCheckUrl: false,
      resolve: answering('::ffff:127.0.0.1'),
    },
  ],
];

describe('SSRF corpus: loopback targets that a plain request reaches', () => {
  it.each(LOOPBACK_CORPUS)(
    '%s reaches the secret without the guard and is refused with it',
    async (_name, corpusCase) => {
      const server = corpusCase.server();
      const url = corpusCase.url(server.port);
      const controlOptions = corpusCase.resolve === undefined ? {} : { lookup: plainLookup(corpusCase.resolve) };

      const unguarded = await get(url, controlOptions);
      expect(unguarded.body).toBe(SECRET);
      expect(server.hits).toBe(1);

      const policy = new UrlPolicy(corpusCase.resolve === undefined ? {} : { resolve: corpusCase.resolve });
      const agents = policy.createAgents();
      if (corpusCase.refusedByCheckUrl) {
        expect(() => policy.checkUrl(url)).toThrow(PolicyError);
      } else {
        expect(policy.checkUrl(url).hostname).toBe(new URL(url).hostname);
      }
      const guarded = guardedGet(policy, agents, url);
      await expect(guarded).rejects.toBeInstanceOf(PolicyError);
      await expect(guarded).rejects.toThrow(/^Refused .+; an operator can allow it with --allow-hosts \S+\.$/);

      // The agents refuse on their own, for callers (or redirect hops) that never went through checkUrl.
      await expect(get(url, { agent: agentFor(agents)(new URL(url)) })).rejects.toBeInstanceOf(PolicyError);
      expect(server.hits).toBe(1);
    },
  );
});

// Never connected to: only the decision and the agents' refusal (which happens before any socket) are tested.
const UNREACHABLE_CORPUS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    'http://169.254.169.254/latest/meta-data/',
    /169\.254\.169\.254 is a link-local address \(a cloud metadata endpoint\)/,
  ],
  ['http://[fd00:ec2::254]/latest/meta-data/', /fd00:ec2::254 is a unique-local address \(a cloud metadata endpoint\)/],
  [
    'http://100.100.100.200/latest/meta-data/',
    /100\.100\.100\.200 is a carrier-grade NAT address \(a cloud metadata endpoint\)/,
  ],
  ['http://[::ffff:169.254.169.254]/', /::ffff:a9fe:a9fe is an IPv4-mapped form of a link-local address/],
  ['http://2852039166/', /169\.254\.169\.254 is a link-local address/],
  ['http://100.64.0.1/', /100\.64\.0\.1 is a carrier-grade NAT address/],
  ['http://10.0.0.1/', /10\.0\.0\.1 is a private-network address/],
  ['http://192.168.1.1/', /192\.168\.1\.1 is a private-network address/],
  ['http://172.16.0.1/', /172\.16\.0\.1 is a private-network address/],
  ['http://[fc00::1]/', /fc00::1 is a unique-local address/],
  ['http://[fe80::1]/', /fe80::1 is a link-local address/],
  ['http://[64:ff9b::7f00:1]/', /64:ff9b::7f00:1 is a NAT64 form of a loopback address/],
  ['http://[64:ff9b::a9fe:a9fe]/', /64:ff9b::a9fe:a9fe is a NAT64 form of a link-local address/],
  ['http://[2002:7f00:1::]/', /2002:7f00:1:: is a 6to4 form of a loopback address/],
  ['http://[2002:a00:1::]/', /2002:a00:1:: is a 6to4 form of a private-network address/],
  ['http://[::127.0.0.1]/', /::7f00:1 is a deprecated IPv4-compatible address/],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /is a Teredo address/],
  ['http://224.0.0.1/', /224\.0\.0\.1 is a multicast address/],
  ['http://[ff02::1]/', /ff02::1 is a multicast address/],
  ['http://255.255.255.255/', /255\.255\.255\.255 is the broadcast address/],
  ['http://240.0.0.1/', /240\.0\.0\.1 is a reserved address/],
  ['http://198.18.0.1/', /198\.18\.0\.1 is a benchmarking address/],
  ['http://192.0.2.1/', /192\.0\.2\.1 is a documentation address/],
  ['http://[2001:db8::1]/', /2001:db8::1 is a documentation address/],
];

describe('SSRF corpus: internal targets that are never contacted', () => {
  it.each(UNREACHABLE_CORPUS)('refuses %s by URL and again at connect time', async (url, reason) => {
    const policy = new UrlPolicy();
    expect(() => policy.checkUrl(url)).toThrow(PolicyError);
    expect(() => policy.checkUrl(url)).toThrow(reason);
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    expect(policy.isAddressAllowed(host)).toBe(false);
    await expect(get(url, { agent: policy.createAgents().http })).rejects.toThrow(reason);
  });
});

describe('SSRF corpus: schemes', () => {
  it.each([
    ['file:///etc/passwd', 'file:'],
    ['file://localhost/etc/passwd', 'file:'],
    ['gopher://127.0.0.1:6379/_FLUSHALL', 'gopher:'],
    ['ftp://127.0.0.1/', 'ftp:'],
    ['data:text/plain,secret', 'data:'],
    ['javascript:alert(1)', 'javascript:'],
    ['ws://127.0.0.1/', 'ws:'],
    ['dict://127.0.0.1:11211/stats', 'dict:'],
    ['jar:http://example.com/a.jar!/', 'jar:'],
  ])('refuses %s because its scheme is not allowed', (url, scheme) => {
    expect(() => new UrlPolicy().checkUrl(url)).toThrow(PolicyError);
    expect(() => new UrlPolicy().checkUrl(url)).toThrow(
      `the ${scheme} scheme is not allowed; only http:, https: URLs can be fetched.`,
    );
  });

  it('allows only the schemes the options name, in any case and with or without the colon', () => {
    const httpsOnly = new UrlPolicy({ allowedSchemes: ['HTTPS:'] });
    expect(httpsOnly.checkUrl('https://example.com/').href).toBe('https://example.com/');
    expect(() => httpsOnly.checkUrl('http://example.com/')).toThrow(
      'the http: scheme is not allowed; only https: URLs can be fetched.',
    );
    expect(new UrlPolicy({ allowedSchemes: ['http', 'https', 'ftp'] }).checkUrl('ftp://example.com/').protocol).toBe(
      'ftp:',
    );
  });

  it('rejects an unusable scheme list as a configuration error', () => {
    expect(() => new UrlPolicy({ allowedSchemes: [] })).toThrow(ConfigError);
    expect(() => new UrlPolicy({ allowedSchemes: ['ht tp'] })).toThrow('Invalid URL scheme "ht tp"');
  });
});

describe('UrlPolicy.checkUrl', () => {
  it('says what was refused and how an operator allows it', () => {
    expect(() => new UrlPolicy().checkUrl('http://127.0.0.1:8080/')).toThrow(
      new PolicyError(
        'Refused http://127.0.0.1:8080/: 127.0.0.1 is a loopback address; an operator can allow it with --allow-hosts 127.0.0.1.',
      ),
    );
    expect(() => new UrlPolicy().checkUrl('http://localhost:8080/x')).toThrow(
      'Refused http://localhost:8080/x: localhost resolves to 127.0.0.1, which is a loopback address; an operator can allow it with --allow-hosts localhost.',
    );
  });

  it('refuses *.localhost names, which browsers resolve to loopback without asking DNS', () => {
    expect(() => new UrlPolicy().checkUrl('http://admin.localhost/')).toThrow(PolicyError);
    expect(new UrlPolicy({ allowHosts: ['127.0.0.1'] }).checkUrl('http://admin.localhost/').hostname).toBe(
      'admin.localhost',
    );
  });

  it('returns the parsed URL, with numeric IPv4 spellings normalised as the socket will see them', () => {
    const policy = new UrlPolicy({ allowHosts: ['127.0.0.1'] });
    expect(policy.checkUrl('http://2130706433:8080/a?b#c').href).toBe('http://127.0.0.1:8080/a?b#c');
    expect(policy.checkUrl(new URL('http://0x7f.1/')).hostname).toBe('127.0.0.1');
  });

  it('leaves public host names to the connect-time check without resolving them', () => {
    expect(new UrlPolicy().checkUrl('https://example.com/path').hostname).toBe('example.com');
    expect(new UrlPolicy().checkUrl('http://93.184.216.34/').hostname).toBe('93.184.216.34');
  });

  it('allows credentials in a URL but never repeats them in a refusal', () => {
    let message = '';
    try {
      new UrlPolicy().checkUrl('http://admin:hunter2@127.0.0.1:8080/');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'Refused http://127.0.0.1:8080/: 127.0.0.1 is a loopback address; an operator can allow it with --allow-hosts 127.0.0.1.',
    );
    expect(new UrlPolicy().checkUrl('https://admin:hunter2@example.com/').password).toBe('hunter2');
  });

  it('refuses host names on the deny list, ignoring case and a trailing dot', () => {
    const policy = new UrlPolicy({ denyHosts: ['example.com', '*.evil.test'] });
    expect(() => policy.checkUrl('https://EXAMPLE.com./x')).toThrow(
      new PolicyError('Refused https://example.com./x: example.com is listed in --deny-hosts.'),
    );
    expect(() => policy.checkUrl('https://a.b.evil.test/')).toThrow('a.b.evil.test is listed in --deny-hosts');
    expect(policy.checkUrl('https://evil.test/').hostname).toBe('evil.test');
    expect(policy.checkUrl('https://www.example.com/').hostname).toBe('www.example.com');
  });

  it('rejects text that is not an absolute URL as an invalid argument', () => {
    expect(() => new UrlPolicy().checkUrl('not a url')).toThrow(InvalidArgumentError);
    expect(() => new UrlPolicy().checkUrl('/relative/path')).toThrow('"/relative/path" is not a valid absolute URL');
  });

  it('rejects an invalid host-list entry as a configuration error naming the flag', () => {
    expect(() => new UrlPolicy({ denyHosts: ['example.com:80'] })).toThrow(
      new ConfigError(
        'Invalid --deny-hosts entry "example.com:80": expected a host name, *.domain, IP address or CIDR range such as 10.0.0.0/8.',
      ),
    );
    expect(() => new UrlPolicy({ allowHosts: ['10.0.0.0/40'] })).toThrow('Invalid --allow-hosts entry "10.0.0.0/40"');
  });
});

describe('UrlPolicy.isAddressAllowed', () => {
  it('allows a globally routable address and refuses the rest by default', () => {
    const policy = new UrlPolicy();
    expect(classifyAddress('93.184.216.34')).toEqual({ allowed: true, range: 'unicast' });
    expect(policy.isAddressAllowed('93.184.216.34')).toBe(true);
    expect(policy.isAddressAllowed('93.184.216.34', 'example.com')).toBe(true);
    expect(policy.isAddressAllowed('127.0.0.1', 'example.com')).toBe(false);
    expect(policy.isAddressAllowed('not an address')).toBe(false);
  });

  it('allows a refused address when its host name, its address or its CIDR is on the allow list', () => {
    expect(new UrlPolicy({ allowHosts: ['intranet.example'] }).isAddressAllowed('10.1.2.3', 'INTRANET.example.')).toBe(
      true,
    );
    expect(new UrlPolicy({ allowHosts: ['intranet.example'] }).isAddressAllowed('10.1.2.3', 'other.example')).toBe(
      false,
    );
    expect(new UrlPolicy({ allowHosts: ['*.corp.example'] }).isAddressAllowed('10.1.2.3', 'wiki.corp.example')).toBe(
      true,
    );
    expect(new UrlPolicy({ allowHosts: ['10.1.2.3'] }).isAddressAllowed('10.1.2.3')).toBe(true);
    expect(new UrlPolicy({ allowHosts: ['10.0.0.0/8'] }).isAddressAllowed('::ffff:10.1.2.3')).toBe(true);
    expect(new UrlPolicy({ allowHosts: ['10.0.0.0/8'] }).isAddressAllowed('192.168.0.1')).toBe(false);
  });

  it('lets the deny list win over the allow list and over the default policy', () => {
    expect(new UrlPolicy({ allowHosts: ['10.0.0.0/8'], denyHosts: ['10.1.0.0/16'] }).isAddressAllowed('10.1.2.3')).toBe(
      false,
    );
    expect(new UrlPolicy({ allowHosts: ['10.0.0.0/8'], denyHosts: ['10.1.0.0/16'] }).isAddressAllowed('10.2.0.1')).toBe(
      true,
    );
    expect(
      new UrlPolicy({ allowHosts: ['wiki.example'], denyHosts: ['10.0.0.0/8'] }).isAddressAllowed(
        '10.0.0.1',
        'wiki.example',
      ),
    ).toBe(false);
    expect(
      new UrlPolicy({ allowHosts: ['10.0.0.1'], denyHosts: ['wiki.example'] }).isAddressAllowed(
        '10.0.0.1',
        'wiki.example',
      ),
    ).toBe(false);
    expect(new UrlPolicy({ denyHosts: ['93.184.216.0/24'] }).isAddressAllowed('93.184.216.34')).toBe(false);
  });
});

describe('allow and deny lists against real loopback servers', () => {
  it('opens a loopback server to a host name on the allow list', async () => {
    const policy = new UrlPolicy({ allowHosts: ['localhost'] });
    expect((await guardedGet(policy, policy.createAgents(), `http://localhost:${v4.port}/`)).body).toBe(SECRET);
  });

  it('opens a loopback server to an IP address on the allow list', async () => {
    const policy = new UrlPolicy({ allowHosts: ['127.0.0.1', '::1'] });
    const agents = policy.createAgents();
    expect((await guardedGet(policy, agents, `http://127.0.0.1:${v4.port}/`)).body).toBe(SECRET);
    expect((await guardedGet(policy, agents, `http://[::1]:${v6.port}/`)).body).toBe(SECRET);
    expect((await guardedGet(policy, agents, `http://2130706433:${v4.port}/`)).body).toBe(SECRET);
  });

  it('opens a loopback server to a CIDR on the allow list', async () => {
    const policy = new UrlPolicy({ allowHosts: ['127.0.0.0/8', '::1/128'] });
    const agents = policy.createAgents();
    expect((await guardedGet(policy, agents, `http://127.0.0.1:${v4.port}/`)).body).toBe(SECRET);
    expect((await guardedGet(policy, agents, `http://[::1]:${v6.port}/`)).body).toBe(SECRET);
    expect((await guardedGet(policy, agents, `http://[::ffff:127.0.0.1]:${v4.port}/`)).body).toBe(SECRET);
  });

  it('opens a loopback server to a subdomain of a *.domain entry, but not to the domain itself', async () => {
    const policy = new UrlPolicy({ allowHosts: ['*.test'], resolve: answering('127.0.0.1') });
    const agents = policy.createAgents();
    expect((await guardedGet(policy, agents, `http://app.test:${v4.port}/`)).body).toBe(SECRET);
    const other = new UrlPolicy({ allowHosts: ['*.app.test'], resolve: answering('127.0.0.1') });
    await expect(guardedGet(other, other.createAgents(), `http://app.test:${v4.port}/`)).rejects.toBeInstanceOf(
      PolicyError,
    );
    expect(v4.hits).toBe(1);
  });

  it('refuses a host name allowed by name when its address is on the deny list', async () => {
    const policy = new UrlPolicy({ allowHosts: ['localhost'], denyHosts: ['127.0.0.0/8'] });
    await expect(guardedGet(policy, policy.createAgents(), `http://localhost:${v4.port}/`)).rejects.toThrow(
      'localhost resolves to 127.0.0.1, which is listed in --deny-hosts as 127.0.0.0/8',
    );
    expect(v4.hits).toBe(0);
  });

  it('refuses an address allowed by CIDR when the address itself is on the deny list', async () => {
    const policy = new UrlPolicy({ allowHosts: ['127.0.0.0/8'], denyHosts: ['127.0.0.1'] });
    await expect(guardedGet(policy, policy.createAgents(), `http://127.0.0.1:${v4.port}/`)).rejects.toThrow(
      new PolicyError(`Refused http://127.0.0.1:${v4.port}/: 127.0.0.1 is listed in --deny-hosts as 127.0.0.1.`),
    );
    expect(v4.hits).toBe(0);
  });

  it('refuses a host name that is both allowed and denied', async () => {
    const policy = new UrlPolicy({ allowHosts: ['localhost'], denyHosts: ['LOCALHOST.'] });
    await expect(guardedGet(policy, policy.createAgents(), `http://localhost:${v4.port}/`)).rejects.toThrow(
      'localhost is listed in --deny-hosts',
    );
    const agentsOnly = get(`http://localhost:${v4.port}/`, { agent: policy.createAgents().http });
    await expect(agentsOnly).rejects.toThrow('localhost is listed in --deny-hosts');
    expect(v4.hits).toBe(0);
  });
});

describe('UrlPolicy.createAgents', () => {
  it('uses its own lookup even when the request brings one', async () => {
    const policy = new UrlPolicy({ resolve: answering('127.0.0.1') });
    const callerLookup = plainLookup(answering('127.0.0.1'));
    expect((await get(`http://internal.test:${v4.port}/`, { lookup: callerLookup })).body).toBe(SECRET);
    await expect(
      get(`http://internal.test:${v4.port}/`, { agent: policy.createAgents().http, lookup: callerLookup }),
    ).rejects.toBeInstanceOf(PolicyError);
    expect(v4.hits).toBe(1);
  });

  it('names the refused connection in the connect-time message', async () => {
    const agents = new UrlPolicy().createAgents();
    await expect(get(`http://[::1]:${v6.port}/x`, { agent: agents.http })).rejects.toThrow(
      new PolicyError(
        `Refused a connection to http://[::1]:${v6.port}: ::1 is a loopback address; an operator can allow it with --allow-hosts ::1.`,
      ),
    );
    await expect(get(`http://localhost:${v4.port}/x`, { agent: agents.http })).rejects.toThrow(
      new PolicyError(
        `Refused a connection to http://localhost:${v4.port}: localhost resolves to 127.0.0.1, which is a loopback address; an operator can allow it with --allow-hosts localhost.`,
      ),
    );
  });

  it('refuses loopback from the https agent before any TLS handshake', async () => {
    // No server listens here: a refusal other than the policy's would be ECONNREFUSED.
    const agents = new UrlPolicy().createAgents();
    await expect(get('https://127.0.0.1:1/', { agent: agents.https })).rejects.toThrow(
      'Refused a connection to https://127.0.0.1:1: 127.0.0.1 is a loopback address',
    );
    await expect(get('https://localhost:1/', { agent: agents.https })).rejects.toThrow(
      'Refused a connection to https://localhost:1: localhost resolves to 127.0.0.1',
    );
  });

  it('refuses requests over a Unix socket', async () => {
    const agent = new UrlPolicy().createAgents().http;
    await expect(
      new Promise((resolve, reject) => {
        http.get({ socketPath: '/nonexistent/portico-test.sock', path: '/', agent }, resolve).on('error', reject);
      }),
    ).rejects.toThrow('connections through a Unix socket are not allowed');
  });

  it('checks every new connection of a keep-alive agent', async () => {
    const policy = new UrlPolicy({ allowHosts: ['127.0.0.1'] });
    const agents = policy.createAgents({ keepAlive: true });
    try {
      expect((await get(`http://127.0.0.1:${v4.port}/`, { agent: agents.http })).body).toBe(SECRET);
      expect((await get(`http://127.0.0.1:${v4.port}/`, { agent: agents.http })).body).toBe(SECRET);
      await expect(get(`http://[::1]:${v6.port}/`, { agent: agents.http })).rejects.toBeInstanceOf(PolicyError);
      expect(v6.hits).toBe(0);
    } finally {
      agents.http.destroy();
    }
  });

  it('picks the agent matching the URL scheme for node-fetch', () => {
    const agents = new UrlPolicy().createAgents();
    const pick = agentFor(agents);
    expect(pick(new URL('https://example.com/'))).toBe(agents.https);
    expect(pick(new URL('http://example.com/'))).toBe(agents.http);
  });
});
