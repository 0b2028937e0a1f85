// What happens after an action: wait for what the action set off — a navigation, requests, DOM changes —
// by watching for those events (never a fixed sleep), then say in a few lines what changed.
import type { Page } from 'puppeteer-core';
import { renderNode, diffLines, takeSnapshot } from '../snapshot/snapshot.js';
import type { Session } from './session.js';
import type { Tab } from './tab.js';

/** The page as it was before an action. */
export interface BeforeAction {
  url: string;
  title: string;
  navigations: number;
  requested: number;
  commits: number;
  tabs: number;
}

/** Notes the state an action's report is compared with. */
export async function beforeAction(tab: Tab, session: Session): Promise<BeforeAction> {
  return { url: tab.page.url(), title: await tab.page.title().catch(() => ''), navigations: tab.navigations, requested: tab.requested, commits: tab.commits, tabs: session.tabs.length };
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
        resolve(performance.now() - start > limit ? 'busy' : 'quiet');
        return;
      }
      changed = false;
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
    // A background tab gets no animation frames; a timer of the limit still ends the wait.
    setTimeout(function () { observer.disconnect(); resolve('busy'); }, limit);
  });
})`;

async function domQuiet(page: Page, limitMs: number): Promise<'quiet' | 'busy' | 'navigated'> {
  try {
    return (await page.evaluate(`${DOM_QUIET_SOURCE}(${limitMs})`)) as 'quiet' | 'busy';
  } catch {
    // The document went away under the wait: a navigation.
    return 'navigated';
  }
}

/** Waits until the page is settled after an action and reports, in lines, what happened. */
export async function afterAction(tab: Tab, session: Session, before: BeforeAction, limits: SettleLimits, signal: AbortSignal, options: { diff?: boolean } = {}): Promise<string[]> {
  const waited: string[] = [];
  const page = tab.page;
  let dom = await domQuiet(page, limits.domQuietMs);
  if (tab.requested !== before.requested && tab.navigations === before.navigations && tab.commits === before.commits) {
    // Asked for, not yet started: give it a moment to start (a same-document one only commits).
    await tab.waitUntil(() => tab.navigations !== before.navigations || tab.commits !== before.commits, NAVIGATION_START_MS, signal);
  }
  const navigated = tab.navigations !== before.navigations || dom === 'navigated';
  if (navigated) {
    const loaded = await tab.waitUntil(() => !tab.navigating, limits.navigationTimeoutMs, signal);
    waited.push(loaded ? 'navigation' : `navigation (still loading after ${Math.round(limits.navigationTimeoutMs / 1000)} s)`);
  }
  const requests = tab.inflight.size;
  if (requests > 0) {
    const quiet = await tab.waitUntil(() => tab.inflight.size === 0, limits.networkQuietMs, signal);
    waited.push(quiet ? `network quiet (${requests} request${requests === 1 ? '' : 's'})` : `network (${tab.inflight.size} still open after ${limits.networkQuietMs / 1000} s)`);
  }
  if (navigated || requests > 0) dom = await domQuiet(page, limits.domQuietMs);
  waited.push(dom === 'busy' ? `DOM (still changing after ${limits.domQuietMs / 1000} s)` : 'DOM quiet');
  // A download the action started is reported once it is on disk.
  if (session.pendingDownloads.size > 0) {
    const done = await tab.waitUntil(() => session.pendingDownloads.size === 0, limits.navigationTimeoutMs, signal).catch(() => false);
    waited.push(done ? 'download' : 'download (still running)');
  }
  const lines = [`Waited for: ${waited.join(', ')}.`];
  const url = page.url();
  const title = await page.title().catch(() => '');
  if (url !== before.url) lines.push(`Page: ${url.slice(0, 300)}${title ? ` — ${JSON.stringify(title.slice(0, 200))}` : ''}`);
  else if (title !== before.title) lines.push(`Title: ${JSON.stringify(title.slice(0, 200))}`);
  for (const event of session.drainEvents()) lines.push(event.text);
  if (options.diff !== false && !tab.page.isClosed()) lines.push(...(await snapshotDiff(tab, url !== before.url)));
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
    if (lines.length > head.length) out.push(`… ${lines.length - head.length} more lines; browser_snapshot shows them (offset: ${head.length}).`);
    return out;
  }
  const { removed, added } = diffLines(previous.map((line) => line.trim()), lines.map((line) => line.trim()));
  if (removed.length === 0 && added.length === 0) return ['Snapshot unchanged.'];
  const out = ['Snapshot changes (untrusted page content):'];
  const shown = [...removed.slice(0, MAX_DIFF_LINES).map((line) => `- ${line}`), ...added.slice(0, MAX_DIFF_LINES).map((line) => `+ ${line}`)];
  out.push(...shown);
  const more = removed.length + added.length - shown.length;
  if (more > 0) out.push(`… ${more} more changed lines; browser_snapshot shows the page.`);
  return out;
}
