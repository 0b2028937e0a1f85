import http from 'node:http';
import net from 'node:net';
import type { LookupAddress } from 'node:dns';
import fetch from 'node-fetch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { PolicyError, TimeoutError } from '../src/errors/index.js';
import { UrlPolicy, agentFor, classifyAddress, limitConnectTime, systemResolver } from '../src/net/index.js';
import type { PolicyLookup, Resolver } from '../src/net/index.js';
import { startTestHttpServer } from '../src/testing/index.js';
import { plainLookup } from './net-helpers.js';
import type { TestHttpServer } from '../src/testing/index.js';

const SECRET = 'the secret behind the firewall';
const PUBLIC = '93.184.216.34';

type TestServer = TestHttpServer;

function startServer(host: '127.0.0.1' | '::1', handler: http.RequestListener): Promise<TestServer> {
  return startTestHttpServer(handler, host);
}

function redirect(response: http.ServerResponse, location: string): void {
  response.writeHead(302, { location });
  response.end();
}

function get(url: string, options: http.RequestOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, options, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function family(address: string): number {
  return address.includes(':') ? 6 : 4;
}

// A DNS server we control: the names in `table` answer as listed, every other name goes to the system.
function resolverWith(table: Record<string, string[]>): Resolver {
  return async (hostname, options) => {
    const answer = table[hostname];
    if (answer === undefined) return systemResolver(hostname, options);
    return answer.map((address) => ({ address, family: family(address) }));
  };
}

// A rebinding DNS server: a public answer first, loopback from then on (as with a zero TTL).
function rebindingResolver(): { readonly resolve: Resolver; readonly calls: () => number } {
  let calls = 0;
  const resolve: Resolver = async () => {
    calls += 1;
    return [{ address: calls === 1 ? PUBLIC : '127.0.0.1', family: 4 }];
  };
  return { resolve, calls: () => calls };
}

type LookupResult = { readonly address: string | LookupAddress[]; readonly family: number | undefined };

function callLookup(
  lookup: PolicyLookup,
  hostname: string,
  options?: Parameters<PolicyLookup>[1],
): Promise<LookupResult> {
  return new Promise((resolve, reject) => {
    const callback = (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      addressFamily?: number,
    ) => (error ? reject(error) : resolve({ address, family: addressFamily }));
    if (options === undefined || typeof options === 'function') lookup(hostname, callback);
    else lookup(hostname, options, callback);
  });
}

let secret4: TestServer;
let secret6: TestServer;
let front: TestServer;

beforeAll(async () => {
  secret4 = await startServer('127.0.0.1', (_request, response) => response.end(SECRET));
  secret6 = await startServer('::1', (_request, response) => response.end(SECRET));
  // The "allowed" server: it serves a page and redirects wherever the path says.
  front = await startServer('127.0.0.1', (request, response) => {
    const path = request.url ?? '/';
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (path === '/to-ipv6-loopback') return redirect(response, `http://[::1]:${secret6.port}/secret`);
    if (path === '/to-localhost') return redirect(response, `http://localhost:${secret4.port}/secret`);
    if (path === '/to-decimal-loopback') return redirect(response, `http://2130706433:${secret4.port}/secret`);
    if (hop !== null) {
      const left = Number(hop[1]);
      return redirect(response, left === 0 ? `http://localhost:${secret4.port}/secret` : `/hop/${left - 1}`);
    }
    if (path === '/allowed-chain') return redirect(response, '/hop-ok/2');
    const okHop = /^\/hop-ok\/(\d+)$/.exec(path);
    if (okHop !== null) return redirect(response, okHop[1] === '0' ? '/page' : `/hop-ok/${Number(okHop[1]) - 1}`);
    response.end('a public page');
  });
});

afterAll(async () => {
  await Promise.all([secret4.close(), secret6.close(), front.close()]);
});

beforeEach(() => {
  secret4.resetHits();
  secret6.resetHits();
  front.resetHits();
});

describe('redirects through the policy agents', () => {
  it('refuses a hop from a server allowed by IP to an IPv6 loopback literal that plain fetch follows', async () => {
    const start = `http://127.0.0.1:${front.port}/to-ipv6-loopback`;
    expect(await (await fetch(start)).text()).toBe(SECRET);
    expect(secret6.hits).toBe(1);

    const policy = new UrlPolicy({ allowHosts: ['127.0.0.1'] });
    const agent = agentFor(policy.createAgents());
    await expect(fetch(policy.checkUrl(start), { agent })).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      message: expect.stringContaining(
        `Refused a connection to http://[::1]:${secret6.port}: ::1 is a loopback address; an operator can allow it with --allow-hosts ::1.`,
      ),
    });
    expect(front.hits).toBe(2);
    expect(secret6.hits).toBe(1);
  });

  it('refuses a hop to localhost at connect time when the first server was allowed by name', async () => {
    expect(await (await fetch(`http://127.0.0.1:${front.port}/to-localhost`)).text()).toBe(SECRET);
    expect(secret4.hits).toBe(1);

    const policy = new UrlPolicy({
      allowHosts: ['allowed.test'],
      resolve: resolverWith({ 'allowed.test': ['127.0.0.1'] }),
    });
    const agent = agentFor(policy.createAgents());
    const start = policy.checkUrl(`http://allowed.test:${front.port}/to-localhost`);
    await expect(fetch(start, { agent })).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      message: expect.stringContaining('localhost resolves to 127.0.0.1, which is a loopback address'),
    });
    expect(front.hits).toBe(2);
    expect(secret4.hits).toBe(1);
  });

  it('refuses a hop whose Location spells loopback as a decimal integer', async () => {
    expect(await (await fetch(`http://127.0.0.1:${front.port}/to-decimal-loopback`)).text()).toBe(SECRET);

    const policy = new UrlPolicy({
      allowHosts: ['allowed.test'],
      resolve: resolverWith({ 'allowed.test': ['127.0.0.1'] }),
    });
    const start = policy.checkUrl(`http://allowed.test:${front.port}/to-decimal-loopback`);
    await expect(fetch(start, { agent: agentFor(policy.createAgents()) })).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      message: expect.stringContaining(
        `Refused a connection to http://127.0.0.1:${secret4.port}: 127.0.0.1 is a loopback address`,
      ),
    });
    expect(secret4.hits).toBe(1);
  });

  it('refuses the last hop of a redirect chain whose earlier hops were allowed', async () => {
    expect(await (await fetch(`http://127.0.0.1:${front.port}/hop/3`)).text()).toBe(SECRET);
    expect(front.hits).toBe(4);
    expect(secret4.hits).toBe(1);

    const policy = new UrlPolicy({
      allowHosts: ['allowed.test'],
      resolve: resolverWith({ 'allowed.test': ['127.0.0.1'] }),
    });
    const start = policy.checkUrl(`http://allowed.test:${front.port}/hop/3`);
    await expect(fetch(start, { agent: agentFor(policy.createAgents()) })).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    expect(front.hits).toBe(8);
    expect(secret4.hits).toBe(1);
  });

  it('follows a redirect chain that stays on allowed hosts', async () => {
    const policy = new UrlPolicy({
      allowHosts: ['allowed.test'],
      resolve: resolverWith({ 'allowed.test': ['127.0.0.1'] }),
    });
    const start = policy.checkUrl(`http://allowed.test:${front.port}/allowed-chain`);
    const response = await fetch(start, { agent: agentFor(policy.createAgents()) });
    expect(await response.text()).toBe('a public page');
    expect(response.url).toBe(`http://allowed.test:${front.port}/page`);
    expect(front.hits).toBe(5);
  });
});

