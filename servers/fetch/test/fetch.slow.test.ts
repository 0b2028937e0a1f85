// Tool logic of fetch, through the real factory and call path in process (connectInProcess); the parity
// suite in fetch.protocol.test.ts covers what needs a process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, startTestHttpServer } from '@portico-mcp/shared/testing';
import type { InProcessServer, TestHttpServer } from '@portico-mcp/shared/testing';
import { htmlToMarkdown } from '@portico-mcp/shared/markdown';
import { articleOfSize } from './fixtures/pages.mjs';
import { CP1252_TEXT, HUGE_PAGE_BYTES, SJIS_TEXT, startSite } from './fixtures/site.js';
import type { Site } from './fixtures/site.js';
import { callFetch as call, chunkOf, fetchConnection } from './helpers.js';

let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site.close();
});

describe.each(ERAS)('the fetch contract (%s era)', (era) => {
  it('offers the reference contract: tool fetch(url, max_length=5000, start_index=0, raw=false) and prompt fetch(url)', async () => {
    const server = await fetchConnection([], era);
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['fetch']);
    const tool = tools[0]!;
    const properties = tool.inputSchema.properties as Record<string, { default?: unknown; type?: string }>;
    expect(tool.inputSchema.required).toEqual(['url']);
    expect(properties.url?.type).toBe('string');
    expect(properties.max_length).toMatchObject({ type: 'integer', default: 5000 });
    expect(properties.start_index).toMatchObject({ type: 'integer', default: 0 });
    expect(properties.raw).toMatchObject({ type: 'boolean', default: false });
    expect(tool.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    expect(tool.description).not.toMatch(/internet access/i);
    expect(Object.keys(tool.outputSchema?.properties ?? {})).toEqual(expect.arrayContaining(['truncated', 'next']));
    const { prompts } = await server.client.listPrompts();
    expect(prompts).toEqual([
      expect.objectContaining({ name: 'fetch', arguments: [expect.objectContaining({ name: 'url', required: true })] }),
    ]);
    await server.close();
  });
});

