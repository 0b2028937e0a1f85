// One tab: its page, the refs of its snapshots, and what the page did (console, requests, navigation) as
// far as the tools need to report it.
import type { HTTPRequest, Page } from 'puppeteer-core';
import { RefTable } from '../snapshot/snapshot.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { IncrementalMarkdown } from '../read/html.js';

/** A console message or uncaught page error. */
export interface ConsoleEntry {
  type: string;
  text: string;
}

/** One request of the network log (the `network` cap). */
export interface NetworkEntry {
  method: string;
  url: string;
  type: string;
  status?: number;
  failure?: string;
  /** The start of a text response body (xhr/fetch/document), bounded. */
  body?: string;
  bodyBytes?: number;
}

const MAX_CONSOLE = 1_000;
const MAX_NETWORK = 1_000;
const MAX_BODY_CHARS = 4_000;
const MAX_BODY_FETCH_BYTES = 256 * 1024;

/** A tab of a session. */
export class Tab {
  readonly page: Page;
  readonly refs = new RefTable();
  snapshot: Snapshot | undefined;
  /** Lines of the last snapshot, for the diff after an action. */
  lastLines: string[] | undefined;
  readonly console: ConsoleEntry[] = [];
  consoleDropped = 0;
  readonly network: NetworkEntry[] = [];
  networkDropped = 0;
  /** Requests started and not yet finished. */
  readonly inflight = new Set<HTTPRequest>();
  /** A main-frame navigation has started and its document has not reached DOMContentLoaded. */
  navigating = false;
  /** Bumped on every main-frame navigation, so a caller can tell whether one happened. */
  navigations = 0;
  readCache: { key: string; markdown: IncrementalMarkdown } | undefined;
  #waiters = new Set<() => void>();

  constructor(page: Page, recordNetwork: boolean) {
    this.page = page;
    page.on('console', (message) => this.#pushConsole({ type: message.type(), text: message.text() }));
    page.on('pageerror', (error) =>
      this.#pushConsole({ type: 'pageerror', text: error instanceof Error ? error.message : String(error) }),
    );
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        // The old document's requests end with it, and Chromium does not always report them as failed.
        this.inflight.clear();
        this.navigating = true;
        this.navigations++;
        this.readCache = undefined;
      }
      this.inflight.add(request);
      if (recordNetwork)
        this.#pushNetwork({ method: request.method(), url: request.url(), type: request.resourceType() }, request);
      this.#notify();
    });
    const done = (request: HTTPRequest) => {
      this.inflight.delete(request);
      if (request.isNavigationRequest() && request.frame() === page.mainFrame() && request.failure() !== null)
        this.navigating = false;
      this.#notify();
    };
    page.on('requestfinished', done);
    page.on('requestfailed', (request) => {
      if (recordNetwork) {
        const entry = this.#entries.get(request);
        if (entry) entry.failure = request.failure()?.errorText ?? 'failed';
      }
      done(request);
    });
    if (recordNetwork) {
      page.on('response', (response) => {
        const entry = this.#entries.get(response.request());
        if (!entry) return;
        entry.status = response.status();
        const type = response.request().resourceType();
        const contentType = response.headers()['content-type'] ?? '';
        const length = Number(response.headers()['content-length'] ?? '0');
        if (
          (type === 'xhr' || type === 'fetch' || type === 'document') &&
          /text|json|xml|javascript/.test(contentType) &&
          length <= MAX_BODY_FETCH_BYTES
        ) {
          response
            .text()
            .then((text) => {
              entry.bodyBytes = Buffer.byteLength(text);
              entry.body = text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
            })
            .catch(() => undefined);
        }
      });
    }
    page.on('domcontentloaded', () => {
      this.navigating = false;
      this.#notify();
    });
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) return;
      this.readCache = undefined;
      this.commits++;
      this.#notify();
    });
    // A click on a submit button or a link asks for a navigation before any request is made (the request can
    // come a frame later); Chromium reports the ask, so the action can wait for what it started.
    void page
      .createCDPSession()
      .then(async (cdp) => {
        cdp.on('Page.frameRequestedNavigation', (event) => {
          if (
            event.frameId === (page.mainFrame() as unknown as { _id?: string })._id &&
            event.disposition === 'currentTab'
          ) {
            this.requested++;
            this.#notify();
          }
        });
        await cdp.send('Page.enable');
      })
      .catch(() => undefined);
  }

  /** Main-frame navigations asked for (by a link, a form, a script). */
  requested = 0;
  /** Main-frame navigations committed, same-document ones included. */
  commits = 0;

  /** Re-checks the waits (for events that are not the page's own, such as a finished download). */
  poke(): void {
    this.#notify();
  }

  #entries = new WeakMap<HTTPRequest, NetworkEntry>();

  #pushConsole(entry: ConsoleEntry): void {
    if (this.console.length >= MAX_CONSOLE) {
      this.console.shift();
      this.consoleDropped++;
    }
    this.console.push(entry);
  }

  #pushNetwork(entry: NetworkEntry, request: HTTPRequest): void {
    if (this.network.length >= MAX_NETWORK) {
      this.network.shift();
      this.networkDropped++;
    }
    this.network.push(entry);
    this.#entries.set(request, entry);
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves when `ready()` holds, re-checked on every request and load event; false when `timeoutMs` passed first. */
  waitUntil(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', abort);
        resolve(value);
      };
      const check = () => {
        if (ready()) finish(true);
      };
      const abort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.#waiters.add(check);
      signal?.addEventListener('abort', abort, { once: true });
      this.page.once('close', abort);
    });
  }

  /** Replaces the last snapshot, releasing the element handles of the previous one. */
  async setSnapshot(snapshot: Snapshot, lines: string[]): Promise<void> {
    const previous = this.snapshot;
    this.snapshot = snapshot;
    this.lastLines = lines;
    if (previous) await previous.dispose();
  }
}
