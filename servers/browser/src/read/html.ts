// HTML → markdown (the same conversion as the fetch server's): Readability on a linkedom DOM, turndown with GFM tables, links made absolute, metadata
// on top; the whole body when Readability keeps too little; a JavaScript-only shell is called out as such.
import type TurndownService from 'turndown';

/** The markdown of a page and how it was obtained. */
export interface HtmlConversion {
  markdown: string;
  title?: string;
  /** `article`: Readability's main content; `page`: the whole body; `javascript-shell`: the HTML has (almost) no text. */
  extraction: 'article' | 'page' | 'javascript-shell';
}

// The few DOM members used here: lib.dom is not part of this Node build, and linkedom implements these.
interface DomNode {
  nodeName: string;
  textContent: string | null;
  parentNode: DomNode | null;
}
interface DomElement extends DomNode {
  childNodes: ArrayLike<DomNode>;
  appendChild(node: DomNode): DomNode;
  children: ArrayLike<DomElement> & Iterable<DomElement>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
  replaceWith(...nodes: Array<DomNode | string>): void;
  remove(): void;
}
interface DomDocument extends DomElement {
  body: DomElement | null;
  head: DomElement | null;
  title: string;
  documentElement: DomElement | null;
  createElement(name: string): DomElement;
}
interface ArticleResult {
  title?: string | null;
  content?: DomElement | null;
  textContent?: string | null;
  byline?: string | null;
  siteName?: string | null;
  publishedTime?: string | null;
  excerpt?: string | null;
  lang?: string | null;
}
interface Toolkit {
  parse(html: string): DomDocument;
  readability(document: DomDocument): ArticleResult | null;
  turndown: TurndownService;
}

let toolkit: Promise<Toolkit> | undefined;

