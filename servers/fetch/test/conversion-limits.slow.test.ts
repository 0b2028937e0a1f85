import { describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { TooLargeError } from '@portico-mcp/shared/errors';
import { htmlToMarkdown, limitDepth, MAX_DEPTH, READABILITY_WORK_BUDGET } from '@portico-mcp/shared/markdown';
import { pdfToText } from '../src/convert/pdf.js';
import { minimalPdf } from './fixtures/pages.mjs';
import { deflatedSpaces, inflatedSize, nestedHtml, pdfWithContentStreams } from './fixtures/hostile.js';

const PAGE = new URL('https://hostile.example/page');
const MB = 1_000_000;
type Parsed = Parameters<typeof limitDepth>[0];

function parse(html: string): Parsed {
  return (parseHTML(html) as unknown as { document: Parsed }).document;
}

/** The element depth of a parsed page, counted without the bound. */
function depthOf(document: Parsed): number {
  let deepest = 0;
  const stack: Array<[{ children: Iterable<unknown> }, number]> = [[document.documentElement!, 1]];
  while (stack.length > 0) {
    const [element, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    for (const child of element.children) stack.push([child as { children: Iterable<unknown> }, depth + 1]);
  }
  return deepest;
}

describe('PDF decompression bombs', () => {
  it('refuses a PDF whose content stream inflates to 512 MB once its decoded streams pass the budget', async () => {
    const stream = await deflatedSpaces(512 * MB);
    expect(stream.length).toBeLessThan(1 * MB);
    // The attack is real: the stream does inflate to 512 MB.
    expect(await inflatedSize(stream)).toBe(512 * MB);
    const pdf = pdfWithContentStreams([{ filters: ['FlateDecode'], data: stream }]);
    const reading = pdfToText(pdf, { maxDecodedBytes: 32 * MB });
    await expect(reading).rejects.toBeInstanceOf(TooLargeError);
    await expect(reading).rejects.toThrow(
      /compressed streams expand to more than 32,000,000 bytes when decoded.*--max-decompressed-bytes\.$/,
    );
  });

  it('counts a bomb hidden behind another filter (ASCIIHex, then Flate) the same way', async () => {
    const stream = await deflatedSpaces(256 * MB);
    expect(await inflatedSize(stream)).toBe(256 * MB);
    const hex = Buffer.from(`${stream.toString('hex')}>`, 'latin1');
    const pdf = pdfWithContentStreams([{ filters: ['ASCIIHexDecode', 'FlateDecode'], data: hex }]);
    await expect(pdfToText(pdf, { maxDecodedBytes: 32 * MB })).rejects.toThrow(/expand to more than 32,000,000 bytes/);
  });

  it('counts the budget over the whole document, so a bomb split into many small streams is refused too', async () => {
    const piece = await deflatedSpaces(12 * MB);
    const pdf = pdfWithContentStreams(Array.from({ length: 8 }, () => ({ filters: ['FlateDecode'], data: piece })));
    // Each stream alone fits in the budget; together they are 96 MB.
    const one = await pdfToText(pdfWithContentStreams([{ filters: ['FlateDecode'], data: piece }]), {
      maxDecodedBytes: 32 * MB,
    });
    expect(one.pages).toBe(1);
    await expect(pdfToText(pdf, { maxDecodedBytes: 32 * MB })).rejects.toThrow(/expand to more than 32,000,000 bytes/);
  });

  it('still reads ordinary PDFs, compressed or not, under the default budget', async () => {
    const content = await deflatedSpaces(0).then(() =>
      Buffer.from('BT /F1 12 Tf 72 720 Td (Compressed page text) Tj ET', 'latin1'),
    );
    const { deflateSync } = await import('node:zlib');
    const compressed = pdfWithContentStreams([{ filters: ['FlateDecode'], data: deflateSync(content) }]);
    expect((await pdfToText(compressed)).text).toContain('Compressed page text');
    expect((await pdfToText(minimalPdf([['Plain page']]))).text).toContain('Plain page');
  });
});

describe('deeply nested HTML', () => {
  it.each([
    ['<div>', '<div>', '</div>'],
    ['<ul><li>', '<ul><li>', '</li></ul>'],
    ['<blockquote>', '<blockquote>', '</blockquote>'],
    ['<span>', '<span>', '</span>'],
    ['<table><tr><td>', '<table><tr><td>', '</td></tr></table>'],
    ['unclosed <div>', '<div>', ''],
  ])('bounds 2,500 nested %s at the depth limit and keeps all their text', async (_name, open, close) => {
    const html = nestedHtml(2500, open, close);
    const document = parse(html);
    const report = limitDepth(document, MAX_DEPTH);
    // Without the bound the converter gets the whole depth (Readability's cost grows with its cube).
    expect(report.maxDepth).toBeGreaterThan(2500);
    expect(depthOf(document)).toBeLessThanOrEqual(MAX_DEPTH);
    expect(document.body?.textContent?.match(/level/g)?.length).toBe(2500);
    // Readability may still pick a deep part as the article; the innermost text is always in it.
    const { markdown } = await htmlToMarkdown(html, PAGE);
    expect(markdown).toContain('bottom');
  });

  it('skips Readability on a page whose element count times depth would take it many seconds, converting the whole body', async () => {
    const tree = `${'<div>word '.repeat(90)}${'</div>'.repeat(90)}`;
    const html = `<!doctype html><html><body>${tree.repeat(400)}</body></html>`;
    expect(limitDepth(parse(html), MAX_DEPTH).work).toBeGreaterThan(READABILITY_WORK_BUDGET);
    const { extraction, markdown } = await htmlToMarkdown(html, PAGE);
    expect(extraction).toBe('page');
    expect(markdown.match(/word/g)?.length).toBe(90 * 400);
  });

  it('does not put the text of scripts below the depth limit into the page', async () => {
    const html = nestedHtml(300, '<div>', '</div>').replace(
      'bottom',
      'bottom<script>stealCookies()</script><style>.x{}</style>',
    );
    const { markdown } = await htmlToMarkdown(html, PAGE);
    expect(markdown).toContain('bottom');
    expect(markdown).not.toContain('stealCookies');
  });
});
