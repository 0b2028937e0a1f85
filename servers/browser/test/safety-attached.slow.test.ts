// The network boundary of an attached browser (--cdp-endpoint). The "user's browser" is a headless Chromium
// this test starts by hand with --remote-debugging-port on 127.0.0.1, so none of Portico's launch flags are
// in it. Every route of the launched-browser corpus is taken twice on that same browser: by raw puppeteer in
// its default context, where it reaches the internal target, and in the context the server works in, where
// the server's filtering proxy refuses it and the target counts nothing.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@portico-mcp/shared/log';
import { UrlPolicy } from '@portico-mcp/shared/net';
import type { ProxyRefusal } from '@portico-mcp/shared/net';
import { launchBrowser } from '../src/browser/launch.js';
import type { LaunchedBrowser } from '../src/browser/launch.js';
import { connectBrowser, refOf } from './helpers.js';
import type { BrowserConnection } from './helpers.js';
import { startSite } from './site.js';
import type { TestSite } from './site.js';
import { arrivesOn, pageServer, refusal, ROUTES, startCounting, TUNNELLED } from './safety-corpus.js';
import type { CountingServer } from './safety-corpus.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = process.getuid?.() === 0;

let userBrowser: ChildProcess;
let userProfile: string;
let devtools: string;
let raw: Browser;
let target: CountingServer;
let pages: http.Server;
let pageOrigin: string;
let attached: LaunchedBrowser;
let context: BrowserContext;

const internal = (): string => `http://${target.host}:${target.port}`;

/** Starts Chromium as a user would for remote debugging, and resolves with its DevTools ws:// URL. */
function startUserBrowser(profile: string): Promise<{ child: ChildProcess; ws: string }> {
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--remote-debugging-port=0',
      '--remote-debugging-address=127.0.0.1',
      `--user-data-dir=${profile}`,
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(ROOT ? ['--no-sandbox'] : []),
      'about:blank',
    ],
    // Its own process group, so the helpers go with it at the end and none writes into the profile after.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) resolve({ child, ws: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}) before listening:\n${seen}`)));
  });
}

function attach(policy: UrlPolicy, cdpCookies: 'copy' | 'none' = 'copy'): Promise<LaunchedBrowser> {
  return launchBrowser({
    cdpEndpoint: devtools,
    cdpCookies,
    headless: true,
    runningAsRoot: ROOT,
    viewport: { width: 800, height: 600 },
    env: {},
    policy,
    log: new Logger({ name: 'safety-attached-test', level: 'error', write: () => undefined }),
  });
}

/** Takes `route` from `page` and settles with the refusal, or 'reached' should the target see a connection. */
async function take(page: Page, route: string, guard: LaunchedBrowser): Promise<ProxyRefusal | 'reached'> {
  const refused = refusal(guard, (seen) =>
    TUNNELLED.has(route) ? seen.target === `${target.host}:${target.port}` : seen.target.endsWith(arrivesOn(route)),
  );
  const reached = target.connected().then(() => 'reached' as const);
  await page.goto(`${pageOrigin}/route/${route}`);
  return Promise.race([refused, reached]);
}

beforeAll(async () => {
  target = await startCounting('127.0.0.2');
  pages = pageServer(internal);
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  userProfile = mkdtempSync(join(tmpdir(), 'portico-safety-user-'));
  const started = await startUserBrowser(userProfile);
  userBrowser = started.child;
  devtools = started.ws;
  const puppeteer = (await import('puppeteer-core')).default;
  raw = await puppeteer.connect({ browserWSEndpoint: devtools, defaultViewport: null });
  attached = await attach(new UrlPolicy({ allowHosts: ['127.0.0.1'] }));
  context = await attached.createContext();
}, 60_000);

afterAll(async () => {
  await attached?.close();
  await raw?.disconnect();
  const exited = new Promise((resolve) => userBrowser.once('exit', resolve));
  process.kill(-userBrowser.pid!, 'SIGKILL');
  await exited;
  rmSync(userProfile, { recursive: true, force: true, maxRetries: 5 });
  await Promise.all([target.close(), new Promise((resolve) => pages.close(resolve))]);
});

