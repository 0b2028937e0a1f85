// Per-call cost over Streamable HTTP, side by side with the same call over stdio: a sequential tools/call on
// the kernel fixture in a 2025-era HTTP session, as stateless 2026-07-28 HTTP requests, and over stdio (the
// anchor). Then the memory one idle 2025-era session holds, the figure behind --max-sessions' default.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { bytes, connectTimed, median, medianMs, ms, rssOf } from '../../scripts/bench-lib/measure.mjs';

const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 15);
const CALLS = 200;
const SESSIONS = 200;

function startHttp(entry, args = ['--http', '--port', '0']) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the HTTP server exited (${code}): ${stderr}`)));
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString('utf8');
      const match = /"url":"([^"]+)"/.exec(stderr);
      if (match) {
        child.removeAllListeners('exit');
        resolve({
          url: match[1],
          pid: child.pid,
          stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))),
        });
      }
    });
  });
}

async function httpClient(url, era) {
  const client = new Client(
    { name: 'portico-bench', version: '0' },
    { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** The physical floor: a do-nothing node:http server answering fetch, the client the SDK's transport uses. */
async function bareHttp() {
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{}}'),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/mcp`;
  const call = async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    await response.text();
  };
  return { call, close: () => new Promise((resolve) => server.close(resolve)) };
}

const echo = (client) => () => client.callTool({ name: 'echo', arguments: { text: 'bench' } });

export async function run() {
  const fixture = fileURLToPath(new URL('../dist-fixtures/kernel-server/index.js', import.meta.url));
  const samples = { stdio: [], session: [], stateless: [], sdkFloor: [], bare: [] };
  const http = await startHttp(fixture);
  const sdkFloorServer = await startHttp(fileURLToPath(new URL('./sdk-floor-server.mjs', import.meta.url)), []);
  let perSession;
  let stdioRss;
  try {
    const stdio = await connectTimed({ args: [fixture], era: 'legacy' });
    stdioRss = rssOf(stdio.pid);
    const session = await httpClient(http.url, 'legacy');
    const stateless = await httpClient(http.url, 'modern');
    const sdkFloor = await httpClient(sdkFloorServer.url, 'modern');
    const bare = await bareHttp();
    try {
      // Rounds interleave the contenders so that machine noise hits all of them alike.
      for (let round = 0; round < RUNS; round++) {
        samples.stdio.push(await medianMs(echo(stdio.client), { runs: CALLS / 10, warmup: 3 }));
        samples.session.push(await medianMs(echo(session), { runs: CALLS / 10, warmup: 3 }));
        samples.stateless.push(await medianMs(echo(stateless), { runs: CALLS / 10, warmup: 3 }));
        samples.sdkFloor.push(await medianMs(echo(sdkFloor), { runs: CALLS / 10, warmup: 3 }));
        samples.bare.push(await medianMs(bare.call, { runs: CALLS / 10, warmup: 3 }));
      }
    } finally {
      await Promise.all([stdio.close(), session.close(), stateless.close(), sdkFloor.close(), bare.close()]);
    }
    // Memory per session: RSS growth with SESSIONS idle sessions open, after a call each.
    global.gc?.();
    const before = rssOf(http.pid);
    const clients = [];
    for (let i = 0; i < SESSIONS; i++) {
      const client = await httpClient(http.url, 'legacy');
      await echo(client)();
      clients.push(client);
    }
    perSession = Math.max(0, rssOf(http.pid) - before) / SESSIONS;
    await Promise.all(clients.map((client) => client.close()));
  } finally {
    await Promise.all([http.stop(), sdkFloorServer.stop()]);
  }
  const stdio = median(samples.stdio);
  const floor = { name: 'bare node:http round trip (fetch)', value: median(samples.bare) };
  return [
    {
      title: `Kernel per-call cost: sequential tools/call (echo), median of ${RUNS} rounds of ${CALLS / 10} calls`,
      rows: [
        {
          measure: 'HTTP, 2025-era session',
          portico: median(samples.session),
          format: ms,
          anchors: [{ name: 'same call over stdio', value: stdio }, floor],
        },
        {
          measure: 'HTTP, 2026-07-28 stateless',
          portico: median(samples.stateless),
          format: ms,
          anchors: [
            { name: 'same call over stdio', value: stdio },
            // What the SDK itself costs for the call: the part of the ratio no server built on it can remove.
            { name: "one-tool McpServer on the SDK's own HTTP handler", value: median(samples.sdkFloor) },
            floor,
          ],
        },
        // A host without HTTP runs one stdio process per client: that is what a session replaces.
        {
          measure: `RSS per idle 2025-era HTTP session (${SESSIONS} open)`,
          portico: perSession,
          format: bytes,
          anchors: [{ name: 'one stdio server process', value: stdioRss }],
        },
      ],
    },
  ];
}
