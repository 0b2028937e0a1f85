// The policy proxy against real servers on 127.0.0.1 and ::1. Each attack is first made without the proxy
// and reaches its target (the servers count hits), then through it, where it is refused before any connection.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from '../src/log/index.js';
import { UrlPolicy, startPolicyProxy, systemResolver } from '../src/net/index.js';
import type { PolicyProxy, PolicyProxyOptions, ProxyRefusal, Resolver } from '../src/net/index.js';
import { startTestHttpServer } from '../src/testing/index.js';
import type { TestHttpServer } from '../src/testing/index.js';
import { plainLookup } from './net-helpers.js';

const SECRET = 'the secret behind the firewall';
const DENIED = '93.184.215.14';

/** DENIED (0x5db8d70e) in every IPv6 form that carries an IPv4 address, as in net-embedded.test.ts. */
const DENIED_SPELLINGS: ReadonlyArray<readonly [string, string]> = [
  ['IPv4-mapped', '::ffff:5db8:d70e'],
  ['IPv4-compatible', '::5db8:d70e'],
  ['IPv4-translated (SIIT)', '::ffff:0:5db8:d70e'],
  ['NAT64 well-known prefix', '64:ff9b::5db8:d70e'],
  ['NAT64 well-known prefix, dotted', '64:ff9b::93.184.215.14'],
  ['local-use NAT64 with a /48 prefix', '64:ff9b:1:5db8:d7:e00::'],
  ['local-use NAT64 with a /96 prefix', '64:ff9b:1::5db8:d70e'],
  ['6to4', '2002:5db8:d70e::1'],
  ['Teredo (client address inverted)', '2001:0:4136:e378:8000:63bf:a247:28f1'],
  ['ISATAP under a global prefix', '2a00:1450:4001:82b:200:5efe:5db8:d70e'],
];

/** Spellings of 127.0.0.1 that a plain client here connects to the loopback server with. */
const LOOPBACK_SPELLINGS: ReadonlyArray<readonly [string, string]> = [
  ['dotted quad', '127.0.0.1'],
  ['decimal integer', '2130706433'],
  ['hexadecimal integer', '0x7f000001'],
  ['octal dotted', '0177.0.0.1'],
  ['shortened', '127.1'],
  ['IPv4-mapped IPv6', '[::ffff:127.0.0.1]'],
  ['IPv4-mapped IPv6 in hex', '[::ffff:7f00:1]'],
];

/** Loopback spelled in IPv6 forms no route here delivers, but a translator or tunnel would. */
const TRANSLATED_LOOPBACK: readonly string[] = [
  '::7f00:1',
  '::ffff:0:7f00:1',
  '64:ff9b::7f00:1',
  '64:ff9b:1::7f00:1',
  '2002:7f00:1::1',
];

type Answer = { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string };

let secret4: TestServer;
let secret6: TestServer;
let sockets: SocketCount;

type TestServer = TestHttpServer & { readonly seen: http.IncomingHttpHeaders[]; readonly paths: string[] };

async function startSecret(host: '127.0.0.1' | '::1'): Promise<TestServer> {
  const seen: http.IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const server = await startTestHttpServer((request, response) => {
    seen.push(request.headers);
    paths.push(request.url ?? '');
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => response.end(body === '' ? SECRET : `${SECRET}; body: ${body}`));
  }, host);
  return Object.assign(server, { seen, paths });
}

// Every TCP connection this process establishes to anything but the proxy under test.
type SocketCount = { value: number; proxyPorts: Set<number> };
const countSocket = (message: unknown): void => {
  const socket = (message as { socket: net.Socket }).socket;
  socket.once('connect', () => {
    if (!sockets.proxyPorts.has(socket.remotePort ?? 0)) sockets.value += 1;
  });
};

const proxies: PolicyProxy[] = [];
async function proxyWith(
  options: Omit<PolicyProxyOptions, 'policy'> & { readonly policy?: UrlPolicy } = {},
): Promise<PolicyProxy> {
  const proxy = await startPolicyProxy({ policy: options.policy ?? new UrlPolicy(), ...options });
  proxies.push(proxy);
  sockets.proxyPorts.add(proxy.port);
  return proxy;
}