describe('every route a page can take to an internal address, in an attached browser', () => {
  it.each(ROUTES)(
    "reaches the internal target by %s from the user's own context of the attached browser",
    async (route) => {
      target.reset();
      const page = await raw.defaultBrowserContext().newPage();
      try {
        const arrived = route === 'https-fetch' ? target.connected() : target.hit(arrivesOn(route));
        await page.goto(`${pageOrigin}/route/${route}`);
        await arrived;
        if (route === 'https-fetch') expect(target.connections).toBeGreaterThan(0);
        else expect(target.paths).toContain(arrivesOn(route));
      } finally {
        await page.close();
      }
    },
  );

  it.each(ROUTES)(
    'refuses %s to the internal target in the context the server works in, with zero hits',
    async (route) => {
      target.reset();
      const page = await context.newPage();
      try {
        const seen = await take(page, route, attached);
        expect(seen).not.toBe('reached');
        expect((seen as ProxyRefusal).reason).toContain('127.0.0.2 is a loopback address');
        expect(target.paths).toEqual([]);
        expect(target.connections).toBe(0);
      } finally {
        await page.close();
      }
    },
  );

  it('answers a redirect into the internal address with the proxy refusal in the server context, while the user context follows it', async () => {
    target.reset();
    const open = await raw.defaultBrowserContext().newPage();
    try {
      await open.goto(`${pageOrigin}/redirect`);
      expect(await open.evaluate(() => document.body.innerText)).toBe('the internal secret');
    } finally {
      await open.close();
    }
    target.reset();
    const page = await context.newPage();
    try {
      const response = await page.goto(`${pageOrigin}/redirect`);
      expect(response?.status()).toBe(403);
      expect(await page.evaluate(() => document.body.innerText)).toContain(
        `Refused http://127.0.0.2:${target.port}/redirect: 127.0.0.2 is a loopback address`,
      );
      expect(target.connections).toBe(0);
    } finally {
      await page.close();
    }
  });

  // Chromium sends loopback and link-local hosts around a context's proxy unless the bypass list says `<-loopback>`.
  it.each(['http://169.254.169.254/latest/meta-data/', 'http://[::1]/', 'http://127.0.0.3/'])(
    'sends a page request to %s through the proxy in the server context, which refuses it',
    async (url) => {
      const page = await context.newPage();
      try {
        const refused = refusal(attached, (seen) => seen.target === url);
        await page.goto(`${pageOrigin}/route/none`);
        void page
          .evaluate((address) => fetch(address, { mode: 'no-cors' }).catch(() => undefined), url)
          .catch(() => undefined);
        expect((await refused).reason).toMatch(/link-local|loopback/);
      } finally {
        await page.close();
      }
    },
  );

  it('fails a file: load in the server context even when a navigation skips the URL check', async () => {
    const page = await context.newPage();
    try {
      await attached.network!.guardPage(page);
      await expect(page.goto('file:///etc/hostname')).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    } finally {
      await page.close();
    }
  });

  it("leaves the user's own tabs unguarded: their file: loads are not the server's to refuse", async () => {
    const page = await raw.defaultBrowserContext().newPage();
    try {
      await expect(page.goto('file:///etc/hostname')).resolves.toBeTruthy();
    } finally {
      await page.close();
    }
  });
});

describe('cookies of the attached browser', () => {
  beforeAll(async () => {
    await raw.defaultBrowserContext().setCookie({ name: 'login', value: 'alice', domain: '127.0.0.1', path: '/' });
  });

  it('copies the cookies of the default context into a context the server makes', async () => {
    const fresh = await attached.createContext();
    try {
      const page = await fresh.newPage();
      await page.goto(`${pageOrigin}/cookie`);
      expect(await page.title()).toBe('login=alice');
    } finally {
      await fresh.close();
    }
  });

  it('copies none with --cdp-cookies none', async () => {
    const bare = await attach(new UrlPolicy({ allowHosts: ['127.0.0.1'] }), 'none');
    try {
      const page = await (await bare.createContext()).newPage();
      await page.goto(`${pageOrigin}/cookie`);
      expect(await page.title()).toBe('no cookie');
    } finally {
      await bare.close();
    }
  });
});

describe('through the server tools, attached with --cdp-endpoint', () => {
  let server: BrowserConnection;
  let site: TestSite;
  let output: string;
  beforeAll(async () => {
    site = await startSite();
    output = mkdtempSync(join(tmpdir(), 'portico-safety-attached-out-'));
    server = await connectBrowser([
      '--cdp-endpoint',
      devtools.replace(/\/devtools\/.*$/, '').replace(/^ws/, 'http'),
      '--output-dir',
      output,
    ]);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await site?.close();
    rmSync(output, { recursive: true, force: true });
  });

  it("never reaches the internal address from a page the server opens, and tells of the server's own context", async () => {
    target.reset();
    const result = await server.call('browser_navigate', { url: `${pageOrigin}/route/fetch` });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain('its own window context');
    const waited = await server.call('browser_navigate', { url: `${pageOrigin}/redirect` });
    expect(waited.text).toContain('Refused http://127.0.0.2');
    expect(target.connections).toBe(0);
  });

  it('saves a download of its own tab into the output directory', async () => {
    await server.call('browser_navigate', { url: `${site.url}/download` });
    const snapshot = (await server.call('browser_snapshot')).text;
    const result = await server.call('browser_click', { ref: refOf(snapshot, /link Get the report/) });
    expect(result.text).toContain(`Downloaded report.csv (8 bytes) to ${join(output, 'report.csv')}.`);
    expect(readFileSync(join(output, 'report.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it("keeps the user's tabs out of browser_tabs and closes only its own context at the end", async () => {
    const mine = await raw.defaultBrowserContext().newPage();
    await mine.goto('about:blank#mine');
    try {
      const listed = await server.call('browser_tabs', { action: 'list' });
      expect(listed.text).not.toContain('about:blank#mine');
      // Contexts made over another connection are not in raw's own list; the browser's count is.
      const cdp = await raw.target().createCDPSession();
      const count = async () => (await cdp.send('Target.getBrowserContexts')).browserContextIds.length;
      const before = await count();
      expect(before).toBeGreaterThan(0);
      await server.close();
      await expect.poll(count).toBe(before - 1);
      expect(mine.isClosed()).toBe(false);
    } finally {
      await mine.close();
    }
  });
});
