// Starting (or attaching to) the one browser of this server: where Chromium is, which flags it gets, which
// profile it uses, and making sure it never outlives the server.
import { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CookieData } from 'puppeteer-core';
import { ConfigError, UpstreamError } from '@portico-mcp/shared/errors';
import type { Logger } from '@portico-mcp/shared/log';
import type { UrlPolicy } from '@portico-mcp/shared/net';
import { importExternal } from '@portico-mcp/shared/serve';
import { browserNetworkArgs, startBrowserNetwork } from './network.js';
import type { BrowserNetwork } from './network.js';

/** Everything the launcher needs; nothing here comes from a tool argument. */
export interface LaunchOptions {
  executablePath?: string;
  headless: boolean;
  userDataDir?: string;
  cdpEndpoint?: string;
  /** Whether the attached browser's cookies are copied into the context this server works in. */
  cdpCookies?: 'copy' | 'none';
  runningAsRoot: boolean;
  viewport: { width: number; height: number };
  env: Record<string, string | undefined>;
  /** The filtering proxy every connection of the browser goes through (see network.ts); undefined for none. */
  proxyUrl?: string;
  policy: UrlPolicy;
  log: Logger;
}

/** A started or attached browser, with what the caller should be told about how it was started. */
export interface LaunchedBrowser {
  browser: Browser;
  /** Sentences for the first reply: a profile fallback, an attached browser. */
  notes: string[];
  /** True when we attached over CDP: closing then disconnects instead of ending the user's browser. */
  attached: boolean;
  /** The filtering proxy and page guard of the browser (network.ts); closed with it. */
  network?: BrowserNetwork;
  /**
   * A new browser context whose every request passes the policy. In an attached browser that is the only kind
   * this server may use: its default context was not started behind the proxy.
   */
  createContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Where browsers usually are, most specific first. */
const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/usr/bin/microsoft-edge',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
];

/** The browser executable to run: the operator's, else the first system one found; one sentence when none. */
export function findExecutable(given: string | undefined, candidates: readonly string[] = SYSTEM_BROWSERS): string {
  if (given !== undefined) {
    if (!existsSync(given))
      throw new ConfigError(
        `No browser at the --executable-path (or PUPPETEER_EXECUTABLE_PATH) given; point it at a Chromium or Chrome binary.`,
      );
    return given;
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new ConfigError(
      'No Chromium or Chrome was found; install one (e.g. "apt-get install chromium") or pass --executable-path.',
    );
  }
  return found;
}