/** Loads linkedom, Readability and turndown once, on the first HTML page. */
function loadToolkit(): Promise<Toolkit> {
  toolkit ??= (async () => {
    const [{ parseHTML }, readabilityModule, turndownModule, gfmModule] = await Promise.all([
      import('linkedom'),
      import('@mozilla/readability'),
      import('turndown'),
      import('@joplin/turndown-plugin-gfm'),
    ]);
    // CommonJS packages: named exports may sit on `default` only, depending on how they were loaded.
    const { Readability } = commonJs(readabilityModule);
    const Turndown = commonJs(turndownModule);
    const { gfm } = commonJs(gfmModule);
    const parseDocument = (html: string): DomDocument => (parseHTML(html) as unknown as { document: DomDocument }).document;
    // linkedom builds no <body> for a fragment ("<p>text</p>"), where a browser would: give it one.
    const parse = (html: string): DomDocument => {
      const document = parseDocument(html);
      return document.documentElement?.nodeName === 'HTML'
        ? document
        : parseDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`);
    };
    addTableRows(parse('<table></table>'));
    const turndown = new Turndown({
      headingStyle: 'atx',
      codeBlockStyle: 'fenced',
      bulletListMarker: '-',
      emDelimiter: '_',
      linkStyle: 'inlined',
    });
    turndown.use(gfm);
    turndown.remove(['button', 'select', 'textarea', 'input', 'iframe', 'object', 'embed', 'canvas', 'svg'] as never);
    return {
      parse,
      // The element itself, not its HTML: turndown then walks linkedom's tree instead of re-parsing a string.
      readability: (document) =>
        new Readability(document as never, { serializer: (node: unknown) => node as DomElement, keepClasses: true }).parse() as ArticleResult | null,
      turndown,
    };
  })();
  return toolkit;
}

function commonJs<T extends object>(module: T): T extends { default: infer D } ? D : T {
  const candidate = (module as { default?: unknown }).default;
  return (candidate !== undefined && candidate !== null ? candidate : module) as never;
}

// The GFM table rule reads `table.rows`, which linkedom does not implement (its tables are plain elements).
function addTableRows(document: DomDocument): void {
  const prototype = Object.getPrototypeOf(document.createElement('table')) as object;
  if (Object.getOwnPropertyDescriptor(prototype, 'rows') !== undefined) return;
  Object.defineProperty(prototype, 'rows', {
    configurable: true,
    get(this: DomElement) {
      if (this.nodeName !== 'TABLE') return undefined;
      const rows: DomElement[] = [];
      for (const child of this.children) {
        if (child.nodeName === 'TR') rows.push(child);
        else if (child.nodeName === 'THEAD' || child.nodeName === 'TBODY' || child.nodeName === 'TFOOT') {
          for (const row of child.children) if (row.nodeName === 'TR') rows.push(row);
        }
      }
      return rows;
    },
  });
}

// Readability keeps the main content; when it keeps less than this share of a page's text (and not much
// text at all), it most likely dropped the content itself (data tables, link lists, short docs pages).
const MIN_KEPT_SHARE = 0.3;
const ENOUGH_ARTICLE_CHARS = 3000;
// A page whose visible text is this short while it ships scripts renders its content in the browser.
const SHELL_MAX_TEXT_CHARS = 200;
const LONG_INLINE_SCRIPT_CHARS = 2000;
// Without a mount point or a noscript plea, only a page with next to no text at all counts as a shell.
const SHELL_BARE_TEXT_CHARS = 50;
const MOUNT_POINTS = '#root, #app, #__next, #__nuxt, #svelte, [data-reactroot], app-root, [ng-app], [data-server-rendered]';
const MAX_DATA_URI_CHARS = 256;

/** Converts an HTML page to markdown with its title and metadata on top. */
export async function htmlToMarkdown(html: string, pageUrl: URL, options: { rendered?: boolean } = {}): Promise<HtmlConversion> {
  const { parse, readability, turndown } = await loadToolkit();
  const document = parse(html);
  const metadata = readMetadata(document);
  const shellSignals = scriptSignals(document);
  prepare(document, baseUrl(document, pageUrl));
  const bodyText = visibleLength(document.body?.textContent ?? '');

  const shell = shellSignals.hasScripts && (shellSignals.appHint || bodyText < SHELL_BARE_TEXT_CHARS);
  // Rendered HTML (from the browser) has run its scripts: what little text it has is all there is.
  if (options.rendered !== true && bodyText < SHELL_MAX_TEXT_CHARS && shell) {
    const text = collapse(document.body?.textContent ?? '');
    return {
      markdown: compose(metadata, pageUrl, [
        'This page appears to be a JavaScript application shell: its HTML carries almost no text and its content is rendered by scripts in a browser.',
        'To read it, use a browser-based MCP server (for example Portico\'s browser server, @portico-mcp/server-browser).',
        text === '' ? '' : `Text present in the HTML: ${text}`,
      ].filter((line) => line !== '').join('\n\n')),
      ...titleOf(metadata),
      extraction: 'javascript-shell',
    };
  }

  const article = readability(document);
  const articleText = visibleLength(article?.textContent ?? '');
  const keepArticle =
    article?.content != null && articleText > 0 && (articleText >= ENOUGH_ARTICLE_CHARS || articleText >= MIN_KEPT_SHARE * bodyText);
  let body: string;
  if (keepArticle && article?.content) {
    body = turndown.turndown(article.content as never);
    metadata.title = metadata.title ?? article.title ?? undefined;
    metadata.byline = metadata.byline ?? article.byline ?? undefined;
    metadata.siteName = metadata.siteName ?? article.siteName ?? undefined;
    metadata.published = metadata.published ?? article.publishedTime ?? undefined;
  } else {
    // Readability rewrote the tree it was given; the whole-body fallback starts again from the source.
    const fresh = parse(html);
    prepare(fresh, baseUrl(fresh, pageUrl));
    // Site navigation is the one part of a page that is never its content.
    for (const node of [...fresh.querySelectorAll('nav, footer, [role="navigation"], [aria-hidden="true"]')]) node.remove();
    body = fresh.body === null ? '' : turndown.turndown(fresh.body as never);
  }
  return { markdown: compose(metadata, pageUrl, tidy(body)), ...titleOf(metadata), extraction: keepArticle ? 'article' : 'page' };
}

interface PageMetadata {
  title?: string | undefined;
  byline?: string | undefined;
  siteName?: string | undefined;
  published?: string | undefined;
  description?: string | undefined;
}

function readMetadata(document: DomDocument): PageMetadata {
  const meta = (selector: string): string | undefined => {
    const value = document.querySelector(selector)?.getAttribute('content');
    return value == null || value.trim() === '' ? undefined : collapse(value);
  };
  const title = collapse(document.title ?? '') || meta('meta[property="og:title"]') || undefined;
  return {
    title,
    byline: meta('meta[name="author"]') ?? meta('meta[property="article:author"]'),
    siteName: meta('meta[property="og:site_name"]'),
    published: meta('meta[property="article:published_time"]') ?? meta('meta[name="date"]') ?? meta('meta[itemprop="datePublished"]'),
    description: meta('meta[name="description"]') ?? meta('meta[property="og:description"]'),
  };
}

function scriptSignals(document: DomDocument): { hasScripts: boolean; appHint: boolean } {
  let external = 0;
  let inlineChars = 0;
  for (const script of document.querySelectorAll('script')) {
    const type = (script.getAttribute('type') ?? '').toLowerCase();
    if (type !== '' && !/javascript|module|ecmascript/.test(type)) continue;
    if (script.getAttribute('src') !== null) external++;
    else inlineChars += (script.textContent ?? '').length;
  }
  const hasScripts = external > 0 || inlineChars >= LONG_INLINE_SCRIPT_CHARS;
  const noscript = [...document.querySelectorAll('noscript')].map((node) => node.textContent ?? '').join(' ');
  const mountPoint = document.querySelector(MOUNT_POINTS) !== null;
  return { hasScripts, appHint: mountPoint || /javascript/i.test(noscript) };
}

/** Drops what never reads as text and makes every link and image absolute against the page's base URL. */
function prepare(document: DomDocument, base: URL): void {
  for (const node of [...document.querySelectorAll('script, style, noscript, template, link, meta')]) node.remove();
  for (const anchor of document.querySelectorAll('a[href], area[href]')) {
    const absolute = resolve(anchor.getAttribute('href') ?? '', base);
    if (absolute === undefined || !/^(https?|mailto|tel|ftp):/i.test(absolute)) anchor.removeAttribute('href');
    else anchor.setAttribute('href', absolute);
  }
  for (const image of [...document.querySelectorAll('img')]) {
    const candidates = [image.getAttribute('src'), image.getAttribute('data-src'), image.getAttribute('data-original')];
    const source = candidates.find((value) => value != null && value.trim() !== '' && !(value.startsWith('data:') && value.length > MAX_DATA_URI_CHARS));
    const absolute = source == null ? undefined : resolve(source, base);
    image.removeAttribute('srcset');
    if (absolute === undefined || !/^(https?|data):/i.test(absolute)) {
      // Inline images of many kilobytes would cost context for nothing; keep what they say.
      const alt = image.getAttribute('alt') ?? '';
      image.replaceWith(alt);
    } else {
      image.setAttribute('src', absolute);
    }
  }
}

function baseUrl(document: DomDocument, pageUrl: URL): URL {
  const href = document.querySelector('base[href]')?.getAttribute('href');
  if (href == null) return pageUrl;
  try {
    const base = new URL(href, pageUrl);
    return base.protocol === 'http:' || base.protocol === 'https:' ? base : pageUrl;
  } catch {
    return pageUrl;
  }
}

function resolve(reference: string, base: URL): string | undefined {
  const trimmed = reference.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('#')) return new URL(trimmed, base).href;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return undefined;
  }
}

function compose(metadata: PageMetadata, pageUrl: URL, body: string): string {
  const lines: string[] = [];
  const heading = metadata.title === undefined ? undefined : `# ${metadata.title}`;
  const bodyStartsWithTitle = heading !== undefined && body.trimStart().startsWith(heading);
  if (heading !== undefined && !bodyStartsWithTitle) lines.push(heading, '');
  const facts = [
    metadata.byline === undefined ? undefined : `By ${metadata.byline}`,
    metadata.siteName,
    metadata.published === undefined ? undefined : `Published ${metadata.published}`,
  ].filter((fact): fact is string => fact !== undefined);
  lines.push(`> Source: ${pageUrl.href}`);
  if (facts.length > 0) lines.push(`> ${facts.join(' · ')}`);
  if (metadata.description !== undefined && !body.includes(metadata.description)) lines.push(`> ${metadata.description}`);
  lines.push('', body);
  return lines.join('\n');
}

function titleOf(metadata: PageMetadata): { title?: string } {
  return metadata.title === undefined ? {} : { title: metadata.title };
}

function hasMarkedAncestor(node: DomElement): boolean {
  for (let parent = node.parentNode; parent !== null; parent = parent.parentNode) {
    if (parent.nodeName === 'ARTICLE' || parent.nodeName === 'MAIN') return true;
  }
  return false;
}

function tidy(markdown: string): string {
  return markdown.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function visibleLength(text: string): number {
  return text.replace(/\s+/g, '').length;
}

/** Markdown of a rendered page, converted only as far as it has been asked for. */
export interface IncrementalMarkdown {
  /** The markdown converted so far. */
  readonly text: string;
  /** Whether the whole page is converted. */
  readonly complete: boolean;
  title?: string;
  /** Converts on until at least `minChars` characters exist (or the page ends). */
  more(minChars: number): void;
}

// Pages whose text is longer than this are converted a piece at a time and without Readability's passes,
// which cost more than the conversion itself on long pages (0.8 s and 0.9 s of a 2 MB article).
const INCREMENTAL_TEXT_CHARS = 200_000;
const BLOCKS_PER_STEP = 40;
const BLOCK_TAGS = new Set(['P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'TABLE', 'PRE', 'BLOCKQUOTE', 'FIGURE', 'HR', 'DL', 'ASIDE', 'HEADER', 'FOOTER', 'NAV', 'FORM']);

/**
 * The markdown of rendered (visible-only) HTML. A page that marks its main content (one <article> or <main>
 * holding most of the text) or that is long is converted block by block as far as the caller reads; other
 * pages go through Readability like the fetch server's conversion.
 */
export async function renderedToMarkdown(html: string, pageUrl: URL): Promise<IncrementalMarkdown> {
  const { parse, turndown } = await loadToolkit();
  const document = parse(html);
  const bodyText = visibleLength(document.body?.textContent ?? '');
  const marked = [...document.querySelectorAll('article, main, [role="main"]')].filter((node) => !hasMarkedAncestor(node));
  const only = marked.length === 1 ? marked[0] : undefined;
  const root = only !== undefined && visibleLength(only.textContent ?? '') >= MIN_KEPT_SHARE * bodyText ? only : bodyText > INCREMENTAL_TEXT_CHARS ? document.body : undefined;
  if (root == null) {
    const whole = await htmlToMarkdown(html, pageUrl, { rendered: true });
    return { text: whole.markdown, complete: true, ...(whole.title !== undefined ? { title: whole.title } : {}), more: () => undefined };
  }
  const metadata = readMetadata(document);
  prepare(document, baseUrl(document, pageUrl));
  if (root === document.body) for (const node of [...document.querySelectorAll('nav, footer, [role="navigation"]')]) node.remove();
  let container: DomElement = root;
  // Wrappers (a lone <div> around everything) are entered so that the pieces are the real blocks.
  while (container.children.length === 1 && visibleLength(directText(container)) === 0) container = container.children[0]!;
  const nodes = [...(container.childNodes as ArrayLike<DomNode> & Iterable<DomNode>)];
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

function directText(element: DomElement): string {
  let text = '';
  for (const node of element.childNodes as ArrayLike<DomNode> & Iterable<DomNode>) if (node.nodeName === '#text') text += node.textContent ?? '';
  return text;
}
