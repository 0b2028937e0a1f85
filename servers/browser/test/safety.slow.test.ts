// The browser's network boundary in real headless Chromium. The page is served from 127.0.0.1, which
// --allow-hosts opens; the "internal" target is a counting server on 127.0.0.2, which stays refused. Every
// route is first taken by a plain Chromium (no proxy, no guard) and reaches the target; then by the browser
// as the server launches it, where the proxy refuses it and the target counts nothing.
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@portico-mcp/shared/log';
import { UrlPolicy } from '@portico-mcp/shared/net';
import type { ProxyRefusal, Resolver } from '@portico-mcp/shared/net';
import { connectInProcess, resultText } from '@portico-mcp/shared/testing';
import type { InProcessServer } from '@portico-mcp/shared/testing';
import { launchBrowser } from '../src/browser/launch.js';
import type { LaunchedBrowser } from '../src/browser/launch.js';
import { checkNavigationUrl } from '../src/browser/network.js';
import { browserServer } from '../src/server.js';
import { arrivesOn, pageServer, refusal, ROUTES, startCounting, TUNNELLED } from './safety-corpus.js';
import type { CountingServer } from './safety-corpus.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = process.getuid?.() === 0;
const PLAIN_FLAGS = [
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  ...(ROOT ? ['--no-sandbox'] : []),
];

let target: CountingServer;
let pages: http.Server;
let pageOrigin: string;
let plain: Browser;
let plainProfile: string;
let guarded: LaunchedBrowser;
const lines: string[] = [];

function internal(): string {
  return `http://${target.host}:${target.port}`;
}

async function launchGuarded(policy: UrlPolicy): Promise<LaunchedBrowser> {
  return launchBrowser({
    executablePath: CHROMIUM,
    headless: true,
    runningAsRoot: ROOT,
    viewport: { width: 800, height: 600 },
    env: { HOME: process.env.HOME, PATH: process.env.PATH },
    policy,
    log: new Logger({ name: 'safety-test', level: 'debug', write: (line) => lines.push(line) }),
  });
}

async function freshPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  return page;
}

beforeAll(async () => {
  target = await startCounting('127.0.0.2');
  pages = pageServer(internal);
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const puppeteer = (await import('puppeteer-core')).default;
  plainProfile = mkdtempSync(join(tmpdir(), 'portico-safety-plain-'));
  plain = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: PLAIN_FLAGS,
    userDataDir: plainProfile,
  });
  guarded = await launchGuarded(new UrlPolicy({ allowHosts: ['127.0.0.1'] }));
}, 60_000);

afterAll(async () => {
  await Promise.all([plain?.close(), guarded?.close()]);
  rmSync(plainProfile, { recursive: true, force: true });
  await Promise.all([target.close(), new Promise((resolve) => pages.close(resolve))]);
});

describe('every route a page can take to an internal address', () => {
  it('puts the internal target out of reach of the page origin by the policy alone', () => {
    const policy = new UrlPolicy({ allowHosts: ['127.0.0.1'] });
    expect(() => policy.checkUrl(pageOrigin)).not.toThrow();
    expect(() => policy.checkUrl(internal())).toThrow('127.0.0.2 is a loopback address');
  });

  it.each(ROUTES)('lets a plain Chromium reach the internal target by %s', async (route) => {
    target.reset();
    const page = await freshPage(plain);
    try {
      const arrived = route === 'https-fetch' ? target.connected() : target.hit(arrivesOn(route));
      await page.goto(`${pageOrigin}/route/${route}`);
      await arrived;
      if (route === 'https-fetch') expect(target.connections).toBeGreaterThan(0);
      else expect(target.paths).toContain(arrivesOn(route));
    } finally {
      await page.close();
    }
  });

  it.each(ROUTES)(
    'refuses %s to the internal target in the browser the server launches, with zero hits',
    async (route) => {
      target.reset();
      const page = await freshPage(guarded.browser);
      try {
        const refused = refusal(guarded, (seen) =>
          TUNNELLED.has(route)
            ? seen.target === `${target.host}:${target.port}`
            : seen.target.endsWith(arrivesOn(route)),
        );
        // Should the request get through, the target's connection ends the wait at once instead of a timeout.
        const reached = target.connected().then(() => 'reached' as const);
        await page.goto(`${pageOrigin}/route/${route}`);
        const seen = await Promise.race([refused, reached]);
        expect(seen).not.toBe('reached');
        expect((seen as ProxyRefusal).reason).toContain('127.0.0.2 is a loopback address');
        expect(target.paths).toEqual([]);
        expect(target.connections).toBe(0);
      } finally {
        await page.close();
      }
    },
  );
});