/** Whether another running Chromium holds this profile (its SingletonLock names a live process on this host). */
export function profileLockHolder(userDataDir: string): number | undefined {
  let target: string;
  try {
    target = readlinkSync(join(userDataDir, 'SingletonLock'));
  } catch {
    return undefined;
  }
  const match = /^(.*)-(\d+)$/.exec(target);
  if (!match || match[1] !== hostname()) return undefined;
  const pid = Number(match[2]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** The flags every launched browser gets, besides puppeteer's own defaults. */
function chromiumArgs(options: LaunchOptions): string[] {
  const args = [
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    // Without these, Chromium keeps calling home (updates, sync, safe browsing) on its own.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-domain-reliability',
    '--metrics-recording-only',
    ...browserNetworkArgs(options.proxyUrl),
  ];
  if (options.runningAsRoot) args.push('--no-sandbox');
  return args;
}

type Puppeteer = typeof import('puppeteer-core').default;

/** puppeteer-core, kept out of the bundle and loaded on the first launch (startup stays fast). */
async function loadPuppeteer(): Promise<Puppeteer> {
  const module = await importExternal<{ default?: unknown; launch?: unknown }>('puppeteer-core', import.meta.url);
  // Its CommonJS build, imported, may nest the instance one `default` deeper.
  let candidate: unknown = module;
  for (let i = 0; i < 3 && typeof (candidate as { launch?: unknown }).launch !== 'function'; i++)
    candidate = (candidate as { default?: unknown }).default;
  return candidate as Puppeteer;
}

/** Launches Chromium (or attaches to the operator's), with a profile that is never shared by accident. */
export async function launchBrowser(options: LaunchOptions): Promise<LaunchedBrowser> {
  const puppeteer = await loadPuppeteer();
  const notes: string[] = [];
  if (options.cdpEndpoint !== undefined) return attachBrowser(puppeteer, options.cdpEndpoint, options);

  const executablePath = findExecutable(options.executablePath);
  if (options.runningAsRoot) options.log.info('running as root: Chromium is started with --no-sandbox');
  let profile = options.userDataDir;
  let temporaryProfile: string | undefined;
  if (profile !== undefined && profileLockHolder(profile) !== undefined) {
    notes.push(
      'The --user-data-dir profile is in use by another Chromium, so this session uses a fresh temporary profile (no saved logins).',
    );
    options.log.warning('profile locked by another browser; using a temporary profile');
    profile = undefined;
  }
  if (profile === undefined) {
    temporaryProfile = mkdtempSync(join(tmpdir(), 'portico-browser-profile-'));
    profile = temporaryProfile;
  }
  // One filtering proxy per launched browser, with the server's policy, unless the caller runs its own.
  const network =
    options.proxyUrl === undefined
      ? await startBrowserNetwork({ policy: options.policy, log: options.log })
      : undefined;
  const proxyUrl = options.proxyUrl ?? network?.proxyUrl;
  const launch = (userDataDir: string) =>
    puppeteer.launch({
      executablePath,
      headless: options.headless,
      userDataDir,
      args: chromiumArgs({ ...options, proxyUrl }),
      defaultViewport: options.viewport,
      // Our shutdown closes the browser; puppeteer's own signal handlers would race it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      env: Object.fromEntries(
        Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      protocolTimeout: 60_000,
      // Over a pipe, Chromium ends itself when the server's end closes, even if the server is killed
      // outright and no cleanup of ours runs.
      pipe: true,
    });
  let browser: Browser;
  try {
    browser = await launch(profile);
  } catch (error) {
    if (temporaryProfile !== undefined) {
      rmSync(temporaryProfile, { recursive: true, force: true });
      await network?.close();
      throw new UpstreamError(
        'Chromium failed to start; run it by hand with --headless to see why, or pass another --executable-path.',
        { cause: error },
      );
    }
    // The lock check can miss a profile held from another host or container: retry on a fresh profile.
    options.log.warning('browser failed to start on the given profile; retrying with a temporary one', {
      error: (error as Error).message,
    });
    notes.push(
      'Chromium could not open the --user-data-dir profile (probably in use), so this session uses a fresh temporary profile.',
    );
    temporaryProfile = mkdtempSync(join(tmpdir(), 'portico-browser-profile-'));
    browser = await launch(temporaryProfile).catch(async (retryError: unknown) => {
      await network?.close();
      throw retryError;
    });
  }
  const child = browser.process();
  const pid = child?.pid;
  // The last resort: if the server exits without its cleanups (process.exit, an uncaught error), the
  // browser must not survive it. 'exit' listeners run synchronously, so kill, not close.
  const killOnExit = () => {
    if (pid !== undefined) killTree(pid);
    if (temporaryProfile !== undefined) rmSync(temporaryProfile, { recursive: true, force: true, maxRetries: 2 });
  };
  process.on('exit', killOnExit);
  options.log.info('browser started', { pid, headless: options.headless });
  let closed = false;
  await network?.guardBrowser(browser);
  // A browser that crashes or is closed from outside takes its proxy with it; the next launch starts another.
  if (network !== undefined) browser.once('disconnected', () => void network.close());
  return {
    browser,
    notes,
    attached: false,
    ...(network !== undefined ? { network } : {}),
    // The launch flags already send every context through the proxy.
    createContext: () => browser.createBrowserContext(),
    close: async () => {
      if (closed) return;
      closed = true;
      process.off('exit', killOnExit);
      const exited =
        child && child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve();
      const timer = setTimeout(() => pid !== undefined && killTree(pid), 2_000);
      await browser.close().catch(() => pid !== undefined && killTree(pid));
      await exited;
      clearTimeout(timer);
      await network?.close();
      if (temporaryProfile !== undefined) rmSync(temporaryProfile, { recursive: true, force: true, maxRetries: 2 });
    },
  };
}

/**
 * Attaches to the operator's running browser. Its own flags are not ours, so this server never uses its
 * default context: each session gets a context created over CDP with the filtering proxy as its proxy server,
 * and with no bypass at all (Chromium otherwise sends loopback and link-local hosts around any proxy).
 */
async function attachBrowser(
  puppeteer: Puppeteer,
  cdpEndpoint: string,
  options: LaunchOptions,
): Promise<LaunchedBrowser> {
  const endpoint = options.policy.checkUrl(cdpEndpoint.replace(/^ws/i, 'http'));
  const isWs = /^wss?:/i.test(cdpEndpoint);
  let browser: Browser;
  try {
    browser = await puppeteer.connect({
      ...(isWs ? { browserWSEndpoint: cdpEndpoint } : { browserURL: endpoint.href }),
      defaultViewport: null,
      protocolTimeout: 60_000,
    });
  } catch (error) {
    throw new UpstreamError(
      'Could not attach to the browser at --cdp-endpoint; check that it runs with --remote-debugging-port and that the URL is right.',
      { cause: error },
    );
  }
  const network =
    options.proxyUrl === undefined
      ? await startBrowserNetwork({ policy: options.policy, log: options.log })
      : undefined;
  const proxyServer = options.proxyUrl ?? network!.proxyUrl;
  const copyCookies = options.cdpCookies !== 'none';
  options.log.info('attached to a running browser', {
    endpoint: endpoint.host,
    cookies: copyCookies ? 'copied' : 'none',
  });
  const notes = [
    copyCookies
      ? "Attached to the browser at --cdp-endpoint. This server works in its own window context of it, behind the network policy, with a copy of the browser's cookies (not its open tabs or localStorage)."
      : 'Attached to the browser at --cdp-endpoint. This server works in its own window context of it, behind the network policy, without its cookies (--cdp-cookies none).',
  ];
  const contexts = new Set<BrowserContext>();
  let closed = false;
  if (network !== undefined) browser.once('disconnected', () => void network.close());
  return {
    browser,
    notes,
    attached: true,
    ...(network !== undefined ? { network } : {}),
    createContext: async () => {
      const context = await browser.createBrowserContext({ proxyServer, proxyBypassList: ['<-loopback>'] });
      contexts.add(context);
      await network?.guardContext(context);
      if (copyCookies) await copyDefaultCookies(browser, context, options.log);
      return context;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // The contexts are ours and go; the user's browser, its tabs and its default context stay.
      await Promise.all([...contexts].map((context) => context.close().catch(() => undefined)));
      await browser.disconnect().catch(() => undefined);
      await network?.close();
    },
  };
}

/** Copies the cookies of the browser's default context into `context`, so the user's logins carry over. */
async function copyDefaultCookies(browser: Browser, context: BrowserContext, log: Logger): Promise<void> {
  try {
    const cookies = await browser.defaultBrowserContext().cookies();
    const data: CookieData[] = cookies.map((cookie) => ({
      name: cookie.name,
      value: cookie.value,
      domain: cookie.domain,
      path: cookie.path,
      secure: cookie.secure,
      httpOnly: cookie.httpOnly,
      ...(cookie.sameSite !== undefined ? { sameSite: cookie.sameSite } : {}),
      // A session cookie reports expires -1, which as a value to set would mean "already expired".
      ...(cookie.session || cookie.expires < 0 ? {} : { expires: cookie.expires }),
      ...(cookie.priority !== undefined ? { priority: cookie.priority } : {}),
      ...(cookie.sourceScheme !== undefined ? { sourceScheme: cookie.sourceScheme } : {}),
      ...(cookie.partitionKey !== undefined ? { partitionKey: cookie.partitionKey } : {}),
    }));
    if (data.length > 0) await context.setCookie(...data);
    log.debug('copied the attached browser cookies', { count: data.length });
  } catch (error) {
    log.warning('could not copy the attached browser cookies', { error: (error as Error).message });
  }
}

/** Kills the browser and its helpers: puppeteer starts Chromium as the leader of its own process group. */
function killTree(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