describe('the fetch tool', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await fetchConnection(['--allow-hosts', '127.0.0.1']);
  });
  afterAll(async () => {
    await server.close();
  });

  it('converts an article to markdown with title, metadata, absolute links and a GFM table, marked as untrusted', async () => {
    const result = await call(server, { url: `${site.url}/article`, max_length: 100_000 });
    expect(result.isError).toBe(false);
    expect(result.text.startsWith('[Untrusted web content')).toBe(true);
    expect(result.text).toContain(`Contents of ${site.url}/article:\n# Caching at the Edge\n`);
    expect(result.text).toContain(`[note 0](${site.url}/notes/0.html)`);
    expect(result.text).toContain('| Region | p50 (ms) | p99 (ms) |');
    expect(result.text).not.toContain('Popular story number');
    expect(result.structured).toMatchObject({
      kind: 'html',
      extraction: 'article',
      title: 'Caching at the Edge',
      truncated: false,
      status: 200,
    });
    expect(result.structured.next).toBeUndefined();
  });

  it('reads a huge page through start_index: the chunks concatenate to exactly the whole document, fetched once', async () => {
    const path = '/huge?case=chunks';
    const expected = (await htmlToMarkdown(articleOfSize(HUGE_PAGE_BYTES), new URL(`${site.url}${path}`))).markdown;
    const before = site.hits('/huge');
    const chunks: string[] = [];
    let start = 0;
    let calls = 0;
    for (;;) {
      const result = await call(server, { url: `${site.url}${path}`, start_index: start });
      calls++;
      expect(result.isError).toBe(false);
      expect(result.structured.startIndex).toBe(start);
      expect(result.structured.endIndex - start).toBeLessThanOrEqual(5000);
      expect(result.structured.fromCache).toBe(calls > 1);
      chunks.push(chunkOf(result));
      if (result.structured.next === undefined) {
        expect(result.structured.truncated).toBe(false);
        break;
      }
      expect(result.structured.truncated).toBe(true);
      const next = result.structured.next.start_index;
      expect(next).toBe(result.structured.endIndex);
      expect(result.text).toContain(
        `[Truncated: showing characters ${start}–${next} of ${result.structured.totalLength} (max_length 5000). To get more, call fetch again with start_index: ${next}.]`,
      );
      start = next;
    }
    expect(chunks.join('')).toBe(expected);
    expect(calls).toBeGreaterThan(50);
    expect(site.hits('/huge')).toBe(before + 1);
  });

  it('sizes a chunk to the reply budget, on paragraph boundaries, and the chunks still make the whole document', async () => {
    const small = await fetchConnection(['--allow-hosts', '127.0.0.1', '--max-output-bytes', '2000']);
    try {
      const path = '/huge?case=budget';
      const expected = (await htmlToMarkdown(articleOfSize(HUGE_PAGE_BYTES), new URL(`${site.url}${path}`))).markdown;
      const chunks: string[] = [];
      let start = 0;
      for (let calls = 0; calls < 20; calls++) {
        const result = await call(small, { url: `${site.url}${path}`, start_index: start });
        expect(
          Buffer.byteLength(result.text) + Buffer.byteLength(JSON.stringify(result.structured)),
        ).toBeLessThanOrEqual(2000);
        const chunk = chunkOf(result);
        chunks.push(chunk);
        expect(result.structured.next?.start_index).toBe(result.structured.endIndex);
        expect(result.text).toContain('(the reply budget). To get more, call fetch again with start_index: ');
        expect(chunk.endsWith('\n') || chunk.endsWith(' ')).toBe(true);
        start = result.structured.next!.start_index;
      }
      expect(expected.startsWith(chunks.join(''))).toBe(true);
    } finally {
      await small.close();
    }
  });

  it.each([
    ['/cp1252', CP1252_TEXT, 'a windows-1252 page declared in Content-Type'],
    ['/latin1-label', CP1252_TEXT, 'text labelled iso-8859-1 (read as windows-1252)'],
    ['/sjis-meta', SJIS_TEXT.slice(0, 40), 'a Shift_JIS page declared in <meta charset>'],
    ['/sjis-plain', SJIS_TEXT, 'undeclared Shift_JIS text'],
  ])('decodes %s (%s)', async (path, expected) => {
    const result = await call(server, { url: `${site.url}${path}`, max_length: 100_000 });
    expect(result.isError).toBe(false);
    expect(result.text).toContain(expected);
  });

  it('pretty-prints JSON, serves plain text as is and extracts PDF text', async () => {
    const json = await call(server, { url: `${site.url}/json` });
    expect(chunkOf(json)).toBe(
      '{\n  "name": "portico",\n  "tags": [\n    "fetch",\n    "mcp"\n  ],\n  "nested": {\n    "ok": true\n  }\n}',
    );
    const text = await call(server, { url: `${site.url}/text` });
    expect(chunkOf(text)).toBe('line one\nline two\n');
    const pdf = await call(server, { url: `${site.url}/pdf` });
    expect(pdf.structured).toMatchObject({ kind: 'pdf', title: 'Report 2026' });
    expect(chunkOf(pdf)).toBe(
      '# Report 2026\n\n## Page 1\n\nQuarterly report\nRevenue grew by 12 percent\n\n## Page 2\n\nSecond page text\nThe end',
    );
  });

  it('returns the HTML source with raw: true', async () => {
    const result = await call(server, { url: `${site.url}/code`, raw: true, max_length: 200 });
    expect(chunkOf(result).startsWith('<!doctype html>')).toBe(true);
    expect(result.structured).toMatchObject({ truncated: true, next: { start_index: result.structured.endIndex } });
  });

  it('follows a redirect chain and says where the content came from', async () => {
    const result = await call(server, { url: `${site.url}/redirect/3` });
    expect(result.text).toContain(`Contents of ${site.url}/redirect/3 (redirected to ${site.url}/article):`);
    expect(result.structured.finalUrl).toBe(`${site.url}/article`);
  });

  it.each([
    ['/status/404', /failed with HTTP 404 Not Found; check the URL\./],
    ['/status/500', /failed with HTTP 500 Internal Server Error; the site has a problem/],
    ['/png', /is image\/png, which cannot be shown as text/],
  ])('answers %s with an isError result that says why', async (path, message) => {
    const result = await call(server, { url: `${site.url}${path}` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(message);
  });

  it('ends a request at the per-call timeout_seconds', async () => {
    const result = await call(server, { url: `${site.url}/hang`, timeout_seconds: 0.5 });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/did not answer in full within 0\.5 s/);
  });

  it('reports a JavaScript-only page and points to a browser server', async () => {
    const result = await call(server, { url: `${site.url}/spa` });
    expect(result.structured.extraction).toBe('javascript-shell');
    expect(result.text).toMatch(/JavaScript application shell[\s\S]*browser-based MCP server/);
  });

  it('refuses a start_index past the end of the document', async () => {
    const result = await call(server, { url: `${site.url}/text`, start_index: 500 });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /No more content available: start_index 500 is at or past the end of the document \(18 characters\)/,
    );
  });

  it('serves the fetch prompt as a user message with the page as markdown', async () => {
    const prompt = await server.client.getPrompt({ name: 'fetch', arguments: { url: `${site.url}/article` } });
    const message = prompt.messages[0]!;
    expect(message.role).toBe('user');
    expect(message.content).toMatchObject({ type: 'text', text: expect.stringContaining('# Caching at the Edge') });
  });

  it('cuts the fetch prompt to the reply budget and names the start_index the fetch tool continues from', async () => {
    const small = await fetchConnection(['--allow-hosts', '127.0.0.1', '--max-output-bytes', '3000']);
    try {
      const url = `${site.url}/huge?case=prompt`;
      const prompt = await small.client.getPrompt({ name: 'fetch', arguments: { url } });
      const text = (prompt.messages[0]!.content as { text: string }).text;
      const match = /To get more, call the fetch tool with this url and a start_index of (\d+)\.\]$/.exec(text);
      expect(match).not.toBeNull();
      const shown = text.slice(text.indexOf(':\n', text.indexOf('Contents of ')) + 2, text.lastIndexOf('\n[Truncated'));
      expect(shown.length).toBe(Number(match![1]));
      const rest = await call(small, { url, start_index: Number(match![1]), max_length: 50 });
      const whole = (await htmlToMarkdown(articleOfSize(HUGE_PAGE_BYTES), new URL(url))).markdown;
      expect(shown + chunkOf(rest)).toBe(whole.slice(0, Number(match![1]) + chunkOf(rest).length));
    } finally {
      await small.close();
    }
  });

  it('answers a prompt whose page cannot be fetched with the reason as the message, as the reference does', async () => {
    const prompt = await server.client.getPrompt({ name: 'fetch', arguments: { url: `${site.url}/status/404` } });
    expect(prompt.description).toBe(`Failed to fetch ${site.url}/status/404`);
    expect(prompt.messages[0]!.content).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/failed with HTTP 404 Not Found/),
    });
  });
});