/** A request through the proxy in absolute form, as a browser configured with --proxy-server sends it. */
function viaProxy(
  proxy: PolicyProxy,
  url: string,
  options: { method?: string; body?: string; headers?: http.OutgoingHttpHeaders } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        path: url,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function direct(url: string, options: http.RequestOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, ...options }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Writes raw bytes to a port and collects everything until the peer closes (every answer here closes). */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(answer));
    socket.write(text);
  });
}

/** Sends CONNECT and resolves with the status line, the rest of the head, and the socket (open on success). */
function connectTunnel(
  proxy: PolicyProxy,
  authority: string,
): Promise<{ status: number; head: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const head = received.slice(0, end);
      const rest = received.slice(end + 4);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const finish = (body: string): void => resolve({ status, head: `${head}\r\n\r\n${body}`, socket });
      // A refusal carries a body and closes; read it whole before handing the answer over.
      if (status !== 200) {
        let body = rest;
        socket.on('data', (more: Buffer) => (body += more.toString('latin1')));
        socket.once('close', () => finish(body));
      } else finish(rest);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

/** A plain TCP server on 127.0.0.1 that counts connections and greets each one. */
async function startTcpServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => socket.write(`echo:${chunk.toString()}`));
    socket.write('hello\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function nextData(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
}

