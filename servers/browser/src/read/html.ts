// Markdown of a rendered page for browser_read: the kernel's HTML conversion (the same as the fetch server's,
// with its depth bound), or, for long pages and pages that mark their main content, a conversion block by
// block as far as the caller reads.
import {
  MAX_DEPTH,
  MIN_KEPT_SHARE,
  compose,
  htmlToMarkdown,
  limitDepth,
  loadToolkit,
  prepareDocument,
  readMetadata,
  tidy,
  visibleLength,
} from '@portico-mcp/shared/markdown';
import type { DomElement } from '@portico-mcp/shared/markdown';
import type { VisibleBlocks } from './serialize.js';

function hasMarkedAncestor(node: DomElement): boolean {
  for (let parent = node.parentNode; parent !== null; parent = parent.parentNode) {
    if (parent.nodeName === 'ARTICLE' || parent.nodeName === 'MAIN') return true;
  }
  return false;
}

/** Markdown of a rendered page, converted only as far as it has been asked for. */
export interface IncrementalMarkdown {
  /** The markdown converted so far. */
  readonly text: string;
  /** Whether the whole page is converted. */
  readonly complete: boolean;
  title?: string;
  /** Converts on until at least `minChars` characters exist (or the page ends). */
  more(minChars: number): void | Promise<void>;
}

// Pages whose text is longer than this are converted a piece at a time and without Readability's passes,
// which cost more than the conversion itself on long pages (0.8 s and 0.9 s of a 2 MB article).
export const INCREMENTAL_TEXT_CHARS = 200_000;
const BLOCKS_PER_STEP = 40;
export const BLOCK_TAG_NAMES = [
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'UL',
  'OL',
  'TABLE',
  'PRE',
  'BLOCKQUOTE',
  'FIGURE',
  'HR',
  'DL',
  'ASIDE',
  'HEADER',
  'FOOTER',
  'NAV',
  'FORM',
];
const BLOCK_TAGS = new Set(BLOCK_TAG_NAMES);

/**
 * The markdown of rendered (visible-only) HTML. A page that marks its main content (one <article> or <main>
 * holding most of the text) or that is long is converted block by block as far as the caller reads; other
 * pages go through Readability like the fetch server's conversion.
 */
export async function renderedToMarkdown(html: string, pageUrl: URL): Promise<IncrementalMarkdown> {
  const { parse, turndown } = await loadToolkit();
  const document = parse(html);
  // As deep as a hostile page nests, the block-by-block path walks no deeper than the kernel's bound.
  limitDepth(document, MAX_DEPTH);
  const bodyText = visibleLength(document.body?.textContent ?? '');
  const marked = [...document.querySelectorAll('article, main, [role="main"]')].filter(
    (node) => !hasMarkedAncestor(node),
  );
  const only = marked.length === 1 ? marked[0] : undefined;
  const root =
    only !== undefined && visibleLength(only.textContent ?? '') >= MIN_KEPT_SHARE * bodyText
      ? only
      : bodyText > INCREMENTAL_TEXT_CHARS
        ? document.body
        : undefined;
  if (root == null) {
    const whole = await htmlToMarkdown(html, pageUrl, { rendered: true });
    return {
      text: whole.markdown,
      complete: true,
      ...(whole.title !== undefined ? { title: whole.title } : {}),
      more: () => undefined,
    };
  }
  const metadata = readMetadata(document);
  prepareDocument(document, pageUrl);
  if (root === document.body)
    for (const node of [...document.querySelectorAll('nav, footer, [role="navigation"]')]) node.remove();
  let container: DomElement = root;
  // Wrappers (a lone <div> around everything) are entered so that the pieces are the real blocks.
  while (container.children.length === 1 && visibleLength(directText(container)) === 0)
    container = container.children[0]!;
  const nodes = [...container.childNodes];
  let index = 0;
  const parts: string[] = [];
  let length = 0;
  const head = compose(metadata, pageUrl, '');
  const state: IncrementalMarkdown = {
    get text() {
      return `${head}${parts.join('\n\n')}`;
    },
    get complete() {
      return index >= nodes.length;
    },
    ...(metadata.title !== undefined ? { title: metadata.title } : {}),
    more(minChars: number) {
      while (index < nodes.length && head.length + length < minChars) {
        const batch = document.createElement('div');
        let blocks = 0;
        // A piece ends at a block element, so an inline run (a sentence with a link) is never split.
        while (index < nodes.length && blocks < BLOCKS_PER_STEP) {
          const node = nodes[index++]!;
          batch.appendChild(node);
          if (BLOCK_TAGS.has(node.nodeName)) blocks++;
        }
        const piece = tidy(turndown.turndown(batch as never));
        if (piece !== '') {
          parts.push(piece);
          length += piece.length + 2;
        }
      }
    },
  };
  return state;
}

/**
 * The markdown of a page the browser already cut into its main container's blocks (serialize.ts): only the
 * blocks a read reaches are parsed and converted, a batch at a time.
 */
export async function blocksToMarkdown(
  page: VisibleBlocks,
  pageUrl: URL,
  fetchFrom: (start: number) => Promise<VisibleBlocks>,
): Promise<IncrementalMarkdown> {
  const { parse, turndown } = await loadToolkit();
  const metadata = readMetadata(parse(`<!DOCTYPE html><html>${page.head}<body></body></html>`));
  let base = pageUrl;
  try {
    const resolved = new URL(page.base);
    if (resolved.protocol === 'http:' || resolved.protocol === 'https:') base = resolved;
  } catch {
    // An unusable base URL: links resolve against the page's own.
  }
  const head = compose(metadata, pageUrl, '');
  let { html, ends, next } = page;
  let index = 0;
  const parts: string[] = [];
  let length = 0;
  return {
    get text() {
      return `${head}${parts.join('\n\n')}`;
    },
    get complete() {
      return index >= ends.length && next < 0;
    },
    ...(metadata.title !== undefined ? { title: metadata.title } : {}),
    async more(minChars: number) {
      while ((index < ends.length || next >= 0) && head.length + length < minChars) {
        if (index >= ends.length) {
          ({ html, ends, next } = await fetchFrom(next));
          index = 0;
          continue;
        }
        const start = index === 0 ? 0 : ends[index - 1]!;
        index = Math.min(index + BLOCKS_PER_STEP, ends.length);
        const document = parse(
          `<!DOCTYPE html><html><body><div>${html.slice(start, ends[index - 1])}</div></body></html>`,
        );
        limitDepth(document, MAX_DEPTH);
        prepareDocument(document, base);
        const piece = tidy(turndown.turndown(document.body!.children[0] as never));
        if (piece !== '') {
          parts.push(piece);
          length += piece.length + 2;
        }
      }
    },
  };
}

function directText(element: DomElement): string {
  let text = '';
  for (const node of element.childNodes) if (node.nodeName === '#text') text += node.textContent ?? '';
  return text;
}