describe('server-wide limits', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await fetchConnection(['--allow-hosts', '127.0.0.1', '--max-download-bytes', '100000', '--timeout', '1']);
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a download over --max-download-bytes', async () => {
    const result = await call(server, { url: `${site.url}/stream-big` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/larger than the 100,000-byte download limit/);
  });

  it('applies --timeout, and a per-call timeout_seconds cannot exceed it', async () => {
    const result = await call(server, { url: `${site.url}/hang`, timeout_seconds: 30 });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/within 1 s/);
  });
});

describe('robots.txt at the server level', () => {
  let robotsSite: TestHttpServer;
  let brokenRobotsSite: TestHttpServer;
  let strict: InProcessServer;
  let ignoring: InProcessServer;
  beforeAll(async () => {
    const page =
      (body: string, status = 200) =>
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(status, {
          'content-type': status === 200 && body.startsWith('User') ? 'text/plain' : 'text/html',
        });
        res.end(body);
      };
    robotsSite = await startTestHttpServer((req, res) =>
      req.url === '/robots.txt'
        ? page('User-agent: *\nDisallow: /members\n')(req, res)
        : page('<p>members area text</p>')(req, res),
    );
    brokenRobotsSite = await startTestHttpServer((req, res) =>
      req.url === '/robots.txt' ? page('oops', 503)(req, res) : page('<p>some page</p>')(req, res),
    );
    strict = await fetchConnection(['--allow-hosts', '127.0.0.1']);
    ignoring = await fetchConnection(['--allow-hosts', '127.0.0.1', '--ignore-robots-txt']);
  });
  afterAll(async () => {
    await Promise.all([strict.close(), ignoring.close(), robotsSite.close(), brokenRobotsSite.close()]);
  });

  it('refuses a disallowed page to the tool, with the rule and how to proceed', async () => {
    const result = await call(strict, { url: `${robotsSite.url}/members/list` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /robots\.txt .* does not allow .*"Disallow: \/members".*fetch prompt.*--ignore-robots-txt/,
    );
  });

  it('refuses every page of a site whose robots.txt answers 5xx (the reference allows them)', async () => {
    const result = await call(strict, { url: `${brokenRobotsSite.url}/anything` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/could not be read \(HTTP 503\)/);
  });

  it('lets the user-driven prompt fetch a disallowed page', async () => {
    const prompt = await strict.client.getPrompt({
      name: 'fetch',
      arguments: { url: `${robotsSite.url}/members/list` },
    });
    expect(prompt.messages[0]?.content).toMatchObject({ text: expect.stringContaining('members area text') });
  });

  it('fetches disallowed pages with --ignore-robots-txt', async () => {
    const result = await call(ignoring, { url: `${robotsSite.url}/members/list` });
    expect(result.isError).toBe(false);
    expect(result.text).toContain('members area text');
  });
});

describe('without --allow-hosts', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await fetchConnection();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    '/article',
    '/huge',
    '/cp1252',
    '/sjis-meta',
    '/json',
    '/text',
    '/pdf',
    '/redirect/3',
    '/robots.txt',
    '/slow-body',
  ])('refuses %s on the loopback test site without contacting it', async (path) => {
    const before = site.hits(path);
    const robotsBefore = site.hits('/robots.txt');
    const result = await call(server, { url: `${site.url}${path}` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /^Refused http:\/\/127\.0\.0\.1:\d+\/.*127\.0\.0\.1 is a loopback address; an operator can allow it with --allow-hosts 127\.0\.0\.1\.$/,
    );
    expect(site.hits(path)).toBe(before);
    expect(site.hits('/robots.txt')).toBe(robotsBefore);
  });
});

describe('flags', () => {
  it('accept host lists split by white space as well as commas', async () => {
    const server = await fetchConnection([
      '--allow-hosts',
      'example.com 127.0.0.1',
      '--deny-hosts',
      'a.example,b.example',
    ]);
    const result = await call(server, { url: `${site.url}/text` });
    expect(result.isError).toBe(false);
    await server.close();
  });

  it('refuse a timeout outside its range with a sentence that names it', async () => {
    await expect(fetchConnection(['--timeout', '601'])).rejects.toThrow(
      '--timeout must be between 100ms and 600s, not "601".',
    );
  });
});