function resolverWith(table: Record<string, readonly string[]>, calls?: { count: number }): Resolver {
  return async (hostname, options) => {
    const answer = table[hostname];
    if (answer === undefined) return systemResolver(hostname, options);
    if (calls) calls.count += 1;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

beforeAll(async () => {
  sockets = { value: 0, proxyPorts: new Set() };
  subscribe('net.client.socket', countSocket);
  secret4 = await startSecret('127.0.0.1');
  secret6 = await startSecret('::1');
});

afterAll(async () => {
  unsubscribe('net.client.socket', countSocket);
  await Promise.all([secret4.close(), secret6.close()]);
});

beforeEach(() => {
  secret4.resetHits();
  secret6.resetHits();
  sockets.value = 0;
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

describe('absolute-form requests', () => {
  it('forwards a request to an allowed host in origin form, with the Host of the checked URL', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const answer = await viaProxy(proxy, `http://127.0.0.1:${secret4.port}/page?q=1`, {
      headers: { host: 'somewhere-else.test', 'proxy-connection': 'keep-alive' },
    });
    expect(answer).toMatchObject({ status: 200, body: SECRET });
    expect(secret4.paths.at(-1)).toBe('/page?q=1');
    expect(secret4.seen.at(-1)?.host).toBe(`127.0.0.1:${secret4.port}`);
    expect(secret4.seen.at(-1)?.['proxy-connection']).toBeUndefined();
  });

  it('forwards a request body to an allowed host', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const answer = await viaProxy(proxy, `http://127.0.0.1:${secret4.port}/form`, { method: 'POST', body: 'a=1&b=2' });
    expect(answer.body).toBe(`${SECRET}; body: a=1&b=2`);
  });

  it('refuses a loopback address by default with a 403 that names why, logs it and tells onRefusal, before any connection', async () => {
    expect(await direct(`http://127.0.0.1:${secret4.port}/`)).toBe(SECRET);
    expect(secret4.hits).toBe(1);
    sockets.value = 0;

    const lines: string[] = [];
    const refusals: ProxyRefusal[] = [];
    const log = new Logger({ name: 'proxy-test', level: 'debug', write: (line) => lines.push(line) });
    const proxy = await proxyWith({ log, onRefusal: (refusal) => refusals.push(refusal) });
    const answer = await viaProxy(proxy, `http://127.0.0.1:${secret4.port}/`);
    const reason = `Refused http://127.0.0.1:${secret4.port}/: 127.0.0.1 is a loopback address; an operator can allow it with --allow-hosts 127.0.0.1.`;
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(`${reason}\n`);
    expect(answer.headers['proxy-status']).toBe('portico; error=destination_ip_prohibited');
    expect(refusals).toEqual([{ target: `http://127.0.0.1:${secret4.port}/`, reason }]);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'notice', msg: 'Refused a proxied request', reason }),
    );
    expect(secret4.hits).toBe(1);
    expect(sockets.value).toBe(0);
  });

  it('refuses the IPv6 loopback address unless --allow-hosts names it', async () => {
    expect(await direct(`http://[::1]:${secret6.port}/`)).toBe(SECRET);
    const refusing = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const refused = await viaProxy(refusing, `http://[::1]:${secret6.port}/`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('::1 is a loopback address');
    expect(secret6.hits).toBe(1);

    const allowing = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['::1'] }) });
    expect(await viaProxy(allowing, `http://[::1]:${secret6.port}/`)).toMatchObject({ status: 200, body: SECRET });
    expect(secret6.hits).toBe(2);
  });

  it('refuses localhost and its subdomains, which a plain client reaches', async () => {
    expect(await direct(`http://localhost:${secret4.port}/`, { family: 4 })).toBe(SECRET);
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.2'] }) });
    for (const host of ['localhost', 'app.localhost', 'LOCALHOST.']) {
      const answer = await viaProxy(proxy, `http://${host}:${secret4.port}/`);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('which is a loopback address');
    }
    expect(secret4.hits).toBe(1);
  });

  it.each(LOOPBACK_SPELLINGS)(
    'refuses 127.0.0.1 spelled as a %s (%s), which a plain client reaches',
    async (_form, host) => {
      expect(await direct(`http://${host}:${secret4.port}/`)).toBe(SECRET);
      expect(secret4.hits).toBe(1);
      sockets.value = 0;
      const proxy = await proxyWith();
      const answer = await viaProxy(proxy, `http://${host}:${secret4.port}/`);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/loopback address|IPv4-mapped form of 127\.0\.0\.1/);
      expect(secret4.hits).toBe(1);
      expect(sockets.value).toBe(0);
    },
  );

  it.each(TRANSLATED_LOOPBACK)('refuses loopback carried inside the IPv6 form %s before any connection', async (ip) => {
    const proxy = await proxyWith();
    const answer = await viaProxy(proxy, `http://[${ip}]:${secret4.port}/`);
    expect(answer.status).toBe(403);
    expect(sockets.value).toBe(0);
  });

  it.each([
    ['a private-network address', '10.0.0.1'],
    ['a private-network address', '192.168.1.1'],
    ['a link-local address', '169.254.169.254'],
    ['a carrier-grade NAT address', '100.64.0.1'],
    ['a unique-local address', '[fd00::1]'],
    ['an unspecified address', '0.0.0.0'],
  ])('refuses %s (%s) before any connection', async (words, host) => {
    // No such host exists on this machine; the socket count is the proof that none was dialled.
    const proxy = await proxyWith();
    const answer = await viaProxy(proxy, `http://${host}/`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(words);
    expect(sockets.value).toBe(0);
  });

  it.each(DENIED_SPELLINGS)(
    'refuses a --deny-hosts address spelled in the %s form %s, in absolute form and as a tunnel',
    async (_form, ip) => {
      const proxy = await proxyWith({ policy: new UrlPolicy({ denyHosts: [DENIED] }) });
      const answer = await viaProxy(proxy, `http://[${ip}]/`);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('--deny-hosts');
      const tunnel = await connectTunnel(proxy, `[${ip}]:443`);
      expect(tunnel.status).toBe(403);
      expect(tunnel.head).toContain('--deny-hosts');
      expect(sockets.value).toBe(0);
    },
  );

  it('refuses a name whose DNS answer is inside, which a plain client with the same DNS reaches', async () => {
    const resolve = resolverWith({ 'inside.test': ['127.0.0.1'] });
    expect(await direct(`http://inside.test:${secret4.port}/`, { lookup: plainLookup(resolve) })).toBe(SECRET);
    expect(secret4.hits).toBe(1);

    const proxy = await proxyWith({ policy: new UrlPolicy({ resolve }) });
    const answer = await viaProxy(proxy, `http://inside.test:${secret4.port}/`);
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(
      `Refused http://inside.test:${secret4.port}/: inside.test resolves to 127.0.0.1, which is a loopback address; an operator can allow it with --allow-hosts inside.test.\n`,
    );
    expect(secret4.hits).toBe(1);
  });

  it('refuses a name when any of its answers is inside, even if the first is allowed', async () => {
    const proxy = await proxyWith({
      policy: new UrlPolicy({
        allowHosts: ['127.0.0.1'],
        resolve: resolverWith({ 'mixed.test': ['127.0.0.1', '::1'] }),
      }),
    });
    const answer = await viaProxy(proxy, `http://mixed.test:${secret4.port}/`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('mixed.test resolves to ::1');
    expect(secret4.hits).toBe(0);
  });

  it('logs the first refusals of a burst and a count of the rest, while onRefusal hears of every one', async () => {
    const lines: string[] = [];
    const refusals: ProxyRefusal[] = [];
    const log = new Logger({ name: 'proxy-test', level: 'debug', write: (line) => lines.push(line) });
    const proxy = await proxyWith({ log, onRefusal: (refusal) => refusals.push(refusal) });
    for (let index = 0; index < 30; index += 1) {
      expect((await viaProxy(proxy, `http://127.0.0.1:${secret4.port}/${index}`)).status).toBe(403);
    }
    expect(refusals).toHaveLength(30);
    expect(lines.filter((line) => line.includes('Refused a proxied request'))).toHaveLength(20);
  });

  it('tries the next checked address of a name when the first does not answer', async () => {
    // Nothing listens on 127.0.0.2 at the secret server's port, so the first answer is refused by the OS.
    const resolve = resolverWith({ 'two.test': ['127.0.0.2', '127.0.0.1'] });
    const lines: string[] = [];
    const log = new Logger({ name: 'proxy-test', level: 'debug', write: (line) => lines.push(line) });
    const proxy = await proxyWith({ log, policy: new UrlPolicy({ allowHosts: ['127.0.0.0/8'], resolve }) });
    expect(await viaProxy(proxy, `http://two.test:${secret4.port}/`)).toMatchObject({ status: 200, body: SECRET });
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ msg: 'A proxied connection failed', address: '127.0.0.2' }),
    );
    const tunnel = await connectTunnel(proxy, `two.test:${secret4.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
  });

  it('answers 502 with one sentence when no checked address answers', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.2'] }) });
    const answer = await viaProxy(proxy, `http://127.0.0.2:${secret4.port}/`);
    expect(answer.status).toBe(502);
    expect(answer.body).toBe(`127.0.0.2:${secret4.port} refused the connection.\n`);
  });

  it('answers 502 with one sentence for a name that does not resolve', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ resolve: async () => [] }) });
    const answer = await viaProxy(proxy, 'http://nowhere.test/');
    expect(answer.status).toBe(502);
    expect(answer.body).toBe('Could not resolve nowhere.test; check the host name.\n');
  });

  it('refuses to forward to itself even when its address is allowed', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const answer = await viaProxy(proxy, `http://127.0.0.1:${proxy.port}/`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('it is this proxy itself');
    const tunnel = await connectTunnel(proxy, `127.0.0.1:${proxy.port}`);
    expect(tunnel.status).toBe(403);
    const unspecified = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['0.0.0.0'] }) });
    expect((await viaProxy(unspecified, `http://0.0.0.0:${unspecified.port}/`)).body).toContain(
      'it is this proxy itself',
    );
  });
});

