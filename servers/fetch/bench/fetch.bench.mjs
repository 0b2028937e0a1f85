// Fetch server benchmarks: HTML → markdown end to end through the server against the raw in-process
// pipeline (linkedom + Readability + turndown, the fast floor), reading a 2 MB article through
// continuation calls against one conversion, and startup.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import TurndownService from 'turndown';
import turndownGfm from '@joplin/turndown-plugin-gfm';
import { bytes, connectTimed, median, ms, rssOf, timeSpawnToExit } from '../../../scripts/bench-lib/measure.mjs';
import { articleOfSize } from '../test/fixtures/pages.mjs';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const RUNS_BIG = Number(process.env.PORTICO_BENCH_RUNS_BIG ?? 5);
const RUNS_SMALL = Number(process.env.PORTICO_BENCH_RUNS ?? 15);

/** The raw pipeline, in process: what any converter built on these libraries must at least spend. */
function rawConvert(html) {
  const { document } = parseHTML(html);
  const article = new Readability(document, { serializer: (node) => node, keepClasses: true }).parse();
  const service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced' });
  service.use(turndownGfm.gfm);
  return service.turndown(article.content);
}

/** Bytes a reply sends, as the kernel counts them: its text plus its structured content (JSON). */
function replyBytes(result) {
  const text = (result.content ?? [])
    .map((block) => (block.type === 'text' ? block.text : JSON.stringify(block)))
    .join('');
  return (
    Buffer.byteLength(text) +
    (result.structuredContent === undefined ? 0 : Buffer.byteLength(JSON.stringify(result.structuredContent)))
  );
}

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export async function run() {
  const pages = { '/article-2mb': articleOfSize(2_000_000, 11), '/page-100kb': articleOfSize(100_000, 12) };
  const site = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://bench').pathname;
    const body = pages[path];
    if (body === undefined) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${site.address().port}`;
  const common = ['--allow-hosts', '127.0.0.1', '--ignore-robots-txt'];
  try {
    // Conversion end to end (cache off: every call downloads and converts), against the raw floor.
    const uncached = await connectTimed({ args: [entry, ...common, '--cache-ttl', '0'] });
    const conversion = {};
    for (const [path, runs] of [
      ['/article-2mb', RUNS_BIG],
      ['/page-100kb', RUNS_SMALL],
    ]) {
      const server = [];
      const raw = [];
      // One unmeasured round each: loads the lazy modules and warms the JIT on both sides.
      await uncached.client.callTool({ name: 'fetch', arguments: { url: `${base}${path}` } });
      rawConvert(pages[path]);
      for (let i = 0; i < runs; i++) {
        server.push(
          (await timed(() => uncached.client.callTool({ name: 'fetch', arguments: { url: `${base}${path}` } }))).ms,
        );
        raw.push((await timed(() => rawConvert(pages[path]))).ms);
      }
      conversion[path] = { server: median(server), raw: median(raw) };
    }
    const peak = rssOf(uncached.pid);
    await uncached.close();

    // Full read of the 2 MB article through start_index, default max_length, on a fresh server each run.
    const fullRead = [];
    const firstCall = [];
    let calls = 0;
    for (let i = 0; i < 3; i++) {
      const server = await connectTimed({ args: [entry, ...common] });
      await server.client.callTool({ name: 'fetch', arguments: { url: `${base}/page-100kb` } }); // warm the lazy modules
      const started = performance.now();
      let start = 0;
      calls = 0;
      for (;;) {
        const result = await server.client.callTool({
          name: 'fetch',
          arguments: { url: `${base}/article-2mb`, start_index: start },
        });
        calls++;
        if (calls === 1) firstCall.push(performance.now() - started);
        const next = result.structuredContent?.next?.start_index;
        if (next === undefined) break;
        start = next;
      }
      fullRead.push(performance.now() - started);
      await server.close();
    }

    // Reply bytes of the everyday call: a 5,000-character fetch (default max_length) of a local page.
    const replyServer = await connectTimed({ args: [entry, ...common] });
    const pageUrl = `${base}/page-100kb`;
    const everyday = await replyServer.client.callTool({ name: 'fetch', arguments: { url: pageUrl } });
    const porticoReply = replyBytes(everyday);
    // The reference's reply around the same markdown: its documented format, "Contents of <url>:\n" and the
    // first max_length characters, then its truncation line (mcp-server-fetch is Python and cannot be
    // installed here, so the format is rebuilt from Portico's own markdown of the page).
    const longer = await replyServer.client.callTool({
      name: 'fetch',
      arguments: { url: pageUrl, max_length: 20_000 },
    });
    const longerText = longer.content[0].text;
    const markdown = longerText.slice(longerText.indexOf(':\n', longerText.indexOf('Contents of ')) + 2).slice(0, 5000);
    const referenceText = `Contents of ${pageUrl}:\n${markdown}\n\n<error>Content truncated. Call the fetch tool with a start_index of 5000 to get more content.</error>`;
    const referenceReply = Buffer.byteLength(referenceText);
    await replyServer.close();

    // Startup: spawn → initialize result.
    const startup = [];
    const startupModern = [];
    const bare = [];
    const rss = [];
    for (let i = 0; i < RUNS_SMALL; i++) {
      bare.push(await timeSpawnToExit(process.execPath, ['-e', '0']));
      const legacy = await connectTimed({ args: [entry] });
      startup.push(legacy.initializeMs);
      rss.push(rssOf(legacy.pid));
      await legacy.close();
      const modern = await connectTimed({ args: [entry], era: 'modern' });
      startupModern.push(modern.initializeMs);
      await modern.close();
    }

    const single = median(firstCall);
    return [
      {
        title:
          'HTML → markdown, end to end through the server (download + convert, cache off) vs the raw in-process pipeline',
        rows: [
          {
            measure: '2 MB article',
            portico: conversion['/article-2mb'].server,
            format: ms,
            anchors: [{ name: 'raw linkedom+Readability+turndown', value: conversion['/article-2mb'].raw }],
          },
          {
            measure: '100 KB page',
            portico: conversion['/page-100kb'].server,
            format: ms,
            anchors: [{ name: 'raw linkedom+Readability+turndown', value: conversion['/page-100kb'].raw }],
          },
        ],
      },
      {
        title: `Reading the whole 2 MB article with start_index (${calls} calls of max_length 5000), median of 3`,
        rows: [
          {
            measure: 'all chunks, total time',
            portico: median(fullRead),
            format: ms,
            anchors: [
              { name: 'one conversion (first call)', value: single },
              {
                name: 'refetch + reconvert per call, as the reference does (calls × first call)',
                value: single * calls,
              },
            ],
          },
        ],
      },
      {
        title: 'Reply bytes of the everyday call (what the model reads)',
        rows: [
          {
            measure: 'reply bytes: fetch of a 100 KB page, max_length 5000 (text + structure)',
            portico: porticoReply,
            format: bytes,
            anchors: [
              {
                name: 'reference mcp-server-fetch reply (documented format rebuilt around the same markdown; Python reference not installable here)',
                value: referenceReply,
              },
            ],
          },
        ],
      },
      {
        title: `Startup: spawn → initialize result, median of ${RUNS_SMALL}`,
        rows: [
          {
            measure: '2025 handshake',
            portico: median(startup),
            format: ms,
            anchors: [{ name: 'node -e 0 (spawn→exit)', value: median(bare) }],
          },
          {
            measure: '2026-07-28 (server/discover)',
            portico: median(startupModern),
            format: ms,
            anchors: [{ name: 'node -e 0 (spawn→exit)', value: median(bare) }],
          },
          {
            measure: 'RSS just after initialize',
            portico: median(rss),
            format: bytes,
            anchors: [{ name: 'RSS after converting 2 MB pages (same server kind)', value: peak }],
          },
        ],
      },
    ];
  } finally {
    site.close();
  }
}
