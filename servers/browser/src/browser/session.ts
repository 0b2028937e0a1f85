// The browser of this server and the sessions on it: one browser, launched on the first tool call and
// reused; one session (a browser context with its tabs) per connection over HTTP, the profile's own context
// over stdio. Dialogs and downloads are handled here as they happen, so that nothing ever waits on them.
import { randomUUID } from 'node:crypto';
import { readFile, rename, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { TargetType } from 'puppeteer-core';
import type { Browser, BrowserContext, CDPSession, Dialog, Page, Target } from 'puppeteer-core';
import { InvalidArgumentError, NotFoundError, UpstreamError } from '@portico-mcp/shared/errors';
import type { Logger } from '@portico-mcp/shared/log';
import type { UrlPolicy } from '@portico-mcp/shared/net';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import type { BrowserConfig } from '../config.js';
import { launchBrowser } from './launch.js';
import type { LaunchedBrowser } from './launch.js';
import { Tab } from './tab.js';

/** Something that happened in a session, told in the next reply. */
export interface SessionEvent {
  kind: 'dialog' | 'download' | 'tab' | 'note';
  text: string;
}

/** A download, as listed. */
export interface DownloadEntry {
  url: string;
  file?: string;
  bytes?: number;
  state: 'in progress' | 'completed' | 'canceled';
}

/** The answer browser_handle_dialog armed for the next dialog. */
export interface DialogAnswer {
  accept: boolean;
  promptText?: string;
}

/** Cookies and localStorage, in the shape Playwright's storageState uses. */
export interface StorageState {
  cookies: Array<Record<string, unknown>>;
  origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>;
}

/** One client's browsing: a browser context, its tabs and what happened in them. */
export class Session {
  readonly context: BrowserContext;
  readonly tabs: Tab[] = [];
  current = 0;
  readonly events: SessionEvent[] = [];
  readonly downloads: DownloadEntry[] = [];
  readonly pendingDownloads = new Map<string, DownloadEntry>();
  nextDialog: DialogAnswer | undefined;
  readonly #host: BrowserHost;
  readonly #owned: boolean;
  #closed = false;
  #adopting = new Set<Target>();

  constructor(host: BrowserHost, context: BrowserContext, owned: boolean) {
    this.#host = host;
    this.context = context;
    this.#owned = owned;
    context.on('targetcreated', this.#onTarget);
  }

  #onTarget = (target: Target): void => {
    if (this.#closed) return;
    const adoption = this.#adopt(target, true).finally(() => this.#adoptions.delete(adoption));
    this.#adoptions.add(adoption);
  };

  #adoptions = new Set<Promise<unknown>>();

  /** Resolves once tabs opened so far (popups, target=_blank) are tracked, so the reply can tell of them. */
  async settling(): Promise<void> {
    await Promise.all([...this.#adoptions]);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #adopt(target: Target, announce: boolean): Promise<Tab | undefined> {
    if (target.type() !== TargetType.PAGE || this.#adopting.has(target)) return undefined;
    this.#adopting.add(target);
    const page = await target.page().catch(() => null);
    if (!page || this.tabs.some((tab) => tab.page === page)) return this.tabs.find((tab) => tab.page === page);
    const tab = this.#track(page);
    if (announce && !this.#creating) {
      this.events.push({
        kind: 'tab',
        text: `A new tab opened (tab ${this.tabs.indexOf(tab)}${page.url() && page.url() !== 'about:blank' ? `, ${page.url().slice(0, 200)}` : ''}); browser_tabs selects it.`,
      });
    }
    return tab;
  }

  #creating = false;

  #track(page: Page): Tab {
    const tab = new Tab(page, this.#host.config.caps.has('network'));
    this.tabs.push(tab);
    page.on('dialog', (dialog: Dialog) => void this.#onDialog(dialog));
    page.once('close', () => {
      const index = this.tabs.indexOf(tab);
      if (index >= 0) this.tabs.splice(index, 1);
      if (this.current >= this.tabs.length) this.current = Math.max(0, this.tabs.length - 1);
    });
    void this.#host.prepare(page);
    return tab;
  }

  async #onDialog(dialog: Dialog): Promise<void> {
    const type = dialog.type();
    const armed = this.nextDialog;
    this.nextDialog = undefined;
    // Leaving a page is what the caller asked for when a beforeunload prompt appears, unless it armed a no.
    const accept =
      armed !== undefined ? armed.accept : type === 'beforeunload' ? true : this.#host.config.dialogs === 'accept';
    const promptText = accept && type === 'prompt' ? (armed?.promptText ?? dialog.defaultValue()) : undefined;
    try {
      if (accept) await dialog.accept(promptText);
      else await dialog.dismiss();
    } catch {
      // Already handled (the page closed); nothing to tell.
    }
    const how =
      armed !== undefined
        ? 'as browser_handle_dialog asked'
        : type === 'beforeunload'
          ? 'to let the page go'
          : `by the --dialogs ${this.#host.config.dialogs} policy`;
    const message = dialog.message().replace(/\s+/g, ' ').slice(0, 300);
    const answer = promptText !== undefined ? ` with ${JSON.stringify(promptText)}` : '';
    const retry =
      !accept && armed === undefined && type !== 'alert'
        ? ' To accept it instead, call browser_handle_dialog, then repeat the action.'
        : '';
    this.events.push({
      kind: 'dialog',
      text: `A ${type} dialog said ${JSON.stringify(message)}; it was ${accept ? 'accepted' : 'dismissed'}${answer} ${how}.${retry}`,
    });
  }

  /** The current tab, opening one when the session has none. */
  async tab(): Promise<Tab> {
    if (this.tabs.length === 0) {
      const pages = await this.context.pages();
      for (const page of pages) if (!this.tabs.some((tab) => tab.page === page)) this.#track(page);
      if (this.tabs.length === 0) await this.newTab();
    }
    return this.tabs[Math.min(this.current, this.tabs.length - 1)]!;
  }

  /** Opens a new tab and makes it current. */
  async newTab(): Promise<Tab> {
    this.#creating = true;
    let page: Page;
    try {
      page = await this.context.newPage();
    } finally {
      this.#creating = false;
    }
    const tab = this.tabs.find((each) => each.page === page) ?? this.#track(page);
    this.current = this.tabs.indexOf(tab);
    return tab;
  }

  /** Makes tab `index` current. */
  async select(index: number): Promise<Tab> {
    const tab = this.tabs[index];
    if (!tab) throw new NotFoundError(`There is no tab ${index}; browser_tabs with action list shows the open tabs.`);
    this.current = index;
    await tab.page.bringToFront().catch(() => undefined);
    return tab;
  }

  /** Closes tab `index` (default the current one). */
  async closeTab(index = this.current): Promise<void> {
    const tab = this.tabs[index];
    if (!tab) throw new NotFoundError(`There is no tab ${index}; browser_tabs with action list shows the open tabs.`);
    await tab.page.close({ runBeforeUnload: false });
  }

  /** Takes the events since the last reply. */
  drainEvents(): SessionEvent[] {
    return this.events.splice(0, this.events.length);
  }

  /** Cookies of the context and localStorage of the origins open in its tabs. */
  async storageState(): Promise<StorageState> {
    const cookies = (await this.context.cookies()) as unknown as Array<Record<string, unknown>>;
    const origins = new Map<string, Array<{ name: string; value: string }>>();
    for (const tab of this.tabs) {
      for (const frame of tab.page.frames()) {
        try {
          const entry = await frame.evaluate(() => {
            const items: Array<{ name: string; value: string }> = [];
            const storage = globalThis.localStorage;
            for (let i = 0; i < storage.length; i++) {
              const name = storage.key(i);
              if (name !== null) items.push({ name, value: storage.getItem(name) ?? '' });
            }
            return { origin: globalThis.location.origin, items };
          });
          if (entry.origin !== 'null' && /^https?:/.test(entry.origin)) origins.set(entry.origin, entry.items);
        } catch {
          // A frame without storage access (opaque origin, detached): nothing to save.
        }
      }
    }
    return { cookies, origins: [...origins].map(([origin, localStorage]) => ({ origin, localStorage })) };
  }

  /** Closes the session's tabs (and its context when it owns one). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The profile's own context outlives this session; the next session listens to it afresh.
    this.context.off('targetcreated', this.#onTarget);
    if (this.#owned) await this.context.close().catch(() => undefined);
    else await Promise.all(this.tabs.map((tab) => tab.page.close({ runBeforeUnload: false }).catch(() => undefined)));
    this.tabs.length = 0;
  }
}

/** The server's browser: launched lazily, shared by the sessions, closed at shutdown. */
export class BrowserHost {
  readonly config: BrowserConfig;
  readonly #policy: UrlPolicy;
  readonly #log: Logger;
  readonly #sandbox: Sandbox;
  #launching: Promise<LaunchedBrowser> | undefined;
  #launched: LaunchedBrowser | undefined;
  #cdp: CDPSession | undefined;
  #sessions = new Map<string, Promise<Session>>();
  #notes: string[] = [];
  #storageState: StorageState | undefined;
  #stopped = false;
  /** The filtering proxy the browser is launched through; set before the first launch (see network.ts). */
  proxyUrl: string | undefined;

  constructor(config: BrowserConfig, policy: UrlPolicy, sandbox: Sandbox, log: Logger) {
    this.config = config;
    this.#policy = policy;
    this.#sandbox = sandbox;
    this.#log = log;
  }

  get policy(): UrlPolicy {
    return this.#policy;
  }

  get sandbox(): Sandbox {
    return this.#sandbox;
  }

  /** The browser, launched on first use. */
  async browser(): Promise<Browser> {
    if (this.#stopped) throw new UpstreamError('The server is shutting down; the browser is closed.');
    this.#launching ??= (async () => {
      if (this.config.storageState !== undefined)
        this.#storageState = await loadStorageState(this.config.storageState, this.#sandbox);
      const launched = await launchBrowser({
        ...(this.config.executablePath !== undefined ? { executablePath: this.config.executablePath } : {}),
        headless: this.config.headless,
        ...(this.config.userDataDir !== undefined ? { userDataDir: this.config.userDataDir } : {}),
        ...(this.config.cdpEndpoint !== undefined
          ? { cdpEndpoint: this.config.cdpEndpoint, cdpCookies: this.config.cdpCookies }
          : {}),
        runningAsRoot: this.config.runningAsRoot,
        viewport: this.config.viewport,
        env: this.config.browserEnv,
        ...(this.proxyUrl !== undefined ? { proxyUrl: this.proxyUrl } : {}),
        policy: this.#policy,
        log: this.#log,
      });
      this.#launched = launched;
      this.#notes.push(...launched.notes);
      launched.browser.on('disconnected', () => {
        if (this.#launched === launched) {
          this.#launched = undefined;
          this.#launching = undefined;
          this.#cdp = undefined;
          this.#sessions.clear();
        }
      });
      await this.#watchDownloads(launched.browser, launched.attached);
      return launched;
    })();
    try {
      return (await this.#launching).browser;
    } catch (error) {
      this.#launching = undefined;
      throw error;
    }
  }

  async #watchDownloads(browser: Browser, attached: boolean): Promise<void> {
    const cdp = await browser.target().createCDPSession();
    this.#cdp = cdp;
    // Without a context id this sets the default context's behaviour: in an attached browser that is the user's
    // own, so there only the contexts this server makes get it (in session()).
    if (!attached)
      await cdp.send('Browser.setDownloadBehavior', {
        behavior: 'allowAndName',
        downloadPath: this.config.outputDir,
        eventsEnabled: true,
      });
    cdp.on('Browser.downloadWillBegin', (event) => {
      const session = this.#sessionOfFrame(event.frameId);
      const entry: DownloadEntry = { url: event.url.slice(0, 500), state: 'in progress' };
      session?.pendingDownloads.set(event.guid, entry);
      session?.downloads.push(entry);
      (entry as DownloadEntry & { suggested?: string; session?: Session }).suggested = event.suggestedFilename;
      (entry as DownloadEntry & { session?: Session }).session = session;
      this.#downloads.set(event.guid, entry);
    });
    cdp.on('Browser.downloadProgress', (event) => {
      const entry = this.#downloads.get(event.guid);
      if (!entry || event.state === 'inProgress') return;
      this.#downloads.delete(event.guid);
      void this.#finishDownload(event.guid, entry, event.state, event.receivedBytes);
    });
  }

  #downloads = new Map<string, DownloadEntry>();

  async #finishDownload(
    guid: string,
    entry: DownloadEntry & { suggested?: string; session?: Session },
    state: 'completed' | 'canceled',
    bytes: number,
  ): Promise<void> {
    const session = entry.session;
    if (state === 'canceled') {
      entry.state = 'canceled';
      session?.events.push({ kind: 'download', text: `A download of ${entry.url} was canceled.` });
    } else {
      // Chromium saved it under its GUID; give it its own (sanitised, unique) name inside the output dir.
      const target = await uniqueName(this.config.outputDir, safeFileName(entry.suggested ?? 'download'));
      try {
        await rename(join(this.config.outputDir, guid), target);
        entry.file = target;
      } catch {
        entry.file = join(this.config.outputDir, guid);
      }
      entry.bytes = bytes;
      entry.state = 'completed';
      session?.events.push({
        kind: 'download',
        text: `Downloaded ${basename(entry.file)} (${bytes} bytes) to ${entry.file}.`,
      });
    }
    session?.pendingDownloads.delete(guid);
    for (const tab of session?.tabs ?? []) tab.poke();
  }

  #sessionOfFrame(frameId: string): Session | undefined {
    let fallback: Session | undefined;
    for (const session of this.#settled) {
      fallback ??= session;
      for (const tab of session.tabs) {
        if (tab.page.frames().some((frame) => (frame as unknown as { _id?: string })._id === frameId)) return session;
      }
    }
    return fallback;
  }

  #settled = new Set<Session>();

  /** Applies what every new page needs: the saved localStorage of --storage-state. */
  async prepare(page: Page): Promise<void> {
    const origins = this.#storageState?.origins ?? [];
    if (origins.length === 0) return;
    await page
      .evaluateOnNewDocument((saved: StorageState['origins']) => {
        const here = saved.find((entry) => entry.origin === globalThis.location.origin);
        if (!here) return;
        try {
          for (const item of here.localStorage)
            if (globalThis.localStorage.getItem(item.name) === null)
              globalThis.localStorage.setItem(item.name, item.value);
        } catch {
          // Storage refused (opaque origin): nothing to restore.
        }
      }, origins)
      .catch(() => undefined);
  }

  /** The session of a connection, created on its first call. */
  session(connection: string): Promise<Session> {
    const key = this.config.contextPerConnection ? connection : 'default';
    let session = this.#sessions.get(key);
    if (session === undefined) {
      session = (async () => {
        const browser = await this.browser();
        const launched = this.#launched!;
        // An attached browser's default context is outside the network policy, so sessions there always own one.
        const owned = this.config.contextPerConnection || launched.attached;
        const context = owned ? await launched.createContext() : browser.defaultBrowserContext();
        if (owned && this.#cdp) {
          await this.#cdp.send('Browser.setDownloadBehavior', {
            behavior: 'allowAndName',
            downloadPath: this.config.outputDir,
            eventsEnabled: true,
            browserContextId: context.id,
          });
        }
        const created = new Session(this, context, owned);
        if (this.#storageState !== undefined && this.#storageState.cookies.length > 0) {
          await context.setCookie(...(this.#storageState.cookies as never[])).catch((error: unknown) => {
            this.#log.warning('could not restore cookies from --storage-state', { error: (error as Error).message });
          });
        }
        for (const note of this.#notes.splice(0)) created.events.push({ kind: 'note', text: note });
        this.#settled.add(created);
        return created;
      })();
      this.#sessions.set(key, session);
      session.catch(() => this.#sessions.delete(key));
    }
    return session;
  }

  /** Forgets a connection's session and closes its context (HTTP clients each have their own). */
  async closeConnection(connection: string): Promise<void> {
    if (!this.config.contextPerConnection) return;
    const session = this.#sessions.get(connection);
    if (!session) return;
    this.#sessions.delete(connection);
    const settled = await session.catch(() => undefined);
    if (settled) {
      this.#settled.delete(settled);
      await settled.close();
      this.#log.debug('connection closed; its browser context is closed');
    }
  }

  /** Closes a session's tabs and forgets it; the browser itself stays for the next call. */
  async closeSession(connection: string): Promise<void> {
    const key = this.config.contextPerConnection ? connection : 'default';
    const session = this.#sessions.get(key);
    if (!session) return;
    this.#sessions.delete(key);
    const settled = await session.catch(() => undefined);
    if (settled) {
      this.#settled.delete(settled);
      await settled.close();
    }
  }

  /** Whether the browser has been started. */
  get running(): boolean {
    return this.#launched !== undefined;
  }

  /** Closes the browser (or detaches from an attached one); for shutdown. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const launching = this.#launching;
    if (!launching) return;
    const launched = await launching.catch(() => undefined);
    await launched?.close();
  }
}

async function loadStorageState(file: string, sandbox: Sandbox): Promise<StorageState> {
  const path = await sandbox.resolveInside(file, { mustExist: true });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new InvalidArgumentError('The --storage-state file is not JSON as browser_save_state writes it.');
  }
  const state = parsed as Partial<StorageState>;
  return {
    cookies: Array.isArray(state.cookies) ? state.cookies : [],
    origins: Array.isArray(state.origins) ? state.origins : [],
  };
}

function safeFileName(name: string): string {
  const cleaned = basename(name)
    .replace(/[\u0000-\u001f<>:"/\\|?*]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return cleaned === '' ? 'download' : cleaned;
}

async function uniqueName(dir: string, name: string): Promise<string> {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let i = 0; i < 1000; i++) {
    const candidate = join(dir, i === 0 ? name : `${stem} (${i})${extension}`);
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
  }
  return join(dir, `${stem}-${randomUUID()}${extension}`);
}
