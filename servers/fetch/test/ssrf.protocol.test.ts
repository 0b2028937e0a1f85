// The SSRF corpus: every case is first shown to reach a secret on this machine through a plain fetch (no
// guard, redirects followed as the reference server does), then shown to be refused by the server, which
// must not even connect to the secret.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import fetch from 'node-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultText, spawnServer, startTestHttpServer } from '@portico-mcp/shared/testing';
import type { SpawnedServer, TestHttpServer } from '@portico-mcp/shared/testing';
import { startTestProxy } from './fixtures/proxy.js';
import type { TestProxy } from './fixtures/proxy.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const SECRET = `top-secret-${process.pid}`;

let secret4: TestHttpServer;
let secret6: TestHttpServer;
let origin: TestHttpServer;
let proxy: TestProxy;
const secretHits = { count: 0 };
let machineNameIsLoopback = false;

/** The secret server's port for a case (the IPv6 one for [::1] targets). */
const p4 = (): number => secret4.port;
const p6 = (): number => secret6.port;
/** A URL on the allowed origin (reached as localhost) that redirects to `target`. */
const via = (target: string): string => `http://localhost:${origin.port}/to?u=${encodeURIComponent(target)}`;

beforeAll(async () => {
  const secretHandler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    secretHits.count++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(SECRET);
  };
  secret4 = await startTestHttpServer(secretHandler);
  secret6 = await startTestHttpServer(secretHandler, '::1');
  origin = await startTestHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin');
    if (url.pathname === '/to') {
      res.writeHead(302, { location: url.searchParams.get('u') ?? '/' });
      return void res.end();
    }
    if (url.pathname === '/robots.txt') {
      res.writeHead(301, { location: `http://127.0.0.1:${secret4.port}/robots.txt` });
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('public page');
  });
  proxy = await startTestProxy();
  machineNameIsLoopback = (await lookup(hostname(), { all: true }).catch(() => [])).some(
    (entry) => entry.address === '127.0.0.1',
  );
});
afterAll(async () => {
  await Promise.all([secret4.close(), secret6.close(), origin.close(), proxy.close()]);
});

type Profile = 'default' | 'allow-localhost-name' | 'allow-127.0.0.1' | 'proxy';
const PROFILE_ARGS: Record<Profile, () => string[]> = {
  default: () => ['--ignore-robots-txt'],
  'allow-localhost-name': () => ['--ignore-robots-txt', '--allow-hosts', 'localhost'],
  'allow-127.0.0.1': () => ['--ignore-robots-txt', '--allow-hosts', '127.0.0.1'],
  proxy: () => ['--ignore-robots-txt', '--proxy-url', proxy.url],
};

interface AttackCase {
  name: string;
  profile: Profile;
  url: () => string;
  /** How the raw request reaches the secret: directly, or through the proxy. */
  rawVia?: 'proxy';
  needsMachineName?: boolean;
}