describe('DNS rebinding', () => {
  // Two servers on one port, 127.0.0.1 (allowed) and ::1 (refused): the same URL reaches either, by DNS alone.
  let twin6: net.Server | undefined;
  let twinHits = 0;

  beforeAll(async () => {
    twin6 = http.createServer((_request, response) => {
      twinHits += 1;
      response.end('the IPv6 twin');
    });
    await new Promise<void>((resolve, reject) => {
      twin6!.once('error', reject);
      twin6!.listen(secret4.port, '::1', resolve);
    });
  });
  afterAll(() => new Promise<void>((resolve) => (twin6 ? twin6.close(() => resolve()) : resolve())));
  beforeEach(() => {
    twinHits = 0;
  });

  function rebinding(): { resolve: Resolver; calls: () => number } {
    let calls = 0;
    return {
      resolve: async () => {
        calls += 1;
        const address = calls === 1 ? '127.0.0.1' : '::1';
        return [{ address, family: address.includes(':') ? 6 : 4 }];
      },
      calls: () => calls,
    };
  }

  it('connects to the address it checked, so a second answer cannot switch the target', async () => {
    // A check-then-connect design: the first answer is checked and approved, the connection resolves again.
    const unguarded = rebinding();
    const [checked] = await unguarded.resolve('rebind.test', { family: 0 });
    expect(new UrlPolicy({ allowHosts: ['127.0.0.1'] }).isAddressAllowed(checked!.address, 'rebind.test')).toBe(true);
    expect(await direct(`http://rebind.test:${secret4.port}/`, { lookup: plainLookup(unguarded.resolve) })).toBe(
      'the IPv6 twin',
    );
    expect(twinHits).toBe(1);

    const dns = rebinding();
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'], resolve: dns.resolve }) });
    expect(await viaProxy(proxy, `http://rebind.test:${secret4.port}/`)).toMatchObject({ status: 200, body: SECRET });
    expect(dns.calls()).toBe(1);
    // The next connection resolves again and is judged on its new answer.
    const second = await viaProxy(proxy, `http://rebind.test:${secret4.port}/`);
    expect(second.status).toBe(403);
    expect(second.body).toContain('rebind.test resolves to ::1, which is a loopback address');
    expect(twinHits).toBe(1);
  });

  it('connects a tunnel to the address it checked', async () => {
    const dns = rebinding();
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'], resolve: dns.resolve }) });
    const tunnel = await connectTunnel(proxy, `rebind.test:${secret4.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.write(`GET / HTTP/1.1\r\nHost: rebind.test\r\nConnection: close\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      tunnel.socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      tunnel.socket.once('close', () => resolve(text));
    });
    expect(answer).toContain(SECRET);
    expect(dns.calls()).toBe(1);
    expect((await connectTunnel(proxy, `rebind.test:${secret4.port}`)).status).toBe(403);
    expect(twinHits).toBe(0);
  });
});

