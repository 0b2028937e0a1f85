// The parity suite: the built server spawned over stdio as a host runs it, in both protocol eras. Tool
// logic is tested in process (fetch.test.ts); here what needs a process: framing, the bundled conversion
// worker, progress notifications on the wire, the prompt and continuation over stdio.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { SpawnedServer } from '@portico-mcp/shared/testing';
import { articleOfSize } from './fixtures/pages.mjs';
import { SLOW_PAGE_BYTES, startSite } from './fixtures/site.js';
import type { Site } from './fixtures/site.js';
import { callFetch as call, chunkOf } from './helpers.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site.close();
});

describe.each(ERAS)('fetch server over stdio (%s era)', (era) => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ entry, era, args: ['--allow-hosts', '127.0.0.1'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('offers the reference contract: tool fetch(url, max_length=5000, start_index=0, raw=false) and prompt fetch(url)', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['fetch']);
    const properties = tools[0]!.inputSchema.properties as Record<string, { default?: unknown; type?: string }>;
    expect(tools[0]!.inputSchema.required).toEqual(['url']);
    expect(properties.max_length).toMatchObject({ type: 'integer', default: 5000 });
    expect(properties.start_index).toMatchObject({ type: 'integer', default: 0 });
    expect(properties.raw).toMatchObject({ type: 'boolean', default: false });
    expect(tools[0]!.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    const { prompts } = await server.client.listPrompts();
    expect(prompts).toEqual([
      expect.objectContaining({ name: 'fetch', arguments: [expect.objectContaining({ name: 'url', required: true })] }),
    ]);
  });

  it('converts an article in the bundled worker, marked as untrusted', async () => {
    const result = await call(server, { url: `${site.url}/article`, max_length: 100_000 });
    expect(result.isError).toBe(false);
    expect(result.text.startsWith('[Untrusted web content')).toBe(true);
    expect(result.text).toContain(`Contents of ${site.url}/article:\n# Caching at the Edge\n`);
    expect(result.structured).toMatchObject({
      kind: 'html',
      extraction: 'article',
      title: 'Caching at the Edge',
      truncated: false,
      status: 200,
    });
  });

  it('continues a cut document from next.start_index, from the cache', async () => {
    const url = `${site.url}/huge?era=${era}`;
    const first = await call(server, { url });
    expect(first.structured).toMatchObject({ truncated: true, startIndex: 0, fromCache: false });
    const next = first.structured.next!.start_index;
    expect(first.text).toContain(`To get more, call fetch again with start_index: ${next}.]`);
    const second = await call(server, { url, start_index: next });
    expect(second.structured).toMatchObject({ startIndex: next, fromCache: true });
    expect(chunkOf(second).length).toBe(second.structured.endIndex - next);
  });

  it('sends progress notifications while a slow page streams in, and still returns the page', async () => {
    const updates: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await server.client.callTool(
      { name: 'fetch', arguments: { url: `${site.url}/slow-article?era=${era}` } },
      { onprogress: (update) => updates.push(update) },
    );
    expect(result.isError).toBeFalsy();
    expect(resultText(result)).toContain(`Contents of ${site.url}/slow-article?era=${era}:\n# `);
    // The client may miss the last notifications (the result can overtake them), so: at least one, sensible values.
    expect(updates.length).toBeGreaterThanOrEqual(1);
    // The first comes from the download itself (every 512 KiB received), before the conversion starts.
    expect(updates[0]).toMatchObject({ message: 'downloading' });
    const bytes = Buffer.byteLength(articleOfSize(SLOW_PAGE_BYTES));
    for (const update of updates) {
      expect(update.progress).toBeGreaterThan(0);
      expect(update.progress).toBeLessThanOrEqual(bytes);
      expect([undefined, bytes]).toContain(update.total);
    }
    expect(updates.map((update) => update.progress)).toEqual(
      [...updates.map((update) => update.progress)].sort((a, b) => a - b),
    );
  });

  it('answers a failure with an isError result that says why', async () => {
    const result = await call(server, { url: `${site.url}/status/404` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/failed with HTTP 404 Not Found; check the URL\./);
  });

  it('serves the fetch prompt as a user message with the page as markdown', async () => {
    const prompt = await server.client.getPrompt({ name: 'fetch', arguments: { url: `${site.url}/article` } });
    const message = prompt.messages[0]!;
    expect(message.role).toBe('user');
    expect(message.content).toMatchObject({ type: 'text', text: expect.stringContaining('# Caching at the Edge') });
  });
});

describe('without --allow-hosts', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ entry });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses the loopback test site without contacting it', async () => {
    const before = site.hits('/article');
    const result = await call(server, { url: `${site.url}/article` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /127\.0\.0\.1 is a loopback address; an operator can allow it with --allow-hosts 127\.0\.0\.1\.$/,
    );
    expect(site.hits('/article')).toBe(before);
  });
});
