import { describe, expect, it } from 'vitest';
import { MAX_MEDIA_REPLY_BYTES, Reply, utf8Length } from '../src/output/index.js';
import { boundResult, resultBytes } from '../src/serve/index.js';

const textOf = (result: { content?: Array<{ type: string; text?: string }> }) =>
  (result.content ?? []).map((block) => block.text ?? '').join('');

describe('Reply', () => {
  it('sends a small reply whole, with truncated: false in structure', () => {
    const reply = new Reply({ tool: 'demo', limit: 10_000 });
    reply.header('Two lines:');
    reply.line('one');
    reply.line('two');
    reply.set({ count: 2 });
    const result = reply.build();
    expect(textOf(result)).toBe('Two lines:\none\ntwo');
    expect(result.structuredContent).toEqual({ count: 2, truncated: false });
  });

  it('cuts a page at the last item that fits, counting the structured entries too', () => {
    const limit = 4_000;
    const reply = new Reply({ tool: 'list_things', limit });
    const items = Array.from({ length: 500 }, (_, index) => ({
      name: `item-${String(index).padStart(4, '0')}`,
      size: index,
    }));
    const page = reply.page(items, {
      line: (item) => item.name,
      entry: (item) => item,
      key: 'entries',
      noun: 'entries',
      total: items.length,
    });
    const result = reply.build();
    expect(page.truncated).toBe(true);
    expect(page.items.length).toBeGreaterThan(10);
    expect(page.items.length).toBeLessThan(500);
    // Everything sent, text and structure, stays within the budget.
    expect(resultBytes(result)).toBeLessThanOrEqual(limit);
    const structure = result.structuredContent as { entries: unknown[]; truncated: boolean; next: { offset: number } };
    expect(structure.entries).toHaveLength(page.items.length);
    expect(structure.truncated).toBe(true);
    expect(structure.next).toEqual({ offset: page.end });
    expect(textOf(result)).toContain(
      `[Truncated: showing entries 1–${page.end} of 500 (the reply budget). To get more, call list_things again with offset: ${page.end}.]`,
    );
  });

  it('numbers a later page from its offset and stops at the caller’s limit', () => {
    const reply = new Reply({ tool: 'git_log', limit: 100_000 });
    const page = reply.page(['a', 'b', 'c', 'd'], {
      line: (item) => item,
      noun: 'commits',
      offset: 20,
      limit: 2,
      more: true,
    });
    expect(page).toEqual({ items: ['a', 'b'], end: 22, truncated: true });
    expect(textOf(reply.build())).toBe(
      'a\nb\n[Truncated: showing commits 21–22 (the limit of 2). To get more, call git_log again with offset: 22.]',
    );
  });

  it('is not cut when the listing ends exactly where the page does', () => {
    const reply = new Reply({ tool: 't', limit: 100_000 });
    expect(reply.page([1, 2], { line: String, noun: 'rows', limit: 2, total: 2 }).truncated).toBe(false);
    expect(reply.build({ structured: true }).structuredContent).toEqual({ truncated: false });
  });

  it('takes the continuation a reference contract names', () => {
    const reply = new Reply({ tool: 'fetch', limit: 100_000 });
    reply.line('page text');
    reply.cut({ shown: 'characters 0–5000 of 9000', reason: 'max_length', next: { start_index: 5000 } });
    const result = reply.build({ structured: true });
    expect(result.structuredContent).toEqual({ truncated: true, next: { start_index: 5000 } });
    expect(textOf(result)).toContain('To get more, call fetch again with start_index: 5000.]');
  });

  it('quotes a cursor continuation so it can be copied whole', () => {
    const reply = new Reply({ tool: 'read_query', limit: 100_000 });
    reply.cut({ shown: 'rows 1–100', reason: 'the reply budget', next: { cursor: 'abc_-1' } });
    expect(textOf(reply.build())).toContain('call read_query again with cursor: "abc_-1".]');
  });

  it('cuts long text on a line boundary and reports how much it took', () => {
    const reply = new Reply({ tool: 'read', limit: 2_000 });
    const body = Array.from({ length: 400 }, (_, index) => `line ${index}`).join('\n');
    const cut = reply.text(body);
    expect(cut.truncated).toBe(true);
    expect(body.slice(0, cut.consumedChars).endsWith('\n')).toBe(true);
    expect(utf8Length(textOf(reply.build()))).toBeLessThanOrEqual(2_000);
  });

  it('always keeps room for the notice, even when the body filled the budget', () => {
    const reply = new Reply({ tool: 'tree', limit: 1_000 });
    while (reply.line('x'.repeat(50)));
    reply.cut({ shown: 'part of the tree', reason: 'the reply budget', next: { depth: 1 } });
    const result = reply.build({ structured: true });
    expect(resultBytes(result)).toBeLessThanOrEqual(1_000);
    expect(textOf(result)).toMatch(/call tree again with depth: 1\.\]$/);
  });

  it('puts footer lines after the notice, for totals that describe the whole listing', () => {
    const reply = new Reply({ tool: 'ls', limit: 100_000 });
    reply.page(['a', 'b', 'c'], { line: (item) => item, noun: 'entries', limit: 1, total: 3 });
    reply.footer('Total: 3 entries');
    expect(textOf(reply.build()).split('\n').at(-1)).toBe('Total: 3 entries');
  });

  it('charges a non-text block at its serialised size and refuses one that does not fit', () => {
    const reply = new Reply({ tool: 'img', limit: 2_000 });
    expect(reply.block({ type: 'image', data: 'A'.repeat(5_000), mimeType: 'image/png' })).toBe(false);
    expect(reply.block({ type: 'image', data: 'A'.repeat(500), mimeType: 'image/png' })).toBe(true);
    expect(reply.build().content).toHaveLength(1);
  });
});

