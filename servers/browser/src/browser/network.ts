// The browser's network boundary. Every connection Chromium makes goes through the kernel's filtering proxy
// (`startPolicyProxy`), which applies the server's UrlPolicy on the address it connects to: redirects,
// fetch/XHR, images, iframes, workers, meta refresh, beacons, EventSource and WebSockets (which Chromium
// tunnels with CONNECT, where request interception never sees them) all pass the one check, DNS rebinding
// included. The flags below close the doors beside the proxy; the page guard refuses local schemes, which
// never reach a proxy at all.
import { TargetType } from 'puppeteer-core';
import type { Browser, BrowserContext, CDPSession, Page, Target } from 'puppeteer-core';
import { PolicyError } from '@portico-mcp/shared/errors';
import type { Logger } from '@portico-mcp/shared/log';
import { startPolicyProxy } from '@portico-mcp/shared/net';
import type { PolicyProxy, ProxyRefusal, UrlPolicy } from '@portico-mcp/shared/net';

/** Chromium flags that route all traffic through `proxyUrl` and close the side doors a proxy does not see. */
export function browserNetworkArgs(proxyUrl: string | undefined): string[] {
  const args = [
    // QUIC and WebRTC's UDP would leave the browser beside an HTTP proxy. Of the two WebRTC spellings only
    // the second is honoured by current Chromium (a STUN request still went out with the first alone).
    '--disable-quic',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    // Chromium's own speculative connections (DNS prefetch, preconnect) happen before any request is made.
    '--dns-prefetch-disable',
    // puppeteer merges this with its own --disable-features list rather than replacing it.
    '--disable-features=NetworkPrediction,DnsOverHttps,AsyncDns',
  ];
  if (proxyUrl !== undefined) {
    // `<-loopback>` removes Chromium's implicit bypass of localhost and 127.0.0.1, so the proxy decides on those too.
    args.push(`--proxy-server=${proxyUrl}`, '--proxy-bypass-list=<-loopback>');
    // With every request sent to the proxy by name, Chromium has no host to resolve itself; any name it does
    // try to resolve (something that went around the proxy) fails. The proxy is an IP literal, excluded anyway.
    args.push(`--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${new URL(proxyUrl).hostname}`);
  }
  return args;
}

/** Schemes a navigation may use; everything else (file:, data:, chrome:, javascript:, view-source:, blob:, about:) is refused. */
const NAVIGABLE_SCHEMES = new Set(['http:', 'https:']);

/** Parses a URL to navigate to and refuses local schemes and anything the policy refuses, with one sentence. */
export function checkNavigationUrl(url: string, policy: UrlPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new PolicyError(
      `Refused "${url.slice(0, 200)}": it is not an absolute URL; give one such as https://example.com/.`,
    );
  }
  if (!NAVIGABLE_SCHEMES.has(parsed.protocol)) {
    throw new PolicyError(`Refused the ${parsed.protocol} URL: the browser only navigates to http: and https: URLs.`);
  }
  return policy.checkUrl(parsed);
}

// Local schemes Chromium loads through its URL loaders, so DevTools' Fetch domain can fail them before they
// load: a file: navigation or subresource from any tab, however it was started.
const BLOCKED_LOADS = ['file:*', 'filesystem:*', 'chrome:*', 'chrome-untrusted:*', 'devtools:*', 'view-source:*'];

// Frames that commit one of these are sent to about:blank. Chromium itself refuses file:, chrome: and
// view-source: frames and top-level data: navigations from web content, but lets a page embed a data: frame.
const REFUSED_FRAME = /^(?:file|filesystem|data|chrome|chrome-untrusted|devtools|view-source|javascript):/i;

const MAX_REFUSALS = 50;

