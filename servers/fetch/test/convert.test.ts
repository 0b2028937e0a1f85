import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeBody } from '../src/convert/charset.js';
import { convertResponse } from '../src/convert/document.js';
import { htmlToMarkdown } from '@portico-mcp/shared/markdown';
import { pdfToText } from '../src/convert/pdf.js';
import type { FetchedResponse } from '../src/net/http-client.js';
import { articlePage, codePage, javascriptShellPage, minimalPdf, tablesPage } from './fixtures/pages.mjs';
import { CP1252_TEXT, SJIS_TEXT } from './fixtures/site.js';

const PAGE = new URL('https://news.example.com/2026/03/story.html');

function response(body: Buffer | string, contentType?: string): FetchedResponse {
  return {
    url: PAGE,
    via: [],
    status: 200,
    statusText: 'OK',
    headers: new Map(contentType === undefined ? [] : [['content-type', contentType]]),
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    truncated: false,
    redirects: 0,
  };
}

describe('charset detection', () => {
  it('decodes a windows-1252 page declared in Content-Type', async () => {
    const decoded = await decodeBody(
      iconv.encode(CP1252_TEXT, 'windows-1252'),
      'text/html; charset=windows-1252',
      true,
    );
    expect(decoded).toMatchObject({ text: CP1252_TEXT, charset: 'windows-1252', source: 'header' });
  });

  it('reads the iso-8859-1 label as windows-1252, as browsers do (curly quotes and the euro sign survive)', async () => {
    const decoded = await decodeBody(
      iconv.encode(CP1252_TEXT, 'windows-1252'),
      'text/plain; charset=ISO-8859-1',
      false,
    );
    expect(decoded.text).toBe(CP1252_TEXT);
  });

  it('finds a Shift_JIS charset declared in a meta tag when the header has none', async () => {
    const body = iconv.encode(
      `<html><head><meta charset="Shift_JIS"></head><body>${SJIS_TEXT}</body></html>`,
      'shift_jis',
    );
    const decoded = await decodeBody(body, 'text/html', true);
    expect(decoded.source).toBe('meta');
    expect(decoded.text).toContain(SJIS_TEXT);
  });

  it('detects undeclared Shift_JIS text from its bytes', async () => {
    const decoded = await decodeBody(iconv.encode(SJIS_TEXT, 'shift_jis'), 'text/plain', false);
    expect(decoded).toMatchObject({ text: SJIS_TEXT, source: 'detected' });
  });

  it('honours a UTF-16 byte-order mark over everything else', async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo', 'utf16le')]);
    const decoded = await decodeBody(body, 'text/plain; charset=windows-1252', false);
    expect(decoded).toMatchObject({ text: 'héllo', source: 'bom' });
  });

  it('reads undeclared valid UTF-8 as UTF-8', async () => {
    const decoded = await decodeBody(Buffer.from('naïve ✓', 'utf8'), undefined, false);
    expect(decoded).toMatchObject({ text: 'naïve ✓', charset: 'utf-8' });
  });
});