describe('what the page origin may still do through the proxy', () => {
  // A minimal WebSocket endpoint on the allowed address: the handshake, then one text frame.
  let ws: http.Server;
  let wsPort = 0;
  const upgraded = new Set<Socket>();
  beforeAll(async () => {
    ws = http.createServer((_request, response) =>
      response.writeHead(200, { 'access-control-allow-origin': '*' }).end('plain answer'),
    );
    ws.on('upgrade', (request: http.IncomingMessage, socket: Socket) => {
      const accept = createHash('sha1')
        .update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.write(Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('hello')]));
      socket.on('error', () => socket.destroy());
      socket.once('end', () => socket.destroy());
      upgraded.add(socket);
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

  it('fetches from an allowed origin and opens a WebSocket to it, tunnelled through the proxy', async () => {
    const page = await freshPage(guarded.browser);
    try {
      await page.goto(`${pageOrigin}/route/none`);
      const answers = await page.evaluate(async (port) => {
        const text = await (await fetch(`http://127.0.0.1:${port}/`)).text().catch((error: Error) => error.message);
        const message = await new Promise<string>((resolve) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
          socket.onmessage = (event) => resolve(String(event.data));
          socket.onerror = () => resolve('error');
        });
        return { text, message };
      }, wsPort);
      expect(answers).toEqual({ text: 'plain answer', message: 'hello' });
    } finally {
      await page.close();
    }
  });
});

describe('addresses Chromium would otherwise connect to directly', () => {
  // Chromium bypasses a proxy for loopback and link-local hosts unless told `<-loopback>`; the metadata
  // address of every cloud is link-local. A refusal in the proxy proves the request went through it.
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::1]/',
    'http://127.0.0.3/',
  ])('sends a page request to %s through the proxy, which refuses it', async (url) => {
    const page = await freshPage(guarded.browser);
    try {
      const refused = refusal(guarded, (seen) => seen.target === url);
      await page.goto(`${pageOrigin}/route/none`);
      void page
        .evaluate((address) => fetch(address, { mode: 'no-cors' }).catch(() => undefined), url)
        .catch(() => undefined);
      expect((await refused).reason).toMatch(/link-local|loopback/);
    } finally {
      await page.close();
    }
  });
});

describe('redirects', () => {
  it('lets a plain Chromium follow a redirect into the internal address', async () => {
    target.reset();
    const page = await freshPage(plain);
    try {
      await page.goto(`${pageOrigin}/redirect`);
      expect(await page.evaluate(() => document.body.innerText)).toBe('the internal secret');
      expect(target.paths).toContain('/redirect');
    } finally {
      await page.close();
    }
  });

  it('answers a redirect into the internal address with the proxy refusal, never the target', async () => {
    target.reset();
    const page = await freshPage(guarded.browser);
    try {
      const response = await page.goto(`${pageOrigin}/redirect`);
      expect(response?.status()).toBe(403);
      expect(guarded.network!.takeRefusals().map((seen) => seen.target)).toContain(
        `http://127.0.0.2:${target.port}/redirect`,
      );
      expect(await page.evaluate(() => document.body.innerText)).toContain(
        `Refused http://127.0.0.2:${target.port}/redirect: 127.0.0.2 is a loopback address`,
      );
      expect(target.connections).toBe(0);
    } finally {
      await page.close();
    }
  });
});