describe('CONNECT tunnels', () => {
  let tcp: Awaited<ReturnType<typeof startTcpServer>>;
  beforeAll(async () => {
    tcp = await startTcpServer();
  });
  afterAll(() => tcp.close());

  it('opens a tunnel to an allowed host and carries bytes both ways, including bytes sent with the CONNECT', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const tunnel = await connectTunnel(proxy, `127.0.0.1:${tcp.port}`);
    expect(tunnel.status).toBe(200);
    const greeting = tunnel.head.endsWith('hello\n') ? 'hello\n' : await nextData(tunnel.socket);
    expect(greeting).toBe('hello\n');
    tunnel.socket.write('ping');
    expect(await nextData(tunnel.socket)).toBe('echo:ping');
    tunnel.socket.destroy();
  });

  it('refuses a tunnel to a loopback address with a 403 naming why, before any connection', async () => {
    const before = tcp.connections();
    await new Promise<void>((resolve) =>
      net.connect({ host: '127.0.0.1', port: tcp.port }, function (this: net.Socket) {
        this.destroy();
        resolve();
      }),
    );
    expect(tcp.connections()).toBe(before + 1);
    sockets.value = 0;

    const refusals: ProxyRefusal[] = [];
    const proxy = await proxyWith({ onRefusal: (refusal) => refusals.push(refusal) });
    const tunnel = await connectTunnel(proxy, `127.0.0.1:${tcp.port}`);
    expect(tunnel.status).toBe(403);
    expect(tunnel.head).toContain(`Refused a tunnel to 127.0.0.1:${tcp.port}: 127.0.0.1 is a loopback address`);
    expect(tunnel.head).toContain('Proxy-Status: portico; error=destination_ip_prohibited');
    expect(refusals).toHaveLength(1);
    expect(tcp.connections()).toBe(before + 1);
    expect(sockets.value).toBe(0);
  });

  it.each(['2130706433', '0x7f.1', '[::ffff:127.0.0.1]', 'localhost', 'inside.test'])(
    'refuses a tunnel to loopback spelled %s',
    async (host) => {
      const before = tcp.connections();
      const proxy = await proxyWith({
        policy: new UrlPolicy({ resolve: resolverWith({ 'inside.test': ['127.0.0.1'] }) }),
      });
      const tunnel = await connectTunnel(proxy, `${host}:${tcp.port}`);
      expect(tunnel.status).toBe(403);
      expect(tcp.connections()).toBe(before);
    },
  );

  it.each([
    '127.0.0.1',
    '127.0.0.1:0',
    '127.0.0.1:99999',
    'a:b:c',
    '[::1:80',
    'user@127.0.0.1:80',
    '127.0.0.1:80/path',
  ])('answers 400 to the malformed CONNECT target %s', async (authority) => {
    const before = tcp.connections();
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const answer = await exchange(proxy.port, `CONNECT ${authority} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(tcp.connections()).toBe(before);
  });
});

describe('WebSocket upgrades in absolute form', () => {
  // A minimal upgrade endpoint: it answers 101 and echoes, enough to show a spliced connection.
  let upgrades = 0;
  const upgraded = new Set<net.Socket>();
  let ws: http.Server;
  let wsPort = 0;
  beforeAll(async () => {
    ws = http.createServer((_request, response) => response.end('not an upgrade'));
    ws.on('upgrade', (request: http.IncomingMessage, socket: net.Socket) => {
      upgrades += 1;
      upgraded.add(socket);
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Host: ${request.headers.host}\r\n\r\n`,
      );
      socket.on('data', (chunk) => socket.write(`echo:${chunk.toString()}`));
    });
    await new Promise<void>((resolve) => ws.listen(0, '127.0.0.1', resolve));
    wsPort = (ws.address() as AddressInfo).port;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of upgraded) socket.destroy();
        ws.closeAllConnections();
        ws.close(() => resolve());
      }),
  );

  function upgrade(port: number, target: string): Promise<{ head: string; socket: net.Socket }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let text = '';
      socket.on('data', function onData(chunk: Buffer) {
        text += chunk.toString();
        if (!text.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        resolve({ head: text, socket });
      });
      socket.once('error', reject);
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${wsPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
  }

  it('splices an upgrade to an allowed host and carries frames both ways', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const { head, socket } = await upgrade(proxy.port, `http://127.0.0.1:${wsPort}/chat`);
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head).toContain(`X-Host: 127.0.0.1:${wsPort}`);
    socket.write('frame');
    expect(await nextData(socket)).toBe('echo:frame');
    socket.destroy();
  });

  it('refuses an upgrade to a loopback address that a direct upgrade reaches', async () => {
    const direct = await upgrade(wsPort, '/chat');
    expect(direct.head).toMatch(/^HTTP\/1\.1 101 /);
    direct.socket.destroy();
    const before = upgrades;

    const proxy = await proxyWith();
    const { head } = await upgrade(proxy.port, `ws://127.0.0.1:${wsPort}/chat`);
    expect(head).toMatch(/^HTTP\/1\.1 403 /);
    expect(head).toContain('127.0.0.1 is a loopback address');
    expect(upgrades).toBe(before);
  });
});

