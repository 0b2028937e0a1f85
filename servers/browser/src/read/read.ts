// browser_read: the rendered page's visible HTML (serialize.ts) converted to markdown, kept per tab until
// the page navigates so that reading on with an offset does not convert the page again.
import { MIN_KEPT_SHARE } from '@portico-mcp/shared/markdown';
import type { ElementHandle, Frame } from 'puppeteer-core';
import type { ResolvedTarget } from '../browser/target.js';
import type { Tab } from '../browser/tab.js';
import { BLOCK_TAG_NAMES, blocksToMarkdown, INCREMENTAL_TEXT_CHARS, renderedToMarkdown } from './html.js';
import type { IncrementalMarkdown } from './html.js';
import { VISIBLE_HTML_SOURCE } from './serialize.js';
import type { VisibleBlocks } from './serialize.js';

// HTML serialised per trip to the page: twice the default reply budget, so one trip mostly fills a reply.
const HTML_WINDOW_CHARS = 200_000;

interface LongPage {
  minShare: number;
  minChars: number;
  blockTags: string[];
  start: number;
  maxHtml: number;
}

type Serialize = (root?: unknown, long?: LongPage) => string | VisibleBlocks;

/**
 * Runs the serializer in a frame: of one element, or of the frame's page (in blocks when `long` is given and
 * the page is long). The serializer is evaluated into a function handle first, so it can take the element as
 * an argument without eval (which a page's CSP may forbid).
 */
async function serializeIn(
  frame: Frame,
  root: ElementHandle | undefined,
  long: LongPage | undefined,
): Promise<string | VisibleBlocks> {
  const serializer = await frame.evaluateHandle(VISIBLE_HTML_SOURCE);
  try {
    return root === undefined
      ? await frame.evaluate(
          (serialize, options) => (serialize as Serialize)(undefined, options ?? undefined),
          serializer,
          long ?? null,
        )
      : await frame.evaluate((serialize, element) => (serialize as Serialize)(element), serializer, root);
  } finally {
    await serializer.dispose().catch(() => undefined);
  }
}

/** The markdown of the tab's page, or of one element, converted as far as the caller reads. */
export async function readPage(tab: Tab, element: ResolvedTarget | undefined): Promise<IncrementalMarkdown> {
  const key = element === undefined ? `page ${tab.page.url()}` : `element ${element.label} ${tab.page.url()}`;
  if (tab.readCache?.key === key) return tab.readCache.markdown;
  const frame =
    element === undefined
      ? tab.page.mainFrame()
      : ((await element.handle.contentFrame().catch(() => null)) ?? element.handle.frame);
  const long: LongPage = {
    minShare: MIN_KEPT_SHARE,
    minChars: INCREMENTAL_TEXT_CHARS,
    blockTags: BLOCK_TAG_NAMES,
    start: 0,
    maxHtml: HTML_WINDOW_CHARS,
  };
  // An iframe's element is read as its whole document; any other element as itself.
  const html = await serializeIn(
    frame,
    element === undefined || element.handle.frame !== frame ? undefined : element.handle,
    element === undefined ? long : undefined,
  );
  const pageUrl = new URL(frame.url() || 'about:blank');
  const fetchFrom = async (start: number): Promise<VisibleBlocks> => {
    const window = await serializeIn(frame, undefined, { ...long, start });
    // The page changed under the read (it is no longer long): what was read stands, and the read ends.
    return typeof window === 'string' ? { head: '', base: '', html: '', ends: [], next: -1 } : window;
  };
  const markdown =
    typeof html === 'string'
      ? await renderedToMarkdown(html, pageUrl)
      : await blocksToMarkdown(html, pageUrl, fetchFrom);
  tab.readCache = { key, markdown };
  return markdown;
}