describe('DNS rebinding', () => {
  it('refuses a name that resolved to a public address when checked and resolves to loopback when connecting', async () => {
    // Without the guard: a check-then-fetch design approves the first answer and then connects to the second.
    const unguardedDns = rebindingResolver().resolve;
    const [checked] = await unguardedDns('rebind.test', { family: 0 });
    expect(checked !== undefined && classifyAddress(checked.address).allowed).toBe(true);
    expect(await get(`http://rebind.test:${secret4.port}/`, { lookup: plainLookup(unguardedDns) })).toBe(SECRET);
    expect(secret4.hits).toBe(1);

    // With it: whatever was answered before, the connection is checked on the address it is about to use.
    const dns = rebindingResolver();
    const policy = new UrlPolicy({ resolve: dns.resolve });
    const url = policy.checkUrl(`http://rebind.test:${secret4.port}/`);
    expect(await callLookup(policy.lookup, 'rebind.test')).toEqual({ address: PUBLIC, family: 4 });
    const request = get(url.href, { agent: policy.createAgents().http });
    await expect(request).rejects.toBeInstanceOf(PolicyError);
    await expect(request).rejects.toThrow('rebind.test resolves to 127.0.0.1, which is a loopback address');
    expect(dns.calls()).toBe(2);
    expect(secret4.hits).toBe(1);
  });

  it('resolves again for every new connection, so a later rebinding is refused too', async () => {
    let answer = '127.0.0.1';
    const policy = new UrlPolicy({
      allowHosts: ['127.0.0.1'],
      resolve: async () => [{ address: answer, family: family(answer) }],
    });
    const agent = policy.createAgents().http;
    expect(await get(`http://flip.test:${secret4.port}/`, { agent })).toBe(SECRET);
    answer = '::1';
    await expect(get(`http://flip.test:${secret6.port}/`, { agent })).rejects.toThrow(
      'flip.test resolves to ::1, which is a loopback address',
    );
    expect(secret6.hits).toBe(0);
  });
});

