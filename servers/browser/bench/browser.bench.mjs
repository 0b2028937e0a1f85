// Browser server benchmarks, side by side with the archived reference (@modelcontextprotocol/server-puppeteer
// 2025.5.12, a devDependency) driving the same Chromium with the same flags: startup, the first (launching)
// navigation, a 200-element form, a 2 MB article, click latency, shutdown, and the tool list's size.
// The reference has no snapshot and no reader: its nearest calls stand in (a screenshot; evaluate of innerText).
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, connectTimed, median, ms } from '../../../scripts/bench-lib/measure.mjs';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const reference = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-puppeteer/dist/index.js');
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 15);
const RUNS_BROWSER = Number(process.env.PORTICO_BENCH_RUNS_BIG ?? 5);
const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
// The flags Chromium needs here as root (see the repository's environment notes); both servers get them.
const ROOT_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

/** The same 200-element form as the tests' /big-form: inputs, selects and checkboxes, all labelled. */
function bigForm(count) {
  const fields = [];
  for (let i = 1; i <= count; i++) {
    if (i % 10 === 0) fields.push(`<label>Option ${i} <input type="checkbox" name="c${i}"></label>`);
    else if (i % 10 === 5)
      fields.push(
        `<label for="s${i}">Choice ${i}</label><select id="s${i}" name="s${i}"><option>One</option><option>Two</option></select>`,
      );
    else fields.push(`<label for="f${i}">Field ${i}</label><input id="f${i}" name="f${i}">`);
  }
  return page(
    'Big form',
    `<h1>Registration</h1><form action="/done">${fields.join('\n')}<button type="submit">Send</button></form>`,
  );
}

function article(size) {
  const paragraph =
    '<p>The quick brown fox jumps over the lazy dog while the reporter writes a long paragraph about it, adding detail after detail so that the page grows. </p>';
  const parts = ['<article><h1>A very long article</h1>'];
  let total = 0;
  let section = 0;
  while (total < size) {
    if (total % 20_000 < paragraph.length) parts.push(`<h2>Section ${++section}</h2>`);
    parts.push(paragraph);
    total += paragraph.length;
  }
  parts.push('<p id="the-end">The end of the article.</p></article>');
  return page('Long article', `<nav><a href="/">Home</a></nav>${parts.join('\n')}`);
}

const PAGES = {
  '/': page('Home', '<h1>Home</h1><p>Benchmark site.</p>'),
  '/big-form': bigForm(200),
  '/article': article(2_000_000),
  // A click that changes the page without navigating: the common case of a click's latency.
  '/counter': page(
    'Counter',
    '<h1>Counter</h1><button id="more" onclick="document.getElementById(\'n\').textContent = String(++window.n)">More</button><p id="n">0</p><script>window.n = 0</script>',
  ),
};

const replyBytes = (result) => Buffer.byteLength(JSON.stringify(result.content));
/** Bytes of a tool list: as sent (tools/list JSON) and as the model sees it (name + description + input schema). */
const listSizes = (tools) => ({
  full: Buffer.byteLength(JSON.stringify(tools)),
  model: tools.reduce(
    (sum, tool) =>
      sum +
      Buffer.byteLength(
        JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }),
      ),
    0,
  ),
});

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Whether a process still exists. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Closes the client (stdin ends) and times until the server process is gone, as a host sees it. */
async function shutdownMs(connection) {
  const started = performance.now();
  await connection.close();
  // The SDK's close escalates to SIGTERM and SIGKILL for a server that does not exit on its own.
  while (alive(connection.pid)) await new Promise((resolve) => setImmediate(resolve));
  return performance.now() - started;
}