describe('DNS rebinding', () => {
  // The page's own name answers 127.0.0.1 (allowed) first and 127.0.0.2 (refused) from then on; a twin
  // server listens on 127.0.0.2 on the page's port, so a same-origin fetch after rebinding reaches it.
  let twin: CountingServer;
  let port: number;
  beforeAll(async () => {
    port = (pages.address() as AddressInfo).port;
    twin = await startCounting('127.0.0.2', port, 'the rebound secret');
  });
  afterAll(() => twin.close());

  it('lets a plain Chromium whose DNS gives the second answer reach the twin under the page name', async () => {
    const puppeteer = (await import('puppeteer-core')).default;
    const profile = mkdtempSync(join(tmpdir(), 'portico-safety-rebind-'));
    // A static mapping stands in for the rebound answer: once the name points at 127.0.0.2, the page's own
    // origin is the internal server, and nothing in a plain browser checks it again.
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...PLAIN_FLAGS, '--host-resolver-rules=MAP rebind.test 127.0.0.2'],
      userDataDir: profile,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://rebind.test:${port}/rebound`);
      expect(await page.evaluate(() => document.body.innerText)).toBe('the rebound secret');
      expect(twin.paths).toContain('/rebound');
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('refuses the same-origin request once the page name rebinds to the internal address', async () => {
    twin.reset();
    let calls = 0;
    // Chromium's own background requests go through the proxy too; only the page name is answered here.
    const resolve: Resolver = async (name) => {
      if (name !== 'rebind.test') return [];
      calls += 1;
      return [{ address: calls === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    const rebinding = await launchGuarded(new UrlPolicy({ allowHosts: ['127.0.0.1'], resolve }));
    try {
      const page = await rebinding.browser.newPage();
      const refused = refusal(rebinding, (seen) => seen.target.endsWith('/rebound'));
      // The first answer (127.0.0.1) serves the page; its script then asks its own origin again.
      const reached = twin.hit('/rebound').then(() => 'reached' as const);
      await page.goto(`http://rebind.test:${port}/route/rebind`);
      expect(await page.title()).toBe('rebind');
      const seen = await Promise.race([refused, reached]);
      expect(seen).not.toBe('reached');
      expect((seen as ProxyRefusal).reason).toContain('rebind.test resolves to 127.0.0.2, which is a loopback address');
      expect(twin.paths).toEqual([]);
      expect(twin.connections).toBe(0);
    } finally {
      await rebinding.close();
    }
  });
});

describe('side doors beside the proxy', () => {
  // A fresh UDP socket per test, so a late datagram of one test is never counted in the next.
  type Listener = {
    readonly port: number;
    readonly count: () => number;
    readonly first: Promise<void>;
    close(): Promise<void>;
  };
  async function listenUdp(): Promise<Listener> {
    const udp = dgram.createSocket('udp4');
    let datagrams = 0;
    let arrived: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    udp.on('message', () => {
      datagrams += 1;
      arrived();
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.2', resolve));
    return {
      port: udp.address().port,
      count: () => datagrams,
      first,
      close: () => new Promise<void>((resolve) => udp.close(() => resolve())),
    };
  }

  const stun = (port: number): string => `
    new Promise((resolve) => {
      const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.2:${port}' }] });
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve('complete');
      pc.createDataChannel('x');
      pc.createOffer().then((offer) => pc.setLocalDescription(offer));
    })`;
  const webTransport = (port: number): string => `
    new Promise((resolve) => {
      try { new WebTransport('https://127.0.0.2:${port}/').ready.then(() => resolve('open'), () => resolve('failed')); }
      catch { resolve('unsupported'); }
    })`;

  it.each([
    ['WebRTC STUN', stun],
    ['WebTransport (QUIC)', webTransport],
  ])('lets a plain Chromium send %s datagrams to the internal address', async (_route, script) => {
    const udp = await listenUdp();
    const page = await freshPage(plain);
    try {
      await page.goto(`${pageOrigin}/route/none`);
      void page.evaluate(script(udp.port)).catch(() => undefined);
      await udp.first;
      expect(udp.count()).toBeGreaterThan(0);
    } finally {
      await page.close();
      await udp.close();
    }
  });

  it.each([
    ['WebRTC STUN', stun],
    ['WebTransport (QUIC)', webTransport],
  ])('sends no %s datagram at all from the browser the server launches', async (_route, script) => {
    const udp = await listenUdp();
    const page = await freshPage(guarded.browser);
    try {
      await page.goto(`${pageOrigin}/route/none`);
      const outcome = await page.evaluate(script(udp.port));
      expect(outcome).not.toBe('open');
      expect(udp.count()).toBe(0);
    } finally {
      await page.close();
      await udp.close();
    }
  });
});

describe('local schemes', () => {
  let secretDir: string;
  let secretFile: string;
  beforeAll(() => {
    secretDir = mkdtempSync(join(tmpdir(), 'portico-safety-file-'));
    secretFile = join(secretDir, 'secret.html');
    writeFileSync(secretFile, '<title>secret</title><p>a local secret</p>');
  });
  afterAll(() => rmSync(secretDir, { recursive: true, force: true }));

  it.each([
    'file:///etc/passwd',
    'chrome://version',
    'data:text/html,<p>hi</p>',
    'javascript:alert(1)',
    'view-source:http://127.0.0.1/',
    'about:blank',
    'blob:http://127.0.0.1/x',
  ])('refuses to navigate to %s', (url) => {
    expect(() => checkNavigationUrl(url, new UrlPolicy({ allowHosts: ['127.0.0.1'] }))).toThrow(
      /^Refused the [a-z-]+: URL: the browser only navigates to http: and https: URLs\.$/,
    );
  });

  it('lets a plain Chromium open a local file, a data: URL and chrome: pages when asked to navigate there', async () => {
    const page = await freshPage(plain);
    try {
      await page.goto(`file://${secretFile}`);
      expect(await page.evaluate(() => document.body.innerText)).toBe('a local secret');
      await page.goto('data:text/html,<p>from data</p>');
      expect(page.url()).toMatch(/^data:/);
      await page.goto('chrome://version');
      expect(page.url()).toBe('chrome://version/');
    } finally {
      await page.close();
    }
  });

  it('fails a file: load in the browser the server launches even when a navigation skips the URL check', async () => {
    const page = await freshPage(guarded.browser);
    try {
      await guarded.network!.guardPage(page);
      await expect(page.goto(`file://${secretFile}`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
      expect(await page.evaluate(() => document.body?.innerText ?? '')).not.toContain('a local secret');
    } finally {
      await page.close();
    }
  });

  it('sends a data: or chrome: frame to about:blank in the browser the server launches', async () => {
    const page = await freshPage(guarded.browser);
    try {
      await guarded.network!.guardPage(page);
      for (const url of ['data:text/html,<p>from data</p>', 'chrome://version']) {
        const blanked = page.waitForNavigation({ waitUntil: 'load' }).catch(() => undefined);
        await page.goto(url).catch(() => undefined);
        await blanked;
        await page.waitForFunction(() => location.href === 'about:blank');
      }
      const framed = page.waitForFrame((frame) => frame.url() === 'about:blank' && frame !== page.mainFrame());
      await page.goto(`${pageOrigin}/data-frame`);
      await framed;
      expect(page.frames().map((frame) => frame.url())).toEqual([`${pageOrigin}/data-frame`, 'about:blank']);
    } finally {
      await page.close();
    }
  });
});

describe('through the server tools', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await connectInProcess(browserServer, ['--allow-hosts', '127.0.0.1', '--executable-path', CHROMIUM]);
  }, 60_000);
  afterAll(() => server?.close());

  it.each([
    'file:///etc/passwd',
    'chrome://version',
    'data:text/html,hi',
    'javascript:alert(1)',
    'view-source:http://127.0.0.1/',
  ])('answers browser_navigate to %s with one sentence and isError', async (url) => {
    const result = await server.client.callTool({ name: 'browser_navigate', arguments: { url } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(
      /^Refused the [a-z-]+: URL: the browser only navigates to http: and https: URLs\.$/,
    );
  });

  it('answers browser_navigate to an internal address with the policy sentence and isError', async () => {
    target.reset();
    const result = await server.client.callTool({
      name: 'browser_navigate',
      arguments: { url: `${internal()}/direct` },
    });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain(
      '127.0.0.2 is a loopback address; an operator can allow it with --allow-hosts 127.0.0.2.',
    );
    expect(target.connections).toBe(0);
  });

  it('never reaches the internal address when an allowed page redirects there', async () => {
    target.reset();
    const result = await server.client.callTool({
      name: 'browser_navigate',
      arguments: { url: `${pageOrigin}/redirect` },
    });
    expect(resultText(result)).toContain('Refused http://127.0.0.2');
    expect(target.connections).toBe(0);
  });
});