/** The network boundary of one launched browser: its proxy, the flags that point Chromium at it, and the page guard. */
export interface BrowserNetwork {
  /** The proxy's URL, for `--proxy-server`. */
  readonly proxyUrl: string;
  /** The Chromium flags of `browserNetworkArgs(proxyUrl)`. */
  readonly args: readonly string[];
  /** Refuses local-scheme loads and frames in every tab the browser opens from now on (and those it has). */
  guardBrowser(browser: Browser): Promise<void>;
  /** The same, for the tabs of one context only: an attached browser's other tabs are the user's, not ours. */
  guardContext(context: BrowserContext): Promise<void>;
  /** Guards one tab; idempotent, so a caller can await it before the tab's first navigation. */
  guardPage(page: Page): Promise<void>;
  /** The refusals since the last call, oldest first (at most 50), for the next tool reply. */
  takeRefusals(): ProxyRefusal[];
  /** Calls `listener` on each refusal as it happens; returns the function that stops it. */
  onRefusal(listener: (refusal: ProxyRefusal) => void): () => void;
  /** Stops the proxy; the browser must be closed first or its connections fail. */
  close(): Promise<void>;
}

/** Starts the filtering proxy for one browser, with the server's policy. */
export async function startBrowserNetwork(options: { policy: UrlPolicy; log: Logger }): Promise<BrowserNetwork> {
  const log = options.log.child('network');
  let refusals: ProxyRefusal[] = [];
  const listeners = new Set<(refusal: ProxyRefusal) => void>();
  const proxy: PolicyProxy = await startPolicyProxy({
    policy: options.policy,
    log,
    onRefusal: (refusal) => {
      refusals.push(refusal);
      if (refusals.length > MAX_REFUSALS) refusals.shift();
      for (const listener of listeners) listener(refusal);
    },
  });
  const guarded = new WeakMap<Target, Promise<void>>();

  const guardTarget = (target: Target): Promise<void> => {
    const known = guarded.get(target);
    if (known !== undefined) return known;
    const guarding = guard(target, log).catch((error: unknown) => {
      // A tab closed while it was being guarded has nothing left to guard.
      log.debug('could not guard a tab', { error: error instanceof Error ? error.message : String(error) });
    });
    guarded.set(target, guarding);
    return guarding;
  };

  return {
    proxyUrl: proxy.url,
    args: browserNetworkArgs(proxy.url),
    guardBrowser: async (browser) => {
      browser.on('targetcreated', (target: Target) => {
        if (target.type() === TargetType.PAGE) void guardTarget(target);
      });
      await Promise.all(
        browser
          .targets()
          .filter((target) => target.type() === TargetType.PAGE)
          .map(guardTarget),
      );
    },
    guardContext: async (context) => {
      context.on('targetcreated', (target: Target) => {
        if (target.type() === TargetType.PAGE) void guardTarget(target);
      });
      await Promise.all(
        context
          .targets()
          .filter((target) => target.type() === TargetType.PAGE)
          .map(guardTarget),
      );
    },
    guardPage: (page) => guardTarget(page.target()),
    takeRefusals: () => {
      const taken = refusals;
      refusals = [];
      return taken;
    },
    onRefusal: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => proxy.close(),
  };
}

async function guard(target: Target, log: Logger): Promise<void> {
  const cdp: CDPSession = await target.createCDPSession();
  cdp.on('Fetch.requestPaused', (event: { requestId: string; request: { url: string } }) => {
    log.notice('Refused a local-scheme load in the browser', { url: event.request.url.slice(0, 200) });
    void cdp
      .send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' })
      .catch(() => undefined);
  });
  cdp.on('Page.frameNavigated', (event: { frame: { id: string; url: string; urlFragment?: string } }) => {
    if (!REFUSED_FRAME.test(event.frame.url)) return;
    log.notice('Sent a local-scheme frame to about:blank', { url: event.frame.url.slice(0, 200) });
    void cdp.send('Page.navigate', { url: 'about:blank', frameId: event.frame.id }).catch(() => undefined);
  });
  await Promise.all([
    cdp.send('Fetch.enable', { patterns: BLOCKED_LOADS.map((urlPattern) => ({ urlPattern })) }),
    cdp.send('Page.enable'),
  ]);
}