describe('UrlPolicy.lookup', () => {
  const mixed = resolverWith({
    'mixed.test': [PUBLIC, '127.0.0.1'],
    'public.test': ['2606:2800:220:1:248:1893:25c8:1946', PUBLIC],
  });

  it('refuses a name when any of its addresses is refused, even if the first is public', async () => {
    const policy = new UrlPolicy({ resolve: mixed });
    await expect(callLookup(policy.lookup, 'mixed.test', { all: true })).rejects.toThrow(
      new PolicyError(
        'Refused a connection to mixed.test: mixed.test resolves to 127.0.0.1, which is a loopback address; an operator can allow it with --allow-hosts mixed.test.',
      ),
    );
    await expect(callLookup(policy.lookup, 'mixed.test')).rejects.toBeInstanceOf(PolicyError);
    await expect(callLookup(policy.lookup, 'mixed.test', 4)).rejects.toBeInstanceOf(PolicyError);
  });

  it('answers in every calling convention of dns.lookup', async () => {
    const policy = new UrlPolicy({ resolve: mixed });
    const v6 = '2606:2800:220:1:248:1893:25c8:1946';
    expect(await callLookup(policy.lookup, 'public.test')).toEqual({ address: v6, family: 6 });
    expect(await callLookup(policy.lookup, 'public.test', 4)).toEqual({ address: PUBLIC, family: 4 });
    expect(await callLookup(policy.lookup, 'public.test', { family: 'IPv4' })).toEqual({ address: PUBLIC, family: 4 });
    expect(await callLookup(policy.lookup, 'public.test', { family: 6 })).toEqual({ address: v6, family: 6 });
    expect(await callLookup(policy.lookup, 'public.test', { all: true })).toEqual({
      address: [
        { address: v6, family: 6 },
        { address: PUBLIC, family: 4 },
      ],
      family: undefined,
    });
    expect(await callLookup(policy.lookup, 'public.test', { all: true, family: 4 })).toEqual({
      address: [{ address: PUBLIC, family: 4 }],
      family: undefined,
    });
  });

  it('passes resolver failures through and reports a name without addresses as not found', async () => {
    const failing = new UrlPolicy({
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN down.test'), { code: 'EAI_AGAIN' });
      },
    });
    await expect(callLookup(failing.lookup, 'down.test')).rejects.toMatchObject({ code: 'EAI_AGAIN' });
    const empty = new UrlPolicy({ resolve: async () => [] });
    await expect(callLookup(empty.lookup, 'void.test')).rejects.toMatchObject({
      code: 'ENOTFOUND',
      hostname: 'void.test',
    });
    const wrongFamily = new UrlPolicy({ resolve: async () => [{ address: PUBLIC, family: 4 }] });
    await expect(callLookup(wrongFamily.lookup, 'v4only.test', 6)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(callLookup(new UrlPolicy().lookup, 'localhost', { all: true })).rejects.toThrow(
      'localhost resolves to 127.0.0.1, which is a loopback address',
    );
  });

  it('refuses a loopback connection when given to net.connect as its lookup', async () => {
    const { lookup } = new UrlPolicy();
    const error = await new Promise<unknown>((resolve) => {
      const socket = net.connect({ host: 'localhost', port: secret4.port, lookup });
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', resolve);
    });
    expect(error).toBeInstanceOf(PolicyError);
  });
});

describe('what the agents report', () => {
  it('hands the typed refusal to onFailure, where node-fetch keeps only its message', async () => {
    const failures: Error[] = [];
    const policy = new UrlPolicy({ resolve: resolverWith({ 'inside.test': ['127.0.0.1'] }) });
    const agent = agentFor(policy.createAgents({ onFailure: (error) => failures.push(error) }));
    await expect(fetch(`http://inside.test:${secret4.port}/`, { agent })).rejects.toThrow(/loopback/);
    await expect(fetch(`http://127.0.0.1:${secret4.port}/`, { agent })).rejects.toThrow(/loopback/);
    expect(failures).toHaveLength(2);
    expect(failures.every((error) => error instanceof PolicyError)).toBe(true);
    expect(secret4.hits).toBe(0);
  });

  it('gives up on a connection not established within the connect timeout, with a typed error', async () => {
    // A socket that never connects stands in for a host that never answers.
    const socket = new PassThrough();
    const failures: Error[] = [];
    limitConnectTime(socket, {
      timeoutMs: 50,
      target: '192.0.2.1:80',
      connectedEvent: 'connect',
      onFailure: (error) => failures.push(error),
    });
    await new Promise((resolve) => socket.once('close', resolve));
    expect(failures[0]).toBeInstanceOf(TimeoutError);
    expect(failures[0]!.message).toBe(
      'Could not connect to 192.0.2.1:80 within 0.1 s; the host may be down or unreachable, try again later.',
    );
  });

  it('leaves a connection alone once it is established', async () => {
    const socket = new PassThrough();
    const failures: Error[] = [];
    limitConnectTime(socket, {
      timeoutMs: 50,
      target: 'x:1',
      connectedEvent: 'connect',
      onFailure: (error) => failures.push(error),
    });
    socket.emit('connect');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(socket.destroyed).toBe(false);
    expect(failures).toEqual([]);
    socket.destroy();
  });
});
