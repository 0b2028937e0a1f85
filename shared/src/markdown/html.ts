// HTML → markdown: Readability on a linkedom DOM, turndown with GFM tables, links made absolute, metadata
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
/** The parts of a linkedom node the conversion uses. */
export interface DomNode {
  nodeName: string;
  nodeType: number;
  textContent: string | null;
  parentNode: DomNode | null;
}
/** The parts of a linkedom element the conversion uses. */
export interface DomElement extends DomNode {
  children: ArrayLike<DomElement> & Iterable<DomElement>;
  childNodes: ArrayLike<DomNode> & Iterable<DomNode>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
  replaceWith(...nodes: Array<DomNode | string>): void;
  appendChild(node: DomNode): DomNode;
  remove(): void;
}
/** The parts of a linkedom document the conversion uses. */
export interface DomDocument extends DomElement {
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
/** The parser and converters, loaded once on first use. */
export interface MarkdownToolkit {
  parse: (html: string) => DomDocument;
  readability: (document: DomDocument) => ArticleResult | null;
  turndown: TurndownService;
}

let toolkit: Promise<MarkdownToolkit> | undefined;

/** Loads linkedom, Readability and turndown once, on the first HTML page. */
export function loadToolkit(): Promise<MarkdownToolkit> {
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
    const parseDocument = (html: string): DomDocument =>
      (parseHTML(html) as unknown as { document: DomDocument }).document;
    // linkedom builds no <body> for a fragment ("<p>text</p>"), where a browser would: give it one.
    const parse = (html: string): DomDocument => {
      const parsed = parseDocument(html);
      const document =
        parsed.documentElement?.nodeName === 'HTML'
          ? parsed
          : parseDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`);
      return document;
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
        new Readability(document, { serializer: (node: unknown) => node as DomElement, keepClasses: true }).parse(),
      turndown,
    };
  })();
  return toolkit;
}

function commonJs<T extends object>(module: T): T extends { default: infer D } ? D : T {
  const candidate = (module as { default?: unknown }).default;
  return (candidate !== undefined && candidate !== null ? candidate : module) as never;
}

// Readability's scoring walks every node's ancestors and text, so its cost grows with the cube of the
// nesting depth (2,500 nested <div> took over 40 s). Real pages stay far below this depth; Chromium's own
// parser stops nesting at 512.
export const MAX_DEPTH = 100;
// Below the depth bound, Readability still costs about (depth + 20) units per element (measured: 30,000
// elements 99 deep took 6 s, 60,000 elements 3 deep 2.7 s, on the 2-core build machine). Past this budget
// (a few seconds) the whole body is converted instead, which costs time linear in the page's size.
export const READABILITY_WORK_BUDGET = 2_000_000;
const WORK_PER_ELEMENT = 20;

/** What bounding the depth of a page found. */
export interface DepthReport {
  elements: number;
  /** The deepest element depth before the bound (the root element is depth 1). */
  maxDepth: number;
  /** Readability's estimated work: the sum over elements of their depth plus a constant. */
  work: number;
}

/**
 * Bounds the element depth of a parsed page: an element at `maxDepth` keeps the text below it, in order,
 * as plain text, without the deeper elements. Iterative, so depth cannot exhaust the stack.
 */
export function limitDepth(document: DomDocument, maxDepth: number): DepthReport {
  const report: DepthReport = { elements: 0, maxDepth: 0, work: 0 };
  const root = document.documentElement;
  if (root === null) return report;
  const stack: Array<[DomElement, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [element, depth] = stack.pop()!;
    report.elements++;
    report.work += Math.min(depth, maxDepth) + WORK_PER_ELEMENT;
    report.maxDepth = Math.max(report.maxDepth, depth);
    if (depth >= maxDepth) report.maxDepth = Math.max(report.maxDepth, flattenToText(element, depth));
    else for (const child of element.children) stack.push([child, depth + 1]);
  }
  return report;
}

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
// Their text is never page text (prepare() would drop these elements).
const NOT_TEXT = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
const TABLE_PARTS = new Set(['TABLE', 'THEAD', 'TBODY', 'TFOOT', 'TR', 'COLGROUP', 'CAPTION']);

// Returns the depth of the deepest element that was below `element` (at `depth`).
function flattenToText(element: DomElement, depth: number): number {
  if (element.children.length === 0) return depth;
  let deepest = depth;
  const parts: string[] = [];
  const stack: Array<[DomNode, number]> = [...element.childNodes].reverse().map((node) => [node, depth + 1]);
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (node.nodeType === TEXT_NODE) parts.push(node.textContent ?? '');
    else if (node.nodeType === ELEMENT_NODE && !NOT_TEXT.has(node.nodeName)) {
      deepest = Math.max(deepest, level);
      const children = [...(node as DomElement).childNodes];
      for (let index = children.length - 1; index >= 0; index--) stack.push([children[index]!, level + 1]);
    }
  }
  const text = parts.join(' ').replace(/\s+/g, ' ');
  // A table part that holds bare text breaks the table rules; as plain text beside its table it reads fine.
  if (TABLE_PARTS.has(element.nodeName)) element.replaceWith(text);
  else element.textContent = text;
  return deepest;
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
export const MIN_KEPT_SHARE = 0.3;
const ENOUGH_ARTICLE_CHARS = 3000;
// A page whose visible text is this short while it ships scripts renders its content in the browser.
const SHELL_MAX_TEXT_CHARS = 200;
const LONG_INLINE_SCRIPT_CHARS = 2000;
// Without a mount point or a noscript plea, only a page with next to no text at all counts as a shell.
const SHELL_BARE_TEXT_CHARS = 50;
const MOUNT_POINTS =
  '#root, #app, #__next, #__nuxt, #svelte, [data-reactroot], app-root, [ng-app], [data-server-rendered]';
const MAX_DATA_URI_CHARS = 256;

/**
 * Converts an HTML page to markdown with its title and metadata on top. `rendered` HTML (from a browser) has
 * run its scripts already, so a page with little text is not reported as a script shell.
 */
export async function htmlToMarkdown(
  html: string,
  pageUrl: URL,
  options: { rendered?: boolean } = {},
): Promise<HtmlConversion> {
  const { parse, readability, turndown } = await loadToolkit();
  const document = parse(html);
  const shape = limitDepth(document, MAX_DEPTH);
  const metadata = readMetadata(document);
  const shellSignals = scriptSignals(document);
  prepare(document, baseUrl(document, pageUrl));
  const bodyText = visibleLength(document.body?.textContent ?? '');

  const shell = shellSignals.hasScripts && (shellSignals.appHint || bodyText < SHELL_BARE_TEXT_CHARS);
  if (options.rendered !== true && bodyText < SHELL_MAX_TEXT_CHARS && shell) {
    const text = collapse(document.body?.textContent ?? '');
    return {
      markdown: compose(
        metadata,
        pageUrl,
        [
          'This page appears to be a JavaScript application shell: its HTML carries almost no text and its content is rendered by scripts in a browser.',
          "To read it, use a browser-based MCP server (for example Portico's browser server, @portico-mcp/server-browser).",
          text === '' ? '' : `Text present in the HTML: ${text}`,
        ]
          .filter((line) => line !== '')
          .join('\n\n'),
      ),
      ...titleOf(metadata),
      extraction: 'javascript-shell',
    };
  }

  const article = shape.work <= READABILITY_WORK_BUDGET ? readability(document) : null;
  const articleText = visibleLength(article?.textContent ?? '');
  const keepArticle =
    article?.content != null &&
    articleText > 0 &&
    (articleText >= ENOUGH_ARTICLE_CHARS || articleText >= MIN_KEPT_SHARE * bodyText);
  let body = keepArticle && article?.content ? articleMarkdown(turndown, article.content) : undefined;
  const fromArticle = body !== undefined;
  if (fromArticle && article) {
    metadata.title = metadata.title ?? article.title ?? undefined;
    metadata.byline = metadata.byline ?? article.byline ?? undefined;
    metadata.siteName = metadata.siteName ?? article.siteName ?? undefined;
    metadata.published = metadata.published ?? article.publishedTime ?? undefined;
  } else {
    // Readability rewrote the tree it was given; the whole-body fallback starts again from the source.
    const fresh = parse(html);
    limitDepth(fresh, MAX_DEPTH);
    prepare(fresh, baseUrl(fresh, pageUrl));
    // Site navigation is the one part of a page that is never its content.
    for (const node of [...fresh.querySelectorAll('nav, footer, [role="navigation"], [aria-hidden="true"]')])
      node.remove();
    body = fresh.body === null ? '' : turndown.turndown(fresh.body);
  }
  return {
    markdown: compose(metadata, pageUrl, tidy(body ?? '')),
    ...titleOf(metadata),
    extraction: fromArticle ? 'article' : 'page',
  };
}

// The GFM table rules fail on a table part whose table Readability left outside the article (nested tables
// do that); the whole body converts such a page instead.
function articleMarkdown(turndown: TurndownService, content: DomElement): string | undefined {
  try {
    return turndown.turndown(content);
  } catch {
    return undefined;
  }
}

/** Title and byline facts read from a page's head. */
export interface PageMetadata {
  title?: string | undefined;
  byline?: string | undefined;
  siteName?: string | undefined;
  published?: string | undefined;
  description?: string | undefined;
}

/** The title, byline, site, date and language a page states about itself. */
export function readMetadata(document: DomDocument): PageMetadata {
  const meta = (selector: string): string | undefined => {
    const value = document.querySelector(selector)?.getAttribute('content');
    return value == null || value.trim() === '' ? undefined : collapse(value);
  };
  const title = collapse(document.title ?? '') || meta('meta[property="og:title"]') || undefined;
  return {
    title,
    byline: meta('meta[name="author"]') ?? meta('meta[property="article:author"]'),
    siteName: meta('meta[property="og:site_name"]'),
    published:
      meta('meta[property="article:published_time"]') ??
      meta('meta[name="date"]') ??
      meta('meta[itemprop="datePublished"]'),
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
/** Resolves links and images against the page's base and drops what never reads as text. */
function prepare(document: DomDocument, base: URL): void {
  for (const node of [...document.querySelectorAll('script, style, noscript, template, link, meta')]) node.remove();
  for (const anchor of document.querySelectorAll('a[href], area[href]')) {
    const absolute = resolve(anchor.getAttribute('href') ?? '', base);
    if (absolute === undefined || !/^(https?|mailto|tel|ftp):/i.test(absolute)) anchor.removeAttribute('href');
    else anchor.setAttribute('href', absolute);
  }
  for (const image of [...document.querySelectorAll('img')]) {
    const candidates = [image.getAttribute('src'), image.getAttribute('data-src'), image.getAttribute('data-original')];
    const source = candidates.find(
      (value) =>
        value != null && value.trim() !== '' && !(value.startsWith('data:') && value.length > MAX_DATA_URI_CHARS),
    );
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

/** The markdown document: title and metadata lines on top, then the body. */
export function compose(metadata: PageMetadata, pageUrl: URL, body: string): string {
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
  if (metadata.description !== undefined && !body.includes(metadata.description))
    lines.push(`> ${metadata.description}`);
  lines.push('', body);
  return lines.join('\n');
}

function titleOf(metadata: PageMetadata): { title?: string } {
  return metadata.title === undefined ? {} : { title: metadata.title };
}

/** Collapses the blank-line runs turndown leaves, and trims. */
export function tidy(markdown: string): string {
  return markdown
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Characters of text that are not white space. */
export function visibleLength(text: string): number {
  return text.replace(/\s+/g, '').length;
}

/** Readies a parsed page for conversion: links and images made absolute against its base URL. */
export function prepareDocument(document: DomDocument, pageUrl: URL): void {
  prepare(document, baseUrl(document, pageUrl));
}
