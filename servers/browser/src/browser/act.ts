// What happens after an action: wait for what the action set off — a navigation, requests, DOM changes —
// by watching for those events (never a fixed sleep), then say in a few lines what changed.
import type { Page, Realm } from 'puppeteer-core';
import { renderNode, diffLines, takeSnapshot } from '../snapshot/snapshot.js';
import type { Session } from './session.js';
import type { Tab } from './tab.js';

/** The page as it was before an action. */
export interface BeforeAction {
  url: string;
  title: string;
  /** DOM mutations the top document had seen (-1: unknown). */
  mutations: number;
  navigations: number;
  requested: number;
  commits: number;
  tabs: number;
}

// Counts DOM mutations (and the events of changes that are none) of the top document from before the action
// on, and returns the title, in one round trip. An unchanged count after the action (one frame, same URL)
// means the snapshot cannot have changed, so the diff snapshot's round trips are skipped. The counter lives in
// an isolated world (same DOM, its own globals): a page script can neither read it nor freeze it to pass a
// change off as none.
const WATCH_SOURCE = String.raw`(function () {
  var key = '__porticoMutations';
  var state = window[key];
  if (!state || state.doc !== document) {
    state = { doc: document, count: 0 };
    new MutationObserver(function (records) { state.count += records.length; }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    // Changes a snapshot shows that are no DOM mutation: field values, checked, focus, :hover styles, <details>.
    var bump = function () { state.count++; };
    ['input', 'change', 'focusin', 'focusout', 'mouseover', 'mouseout', 'toggle', 'transitionstart', 'animationstart', 'scroll'].forEach(function (type) { document.addEventListener(type, bump, true); });
    try { Object.defineProperty(window, key, { value: state, configurable: true }); } catch (e) {}
  }
  return [document.title, state.count];
})()`;

/**
 * The top frame's isolated world, which puppeteer creates for its own utility scripts and recreates with every
 * document. `isolatedRealm()` is marked internal in puppeteer-core 24 (there is no public way to evaluate in
 * another world); the watch test fails loudly if an upgrade removes it.
 */
function isolatedWorld(page: Page): Realm {
  return (page.mainFrame() as unknown as { isolatedRealm(): Realm }).isolatedRealm();
}

/** Notes the state an action's report is compared with. */
export async function beforeAction(tab: Tab, session: Session): Promise<BeforeAction> {
  const [title, mutations] = ((await isolatedWorld(tab.page)
    .evaluate(WATCH_SOURCE)
    .catch(() => undefined)) as [string, number] | undefined) ?? ['', -1];
  return {
    url: tab.page.url(),
    title,
    mutations,
    navigations: tab.navigations,
    requested: tab.requested,
    commits: tab.commits,
    tabs: session.tabs.length,
  };
}

/** How long the quiet waits may take: a page that never stops loading must not hold the reply. */
export interface SettleLimits {
  navigationTimeoutMs: number;
  /** Longest wait for requests to finish after the page is usable. */
  networkQuietMs: number;
  /** Longest wait for the DOM to stop changing. */
  domQuietMs: number;
}

/** Longest wait for a navigation that was asked for to start (a download or a cancelled one never does). */
const NAVIGATION_START_MS = 1_000;

export const DEFAULT_SETTLE: Omit<SettleLimits, 'navigationTimeoutMs'> = { networkQuietMs: 2_000, domQuietMs: 1_000 };

// An animation frame with no DOM mutation counts as quiet; the wait ends there or at the limit. Runs in the page.
const DOM_QUIET_SOURCE = String.raw`(function (limit) {
  return new Promise(function (resolve) {
    var changed = false;
    var start = performance.now();
    var observer = new MutationObserver(function () { changed = true; });
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    function tick() {
      if (!changed || performance.now() - start > limit) {
        observer.disconnect();
        resolve([performance.now() - start > limit ? 'busy' : 'quiet', window.__porticoMutations && window.__porticoMutations.doc === document ? window.__porticoMutations.count : -1, document.title]);
        return;
      }
      changed = false;
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
    // A background tab gets no animation frames; a timer of the limit still ends the wait.
    setTimeout(function () { observer.disconnect(); resolve(['busy', -1, document.title]); }, limit);
  });
})`;

/** Whether the DOM went quiet, the top document's mutation count then (-1: unknown) and its title. */
async function domQuiet(
  page: Page,
  limitMs: number,
): Promise<['quiet' | 'busy' | 'navigated', number, string | undefined]> {
  try {
    return (await isolatedWorld(page).evaluate(`${DOM_QUIET_SOURCE}(${limitMs})`)) as [
      'quiet' | 'busy',
      number,
      string,
    ];
  } catch {
    // The document went away under the wait: a navigation.
    return ['navigated', -1, undefined];
  }
}