describe('HTML to markdown', () => {
  it('keeps the article, with title and metadata on top, and drops navigation, sidebar and footer', async () => {
    const { markdown, extraction, title } = await htmlToMarkdown(articlePage(), PAGE);
    expect(extraction).toBe('article');
    expect(title).toBe('Caching at the Edge');
    expect(markdown.startsWith('# Caching at the Edge\n')).toBe(true);
    expect(markdown).toContain('> Source: https://news.example.com/2026/03/story.html');
    expect(markdown).toContain('By Ada Writer · Portico Daily · Published 2026-03-14T09:00:00Z');
    expect(markdown).not.toContain('Popular story number');
    expect(markdown).not.toContain('Privacy');
    expect(markdown).not.toContain('window.tracking');
  });

  it('makes relative links and images absolute against the page URL', async () => {
    const { markdown } = await htmlToMarkdown(articlePage(), PAGE);
    expect(markdown).toContain('[note 0](https://news.example.com/notes/0.html)');
    expect(markdown).toContain('[the archive](https://news.example.com/2026/archive/0)');
    expect(markdown).toContain('![Latency chart](https://news.example.com/2026/03/images/chart.png)');
    expect(markdown).not.toMatch(/\]\((?!https?:)/);
  });

  it('resolves links against a <base href> when the page has one', async () => {
    const page = `<html><head><base href="https://cdn.example.org/docs/"></head><body><article><p>${'Text. '.repeat(120)}<a href="guide.html">guide</a></p></article></body></html>`;
    const { markdown } = await htmlToMarkdown(page, PAGE);
    expect(markdown).toContain('[guide](https://cdn.example.org/docs/guide.html)');
  });

  it('renders tables as GFM tables and code as fenced blocks with their language', async () => {
    const { markdown } = await htmlToMarkdown(articlePage(), PAGE);
    expect(markdown).toContain('| Region | p50 (ms) | p99 (ms) |');
    expect(markdown).toMatch(/\| Asia \| 19 +\| 77 +\|/);
    expect(markdown).toContain('```python\ndef hit_ratio(hits, misses):');
    const code = await htmlToMarkdown(codePage(), PAGE);
    expect(code.markdown).toContain('```typescript\nimport { Client }');
    expect(code.markdown).toContain("await client.get('/items?limit=10&sort=name');");
    expect(code.markdown).toContain('```bash\nnpm install --save example-client\n```');
  });

  it('falls back to the whole body when Readability keeps too little of a table page', async () => {
    const { markdown, extraction } = await htmlToMarkdown(tablesPage(), PAGE);
    expect(extraction).toBe('page');
    for (const warehouse of ['Warehouse A', 'Warehouse B', 'Warehouse C']) expect(markdown).toContain(warehouse);
    expect(markdown).toContain('| item-239 | 717 | yes |');
  });

  it('reports a JavaScript-only shell and points to a browser server', async () => {
    const { markdown, extraction } = await htmlToMarkdown(javascriptShellPage(), PAGE);
    expect(extraction).toBe('javascript-shell');
    expect(markdown).toContain('JavaScript application shell');
    expect(markdown).toContain('browser');
  });

  it('drops javascript: links and large inline images but keeps their text', async () => {
    const bigImage = `data:image/png;base64,${'A'.repeat(5000)}`;
    const page = `<html><body><article><p>${'Words here. '.repeat(80)}<a href="javascript:alert(1)">click me</a> <img src="${bigImage}" alt="inline diagram"></p></article></body></html>`;
    const { markdown } = await htmlToMarkdown(page, PAGE);
    expect(markdown).toContain('click me');
    expect(markdown).not.toContain('javascript:');
    expect(markdown).toContain('inline diagram');
    expect(markdown).not.toContain('AAAAAAAAAA');
  });
});

describe('document conversion by content type', () => {
  it('pretty-prints JSON', async () => {
    const converted = await convertResponse(response('{"a":1,"b":[true,null]}', 'application/json'), { raw: false });
    expect(converted).toMatchObject({ kind: 'json', text: '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}' });
  });

  it('serves plain text as is', async () => {
    const converted = await convertResponse(response('a  b\n\n  c\n', 'text/plain'), { raw: false });
    expect(converted).toMatchObject({ kind: 'text', text: 'a  b\n\n  c\n' });
  });

  it('returns the HTML source untouched when raw is asked for', async () => {
    const page = articlePage();
    const converted = await convertResponse(response(page, 'text/html'), { raw: true });
    expect(converted.text).toBe(page);
  });

  it('sniffs HTML and PDF when the server declares no content type', async () => {
    expect(
      (await convertResponse(response('<!DOCTYPE html><html><body><p>hi</p></body></html>'), { raw: false })).kind,
    ).toBe('html');
    expect((await convertResponse(response(minimalPdf([['sniffed pdf']])), { raw: false })).text).toContain(
      'sniffed pdf',
    );
  });

  it('refuses binary content with a sentence that names its type', async () => {
    await expect(convertResponse(response(Buffer.from([1, 2, 3]), 'image/png'), { raw: false })).rejects.toThrow(
      /is image\/png, which cannot be shown as text/,
    );
  });

  it('extracts the text of every page of a PDF, with its title', async () => {
    const pdf = await pdfToText(minimalPdf([['First page line', 'Another line'], ['Second page']], 'My Title'));
    expect(pdf.pages).toBe(2);
    expect(pdf.title).toBe('My Title');
    expect(pdf.text).toBe('## Page 1\n\nFirst page line\nAnother line\n\n## Page 2\n\nSecond page');
  });

  it('reports a damaged PDF as unreadable instead of failing obscurely', async () => {
    await expect(pdfToText(Buffer.from('%PDF-1.4\nthis is not really a pdf'))).rejects.toThrow(
      /The PDF could not be read/,
    );
  });
});

describe('HTML fragments', () => {
  it('converts a page that is only a fragment without <html> or <body>', async () => {
    const { markdown } = await htmlToMarkdown('<p>members area text</p>', PAGE);
    expect(markdown).toContain('members area text');
  });
});
