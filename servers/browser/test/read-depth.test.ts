import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '@portico-mcp/shared/markdown';
import { renderedToMarkdown } from '../src/read/html.js';

// browser_read converts the rendered page with the kernel's conversion, which bounds nesting depth (a
// 2,500-level page took the fetch server 40 s and more before the bound). Both of browser_read's paths must
// keep that bound: the whole-page conversion and the block-by-block one for long pages.
const nested = (levels: number, inner: string) => `${'<div>'.repeat(levels)}${inner}${'</div>'.repeat(levels)}`;

describe('browser_read on deeply nested pages', () => {
  it('converts a 2,500-level page through the kernel conversion and keeps its text', async () => {
    expect(2_500).toBeGreaterThan(MAX_DEPTH);
    const markdown = await renderedToMarkdown(
      `<html><body>${nested(2_500, '<p>deep text</p>')}</body></html>`,
      new URL('http://127.0.0.1/deep'),
    );
    await markdown.more(10_000);
    expect(markdown.text).toContain('deep text');
  }, 20_000);

  it('converts a long 2,500-level page block by block and keeps its text', async () => {
    const filler = `<p>${'word '.repeat(50_000)}</p>`;
    const markdown = await renderedToMarkdown(
      `<html><body>${filler}${nested(2_500, '<p>deep tail text</p>')}</body></html>`,
      new URL('http://127.0.0.1/long'),
    );
    await markdown.more(1_000_000);
    expect(markdown.complete).toBe(true);
    expect(markdown.text).toContain('deep tail text');
  }, 20_000);
});