describe('malformed and smuggled requests', () => {
  it('answers 400 to a request in origin form instead of forwarding it anywhere', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const answer = await exchange(proxy.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${secret4.port}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('send the request with an absolute URL');
    expect(secret4.hits).toBe(0);
  });

  it('answers 400 to a request with two Host headers', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const url = `http://127.0.0.1:${secret4.port}/`;
    const answer = await exchange(
      proxy.port,
      `GET ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: [::1]:${secret6.port}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(secret4.hits + secret6.hits).toBe(0);
  });

  it('answers 400 to Content-Length beside Transfer-Encoding, so no second request hides in the body', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const hidden = `GET http://[::1]:${secret6.port}/ HTTP/1.1\r\nHost: [::1]\r\n\r\n`;
    const answer = await exchange(
      proxy.port,
      `POST http://127.0.0.1:${secret4.port}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(secret4.hits + secret6.hits).toBe(0);
  });

  it('answers 400 to two different Content-Length headers and to a header without a colon', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const url = `http://127.0.0.1:${secret4.port}/`;
    expect(
      await exchange(proxy.port, `POST ${url} HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`),
    ).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(proxy.port, `GET ${url} HTTP/1.1\r\nHost: a\r\nBroken header\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    expect(secret4.hits).toBe(0);
  });

  it('delivers a request-shaped body as body only, and checks every request of a kept-alive connection', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    const inner = `GET http://[::1]:${secret6.port}/ HTTP/1.1\r\nHost: [::1]\r\n\r\n`;
    const allowed = `POST http://127.0.0.1:${secret4.port}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`;
    const refused = `GET http://[::1]:${secret6.port}/ HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n`;
    const answer = await exchange(proxy.port, allowed + refused);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain(`${SECRET}; body: ${inner}`);
    expect(answer).toContain('HTTP/1.1 403 ');
    expect(secret4.hits).toBe(1);
    expect(secret6.hits).toBe(0);
  });

  it('refuses https: and non-http URLs in absolute form', async () => {
    const proxy = await proxyWith({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
    for (const url of [
      `https://127.0.0.1:${secret4.port}/`,
      `ftp://127.0.0.1:${secret4.port}/`,
      `file:///etc/passwd`,
    ]) {
      expect(await exchange(proxy.port, `GET ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(secret4.hits).toBe(0);
  });
});

describe('limits', () => {
  it('binds 127.0.0.1 only', async () => {
    const proxy = await proxyWith();
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      net
        .connect({ host: '::1', port: proxy.port })
        .once('error', resolve)
        .once('connect', function (this: net.Socket) {
          this.destroy();
          resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
        });
    });
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('closes a client that does not finish its request head within the headers timeout', async () => {
    const proxy = await proxyWith({ limits: { headersTimeoutMs: 300 } });
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.once('close', () => resolve(text));
      socket.write(`GET http://127.0.0.1:${secret4.port}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(secret4.hits).toBe(0);
  });

  it('closes both ends of a tunnel that carries nothing for the idle timeout', async () => {
    const tcp = await startTcpServer();
    try {
      const proxy = await proxyWith({
        policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }),
        limits: { idleTimeoutMs: 300 },
      });
      const tunnel = await connectTunnel(proxy, `127.0.0.1:${tcp.port}`);
      expect(tunnel.status).toBe(200);
      await new Promise((resolve) => tunnel.socket.once('close', resolve));
      expect(tcp.connections()).toBe(1);
    } finally {
      await tcp.close();
    }
  });

  it('closes connections past the connection limit on arrival', async () => {
    const tcp = await startTcpServer();
    try {
      const proxy = await proxyWith({
        policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }),
        limits: { maxConnections: 1 },
      });
      const first = await connectTunnel(proxy, `127.0.0.1:${tcp.port}`);
      expect(first.status).toBe(200);
      const second = await exchange(proxy.port, `CONNECT 127.0.0.1:${tcp.port} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(second).toBe('');
      expect(tcp.connections()).toBe(1);
      first.socket.destroy();
    } finally {
      await tcp.close();
    }
  });

  it('ends every open tunnel when closed', async () => {
    const tcp = await startTcpServer();
    try {
      const proxy = await startPolicyProxy({ policy: new UrlPolicy({ allowHosts: ['127.0.0.1'] }) });
      sockets.proxyPorts.add(proxy.port);
      const tunnel = await connectTunnel(proxy, `127.0.0.1:${tcp.port}`);
      const closed = new Promise((resolve) => tunnel.socket.once('close', resolve));
      await proxy.close();
      await closed;
      expect(tunnel.socket.destroyed).toBe(true);
    } finally {
      await tcp.close();
    }
  });
});
