// browser_read: the rendered page's visible HTML (serialize.ts) converted to markdown, kept per tab until
// the page navigates so that reading on with an offset does not convert the page again.
import type { ResolvedTarget } from '../browser/target.js';
import type { Tab } from '../browser/tab.js';
import { renderedToMarkdown } from './html.js';
import type { IncrementalMarkdown } from './html.js';
import { VISIBLE_HTML_SOURCE } from './serialize.js';

/** The markdown of the tab's page, or of one element, converted as far as the caller reads. */
export async function readPage(tab: Tab, element: ResolvedTarget | undefined): Promise<IncrementalMarkdown> {
  const key = element === undefined ? `page ${tab.page.url()}` : `element ${element.label} ${tab.page.url()}`;
  if (tab.readCache?.key === key) return tab.readCache.markdown;
  const frame = element === undefined ? tab.page.mainFrame() : ((await element.handle.contentFrame().catch(() => null)) ?? element.handle.frame);
  // The serializer is evaluated into a function handle first, so it can take the element as an argument
  // without eval (which a page's CSP may forbid).
  const serializer = await frame.evaluateHandle(VISIBLE_HTML_SOURCE);
  let html: string;
  try {
    html = element === undefined || element.handle.frame !== frame
      ? ((await frame.evaluate((serialize) => (serialize as unknown as (root?: unknown) => string)(), serializer)) as string)
      : ((await frame.evaluate((serialize, root) => (serialize as unknown as (root?: unknown) => string)(root), serializer, element.handle)) as string);
  } finally {
    await serializer.dispose().catch(() => undefined);
  }
  const markdown = await renderedToMarkdown(html, new URL(frame.url() || 'about:blank'));
  tab.readCache = { key, markdown };
  return markdown;
}
