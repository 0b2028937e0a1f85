// Kernel startup: spawn→initialize of a server built on `serve` (the kernel fixture, bundled as every server
// entry is), side by side with bare Node and the reference filesystem server from npm.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, connectTimed, median, ms, rssOf, timeSpawnToExit } from '../../scripts/bench-lib/measure.mjs';

const require = createRequire(import.meta.url);
const RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 15);

export async function run() {
  const fixture = fileURLToPath(new URL('../dist-fixtures/kernel-server/index.js', import.meta.url));
  const referenceEntry = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const samples = { node: [], portico: [], porticoModern: [], reference: [] };
  const rss = { portico: [], reference: [] };
  const listBytes = { portico: 0, reference: 0 };
  try {
    // Interleave the contenders so that machine noise hits all of them alike.
    for (let i = 0; i < RUNS; i++) {
      samples.node.push(await timeSpawnToExit(process.execPath, ['-e', '0']));
      for (const [key, args, era] of [
        ['portico', [fixture], 'legacy'],
        ['porticoModern', [fixture], 'modern'],
        ['reference', [referenceEntry, dir], 'legacy'],
      ]) {
        const server = await connectTimed({ args, era });
        samples[key].push(server.initializeMs);
        if (key in rss) rss[key].push(rssOf(server.pid));
        if (i === 0 && key in listBytes)
          listBytes[key] = JSON.stringify((await server.client.listTools()).tools).length;
        await server.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bare = median(samples.node);
  const reference = median(samples.reference);
  return [
    {
      title: 'Kernel startup: spawn → initialize result, median of ' + RUNS,
      rows: [
        {
          measure: 'do-nothing server on serve (2025 handshake)',
          portico: median(samples.portico),
          format: ms,
          anchors: [
            { name: 'node -e 0 (spawn→exit)', value: bare },
            { name: 'reference server-filesystem', value: reference },
          ],
        },
        {
          measure: 'same, 2026-07-28 (server/discover)',
          portico: median(samples.porticoModern),
          format: ms,
          anchors: [{ name: 'reference server-filesystem', value: reference }],
        },
        {
          measure: 'RSS just after initialize',
          portico: median(rss.portico),
          format: bytes,
          anchors: [{ name: 'reference server-filesystem', value: median(rss.reference) }],
        },
      ],
    },
  ];
}