/** Waits until the page is settled after an action and reports, in lines, what happened. */
export async function afterAction(
  tab: Tab,
  session: Session,
  before: BeforeAction,
  limits: SettleLimits,
  signal: AbortSignal,
  options: { diff?: boolean } = {},
): Promise<string[]> {
  const waited: string[] = [];
  const page = tab.page;
  let [dom, mutations, quietTitle] = await domQuiet(page, limits.domQuietMs);
  if (tab.requested !== before.requested && tab.navigations === before.navigations && tab.commits === before.commits) {
    // Asked for, not yet started: give it a moment to start (a same-document one only commits).
    await tab.waitUntil(
      () => tab.navigations !== before.navigations || tab.commits !== before.commits,
      NAVIGATION_START_MS,
      signal,
    );
  }
  const navigated = tab.navigations !== before.navigations || dom === 'navigated';
  if (navigated) {
    const loaded = await tab.waitUntil(() => !tab.navigating, limits.navigationTimeoutMs, signal);
    waited.push(
      loaded ? 'navigation' : `navigation (still loading after ${Math.round(limits.navigationTimeoutMs / 1000)} s)`,
    );
  }
  const requests = tab.inflight.size;
  if (requests > 0) {
    const quiet = await tab.waitUntil(() => tab.inflight.size === 0, limits.networkQuietMs, signal);
    waited.push(
      quiet
        ? `network quiet (${requests} request${requests === 1 ? '' : 's'})`
        : `network (${tab.inflight.size} still open after ${limits.networkQuietMs / 1000} s)`,
    );
  }
  if (navigated || requests > 0) [dom, mutations, quietTitle] = await domQuiet(page, limits.domQuietMs);
  waited.push(dom === 'busy' ? `DOM (still changing after ${limits.domQuietMs / 1000} s)` : 'DOM quiet');
  // A download the action started is reported once it is on disk.
  const downloading = session.pendingDownloads.size > 0;
  if (downloading) {
    const done = await tab
      .waitUntil(() => session.pendingDownloads.size === 0, limits.navigationTimeoutMs, signal)
      .catch(() => false);
    waited.push(done ? 'download' : 'download (still running)');
  }
  const lines = [`Waited for: ${waited.join(', ')}.`];
  const url = page.url();
  // The quiet wait read the title at its end, when nothing waited for after it can have changed it.
  const title =
    (dom !== 'navigated' && quietTitle !== undefined && !downloading ? quietTitle : undefined) ??
    (await page.title().catch(() => ''));
  if (url !== before.url)
    lines.push(`Page: ${url.slice(0, 300)}${title ? ` — ${JSON.stringify(title.slice(0, 200))}` : ''}`);
  else if (title !== before.title) lines.push(`Title: ${JSON.stringify(title.slice(0, 200))}`);
  for (const event of session.drainEvents()) lines.push(event.text);
  const unchanged =
    before.mutations >= 0 &&
    mutations === before.mutations &&
    url === before.url &&
    tab.lastLines !== undefined &&
    page.frames().length === 1;
  if (options.diff !== false && !page.isClosed())
    lines.push(...(unchanged ? ['Snapshot unchanged.'] : await snapshotDiff(tab, url !== before.url)));
  return lines;
}

const MAX_DIFF_LINES = 12;

/** A small diff of the snapshot against the last one; the whole (cut) snapshot head after a navigation. */
async function snapshotDiff(tab: Tab, newPage: boolean): Promise<string[]> {
  const previous = tab.lastLines;
  let snapshot;
  try {
    snapshot = await takeSnapshot(tab.page, tab.refs);
  } catch {
    return [];
  }
  const lines = snapshot.nodes.map(renderNode);
  await tab.setSnapshot(snapshot, lines);
  if (previous === undefined || newPage) {
    const head = lines.slice(0, MAX_DIFF_LINES * 2);
    const out = ['Snapshot (untrusted page content):', ...head];
    if (lines.length > head.length)
      out.push(`… ${lines.length - head.length} more lines; browser_snapshot shows them (offset: ${head.length}).`);
    return out;
  }
  const { removed, added } = diffLines(
    previous.map((line) => line.trim()),
    lines.map((line) => line.trim()),
  );
  if (removed.length === 0 && added.length === 0) return ['Snapshot unchanged.'];
  const out = ['Snapshot changes (untrusted page content):'];
  const shown = [
    ...removed.slice(0, MAX_DIFF_LINES).map((line) => `- ${line}`),
    ...added.slice(0, MAX_DIFF_LINES).map((line) => `+ ${line}`),
  ];
  out.push(...shown);
  const more = removed.length + added.length - shown.length;
  if (more > 0) out.push(`… ${more} more changed lines; browser_snapshot shows the page.`);
  return out;
}