const CASES: AttackCase[] = [
  { name: 'loopback IPv4 literal', profile: 'default', url: () => `http://127.0.0.1:${p4()}/` },
  { name: 'loopback as a decimal integer', profile: 'default', url: () => `http://2130706433:${p4()}/` },
  { name: 'loopback in octal', profile: 'default', url: () => `http://0177.0.0.1:${p4()}/` },
  { name: 'loopback in hex, dotted', profile: 'default', url: () => `http://0x7f.0.0.1:${p4()}/` },
  { name: 'loopback as one hex number', profile: 'default', url: () => `http://0x7f000001:${p4()}/` },
  { name: 'loopback in shorthand 127.1', profile: 'default', url: () => `http://127.1:${p4()}/` },
  { name: 'IPv4-mapped IPv6 loopback', profile: 'default', url: () => `http://[::ffff:127.0.0.1]:${p4()}/` },
  {
    name: 'IPv4-mapped IPv6 loopback, long form',
    profile: 'default',
    url: () => `http://[0:0:0:0:0:ffff:7f00:1]:${p4()}/`,
  },
  { name: 'the unspecified address 0.0.0.0', profile: 'default', url: () => `http://0.0.0.0:${p4()}/` },
  { name: 'localhost by name', profile: 'default', url: () => `http://localhost:${p4()}/` },
  { name: 'IPv6 loopback [::1]', profile: 'default', url: () => `http://[::1]:${p6()}/` },
  { name: 'IPv6 unspecified [::]', profile: 'default', url: () => `http://[::]:${p6()}/` },
  {
    name: 'a host name that resolves to loopback (checked on the resolved address)',
    profile: 'default',
    url: () => `http://${hostname()}:${p4()}/`,
    needsMachineName: true,
  },
  {
    name: 'redirect from an allowed name to a 127.0.0.1 literal',
    profile: 'allow-localhost-name',
    url: () => via(`http://127.0.0.1:${p4()}/`),
  },
  {
    name: 'redirect from an allowed name to [::1]',
    profile: 'allow-localhost-name',
    url: () => via(`http://[::1]:${p6()}/`),
  },
  {
    name: 'redirect from an allowed name to decimal loopback',
    profile: 'allow-localhost-name',
    url: () => via(`http://2130706433:${p4()}/`),
  },
  {
    name: 'redirect from an allowed name to 0.0.0.0',
    profile: 'allow-localhost-name',
    url: () => via(`http://0.0.0.0:${p4()}/`),
  },
  {
    name: 'two redirects ending at loopback',
    profile: 'allow-localhost-name',
    url: () => via(via(`http://127.0.0.1:${p4()}/`)),
  },
  {
    name: 'redirect to a name resolving to loopback',
    profile: 'allow-localhost-name',
    url: () => via(`http://${hostname()}:${p4()}/`),
    needsMachineName: true,
  },
  {
    name: 'redirect from allowed 127.0.0.1 to IPv6 loopback [::1]',
    profile: 'allow-127.0.0.1',
    url: () => `http://127.0.0.1:${origin.port}/to?u=${encodeURIComponent(`http://[::1]:${p6()}/`)}`,
  },
  {
    name: 'loopback through the proxy (checked by name before the proxy resolves it)',
    profile: 'proxy',
    url: () => `http://127.0.0.1:${p4()}/`,
    rawVia: 'proxy',
  },
  { name: 'localhost through the proxy', profile: 'proxy', url: () => `http://localhost:${p4()}/`, rawVia: 'proxy' },
];

/** The raw, unguarded request: node-fetch following redirects, or a plain absolute-form request to the proxy. */
async function rawFetch(url: string, rawVia: AttackCase['rawVia']): Promise<string> {
  if (rawVia !== 'proxy') return (await fetch(url)).text();
  return new Promise((resolve, reject) => {
    const proxyUrl = new URL(proxy.url);
    http
      .get({ host: proxyUrl.hostname, port: proxyUrl.port, path: url, headers: { host: new URL(url).host } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('SSRF corpus', () => {
  const servers = new Map<Profile, SpawnedServer>();
  beforeAll(async () => {
    for (const profile of Object.keys(PROFILE_ARGS) as Profile[])
      servers.set(profile, await spawnServer({ entry, args: PROFILE_ARGS[profile]() }));
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.close()));
  });

  it.each(CASES)('$name: reaches the secret without the guard, refused by the server', async (attack) => {
    if (attack.needsMachineName && !machineNameIsLoopback) {
      // This machine's own name does not resolve to 127.0.0.1, so the case cannot be staged here.
      expect(machineNameIsLoopback).toBe(false);
      return;
    }
    const url = attack.url();
    expect(await rawFetch(url, attack.rawVia)).toBe(SECRET);
    const before = secretHits.count;
    const result = await servers.get(attack.profile)!.client.callTool({ name: 'fetch', arguments: { url } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^.*Refused .*(loopback|unspecified)/);
    expect(resultText(result)).not.toContain(SECRET);
    expect(secretHits.count).toBe(before);
  });

  it('fetches the allowed origin itself (the allow-list opens exactly what it names)', async () => {
    const result = await servers
      .get('allow-localhost-name')!
      .client.callTool({ name: 'fetch', arguments: { url: `http://localhost:${origin.port}/page` } });
    expect(result.isError).toBeFalsy();
    expect(resultText(result)).toContain('public page');
  });

  it('does not let robots.txt redirect the server into a refused address', async () => {
    expect(await rawFetch(`http://localhost:${origin.port}/robots.txt`, undefined)).toBe(SECRET);
    const before = secretHits.count;
    const server = await spawnServer({ entry, args: ['--allow-hosts', 'localhost'] });
    try {
      const result = await server.client.callTool({
        name: 'fetch',
        arguments: { url: `http://localhost:${origin.port}/page` },
      });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/robots\.txt .* could not be read .*Refused .*loopback/);
      expect(secretHits.count).toBe(before);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['file:///etc/passwd', /the file: scheme is not allowed/],
    ['ftp://127.0.0.1/', /the ftp: scheme is not allowed/],
    ['not a url', /is not a valid absolute URL/],
  ])('refuses %s with a clear sentence', async (url, message) => {
    const result = await servers.get('default')!.client.callTool({ name: 'fetch', arguments: { url } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(message);
  });
});