export async function run() {
  const site = http.createServer((req, res) => {
    const body = PAGES[new URL(req.url, 'http://bench').pathname];
    if (body === undefined) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${site.address().port}`;
  const profiles = mkdtempSync(join(tmpdir(), 'portico-bench-browser-'));
  let profileCount = 0;

  const portico = () =>
    connectTimed({
      args: [entry, '--allow-hosts', '127.0.0.1', '--executable-path', CHROMIUM, '--toolsets', 'puppeteer'],
    });
  // The reference reads its launch options from the environment; each run gets a fresh profile.
  const referenceServer = () =>
    connectTimed({
      args: [reference],
      env: {
        PUPPETEER_SKIP_DOWNLOAD: '1',
        ALLOW_DANGEROUS: 'true',
        PUPPETEER_LAUNCH_OPTIONS: JSON.stringify({
          headless: true,
          executablePath: CHROMIUM,
          args: [...ROOT_FLAGS, `--user-data-dir=${join(profiles, `ref-${profileCount++}`)}`],
        }),
      },
    });
  const call = (server, name, args = {}) => server.client.callTool({ name, arguments: args });

  try {
    // Startup: spawn → initialize result, and the tool list as it is sent.
    const startup = { portico: [], reference: [] };
    const lists = {};
    for (let i = 0; i < RUNS; i++) {
      for (const [side, start] of [
        ['portico', portico],
        ['reference', referenceServer],
      ]) {
        const server = await start();
        startup[side].push(server.initializeMs);
        if (i === 0) lists[side] = listSizes((await server.client.listTools()).tools);
        await server.close();
      }
    }
    const defaultList = await connectTimed({ args: [entry] });
    lists.default = listSizes((await defaultList.client.listTools()).tools);
    await defaultList.close();

    // Browser work, each run on a fresh server of each kind, one after the other (same machine load).
    const m = { launch: {}, form: {}, formBytes: {}, article: {}, articleBytes: {}, click: {}, shutdown: {} };
    for (const key of Object.keys(m)) m[key] = { portico: [], reference: [] };
    for (let i = 0; i < RUNS_BROWSER; i++) {
      // Portico.
      {
        const server = await portico();
        m.launch.portico.push((await timed(() => call(server, 'browser_navigate', { url: `${base}/` }))).ms);
        const form = await timed(async () => {
          await call(server, 'browser_navigate', { url: `${base}/big-form` });
          return call(server, 'browser_snapshot');
        });
        m.form.portico.push(form.ms);
        m.formBytes.portico.push(replyBytes(form.value));
        const read = await timed(async () => {
          await call(server, 'browser_navigate', { url: `${base}/article` });
          return call(server, 'browser_read');
        });
        m.article.portico.push(read.ms);
        m.articleBytes.portico.push(replyBytes(read.value));
        await call(server, 'browser_navigate', { url: `${base}/counter` });
        await call(server, 'browser_click', { selector: '#more' });
        for (let c = 0; c < 10; c++)
          m.click.portico.push((await timed(() => call(server, 'browser_click', { selector: '#more' }))).ms);
        m.shutdown.portico.push(await shutdownMs(server));
      }
      // The reference.
      {
        const server = await referenceServer();
        m.launch.reference.push((await timed(() => call(server, 'puppeteer_navigate', { url: `${base}/` }))).ms);
        const form = await timed(async () => {
          await call(server, 'puppeteer_navigate', { url: `${base}/big-form` });
          return call(server, 'puppeteer_screenshot', { name: `form-${i}` });
        });
        m.form.reference.push(form.ms);
        m.formBytes.reference.push(replyBytes(form.value));
        const read = await timed(async () => {
          await call(server, 'puppeteer_navigate', { url: `${base}/article` });
          return call(server, 'puppeteer_evaluate', { script: 'document.body.innerText' });
        });
        m.article.reference.push(read.ms);
        m.articleBytes.reference.push(replyBytes(read.value));
        await call(server, 'puppeteer_navigate', { url: `${base}/counter` });
        await call(server, 'puppeteer_click', { selector: '#more' });
        for (let c = 0; c < 10; c++)
          m.click.reference.push((await timed(() => call(server, 'puppeteer_click', { selector: '#more' }))).ms);
        m.shutdown.reference.push(await shutdownMs(server));
      }
    }
    const med = (key) => ({ portico: median(m[key].portico), reference: median(m[key].reference) });
    const row = (measure, key, format, anchorName = '`server-puppeteer`') => {
      const { portico: value, reference: anchor } = med(key);
      return { measure, portico: value, format, anchors: [{ name: anchorName, value: anchor }] };
    };
    return [
      {
        title: `Browser server vs the archived reference (server-puppeteer 2025.5.12), same Chromium; startup median of ${RUNS}, browser work median of ${RUNS_BROWSER} fresh servers`,
        rows: [
          {
            measure: 'spawn → initialize',
            portico: median(startup.portico),
            format: ms,
            anchors: [{ name: '`server-puppeteer`', value: median(startup.reference) }],
          },
          row('first navigate (launches Chromium)', 'launch', ms),
          row(
            '200-element form: navigate + snapshot, time',
            'form',
            ms,
            '`server-puppeteer` navigate + screenshot (it has no snapshot)',
          ),
          row(
            '200-element form: navigate + snapshot, reply bytes',
            'formBytes',
            bytes,
            '`server-puppeteer` screenshot reply',
          ),
          row(
            '2 MB article: navigate + browser_read, time',
            'article',
            ms,
            '`server-puppeteer` navigate + evaluate innerText (it has no reader)',
          ),
          row(
            '2 MB article: browser_read reply bytes',
            'articleBytes',
            bytes,
            '`server-puppeteer` evaluate reply (unbounded)',
          ),
          row('click latency (DOM change, no navigation)', 'click', ms),
          row('shutdown: stdin closed → process gone', 'shutdown', ms),
          {
            measure: 'tool list as the model sees it, default tools',
            portico: lists.default.model,
            format: bytes,
            anchors: [{ name: '`server-puppeteer` (7 tools)', value: lists.reference.model }],
          },
          {
            measure: 'tool list as the model sees it, `--toolsets puppeteer`',
            portico: lists.portico.model,
            format: bytes,
            anchors: [{ name: '`server-puppeteer` (7 tools)', value: lists.reference.model }],
          },
          {
            measure: 'tools/list JSON bytes, default tools',
            portico: lists.default.full,
            format: bytes,
            anchors: [{ name: '`server-puppeteer` (7 tools)', value: lists.reference.full }],
          },
          {
            measure: 'tools/list JSON bytes, `--toolsets puppeteer`',
            portico: lists.portico.full,
            format: bytes,
            anchors: [{ name: '`server-puppeteer` (7 tools)', value: lists.reference.full }],
          },
        ],
      },
    ];
  } finally {
    site.close();
    rmSync(profiles, { recursive: true, force: true });
  }
}