describe('boundResult, the last guard', () => {
  it('counts structured content when it decides whether a reply is too large', () => {
    const structured = { rows: Array.from({ length: 2_000 }, (_, index) => ({ index, value: 'v'.repeat(20) })) };
    const result = boundResult({ content: [{ type: 'text', text: 'small' }], structuredContent: structured }, 10_000);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/larger than the reply budget of 10\.0 KB; narrow the request/);
  });

  it('cuts oversized text and says so, keeping small structure', () => {
    const result = boundResult(
      { content: [{ type: 'text', text: 'y'.repeat(50_000) }], structuredContent: { ok: true } },
      5_000,
    );
    expect(resultBytes(result)).toBeLessThan(5_000 + 300);
    expect(result.structuredContent).toEqual({ ok: true });
    expect(textOf(result)).toMatch(/\[Truncated: showing the first 5\.0 KB of 50\.0 KB \(the reply budget\)/);
  });
});

describe('Reply.build with noticeApart', () => {
  it('keeps the body block exactly as written and puts the notice in a block of its own', () => {
    const reply = new Reply({ tool: 'tree', limit: 100_000 });
    const json = JSON.stringify([{ name: 'a', truncated: true }], null, 2);
    expect(reply.line(json)).toBe(true);
    reply.cut({ shown: '1 entry', reason: 'the maxDepth of 1', alternative: 'call tree on that directory' });
    const result = reply.build({ structured: true, noticeApart: true });
    const blocks = result.content as Array<{ type: string; text: string }>;
    expect(blocks).toHaveLength(2);
    expect(JSON.parse(blocks[0]!.text)).toEqual([{ name: 'a', truncated: true }]);
    expect(blocks[1]!.text).toBe(
      '[Truncated: showing 1 entry (the maxDepth of 1). To get more, call tree on that directory.]',
    );
    expect(result.structuredContent).toEqual({ truncated: true });
  });

  it('sends one block when nothing was cut', () => {
    const reply = new Reply({ tool: 'tree', limit: 100_000 });
    reply.line('[]');
    expect(reply.build({ noticeApart: true }).content).toEqual([{ type: 'text', text: '[]' }]);
  });
});

describe('media in a reply', () => {
  it('charges an image’s payload to the media allowance, not the text budget', () => {
    const reply = new Reply({ tool: 'read_media_file', limit: 2_000 });
    const image = { type: 'image' as const, data: 'A'.repeat(500_000), mimeType: 'image/png' };
    expect(reply.media(image)).toBe(true);
    expect(reply.line('caption')).toBe(true);
    const result = reply.build();
    expect(resultBytes(result)).toBeLessThan(2_000);
    expect(boundResult(result, 2_000)).toBe(result);
  });

  it('refuses media past the per-reply allowance, which stays far under the 10 MiB message limit', () => {
    const reply = new Reply({ tool: 'read_media_file', limit: 100_000 });
    expect(reply.media({ type: 'image', data: 'A'.repeat(MAX_MEDIA_REPLY_BYTES - 10), mimeType: 'image/png' })).toBe(
      true,
    );
    expect(reply.media({ type: 'audio', data: 'A'.repeat(20), mimeType: 'audio/wav' })).toBe(false);
    expect(MAX_MEDIA_REPLY_BYTES + 100_000).toBeLessThan(10 * 1024 * 1024 * 0.85);
  });

  it('has the last guard refuse a hand-made reply whose media exceed the allowance', () => {
    const result = boundResult(
      { content: [{ type: 'image', data: 'A'.repeat(MAX_MEDIA_REPLY_BYTES + 1), mimeType: 'image/png' }] },
      100_000,
    );
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/over the 8\.4 MB one reply may carry/);
  });
});
