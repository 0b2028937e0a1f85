// SQLite server: startup, small-SELECT latency and the 100,000-row SELECT from a 1,000,000-row table, side by
// side with the floor (a do-nothing tool call on the same kernel) and raw better-sqlite3 in-process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, connectTimed, median, ms, peakRssOf, timeSpawnToExit } from '../../../scripts/bench-lib/measure.mjs';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const fixture = fileURLToPath(new URL('../../../shared/dist-fixtures/kernel-server/index.js', import.meta.url));
const STARTUP_RUNS = Number(process.env.PORTICO_BENCH_RUNS ?? 10);
const CALLS = 1_000;
const BIG_QUERY = 'SELECT * FROM events WHERE id <= 100000 ORDER BY id';

function makeMillionRows(path) {
  const db = new Database(path);
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, user_id INTEGER NOT NULL, payload TEXT)');
  const insert = db.prepare('INSERT INTO events (kind, user_id, payload) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 1_000_000; i++) insert.run(i % 7 === 0 ? 'purchase' : 'view', i % 9_973, `event payload ${i} ${'x'.repeat(i % 40)}`);
  })();
  db.close();
}

/** Peak RSS of the server and its SQLite engine process together (the engine is a child process). */
function peakRssWithChildren(pid) {
  let total = peakRssOf(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += peakRssOf(Number(child));
  } catch {}
  return total;
}

async function sequentialMedian(client, call) {
  for (let i = 0; i < 50; i++) await client.callTool(call(i));
  const samples = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await client.callTool(call(i));
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'portico-sqlite-bench-'));
  try {
    const dbPath = join(dir, 'million.db');
    makeMillionRows(dbPath);

    // Startup: spawn → initialize result.
    const startup = { node: [], sqlite: [], fixture: [] };
    for (let i = 0; i < STARTUP_RUNS; i++) {
      startup.node.push(await timeSpawnToExit(process.execPath, ['-e', '0']));
      for (const [key, args] of [['sqlite', [entry, '--db-path', dbPath, '--read-only']], ['fixture', [fixture]]]) {
        const server = await connectTimed({ args });
        startup[key].push(server.initializeMs);
        await server.close();
      }
    }

    // 1,000 sequential point lookups through the server, and the floor on the same kernel.
    const sqlite = await connectTimed({ args: [entry, '--db-path', dbPath, '--read-only'] });
    const lookup = await sequentialMedian(sqlite.client, (i) => ({ name: 'read_query', arguments: { query: 'SELECT * FROM events WHERE id = ?', params: [(i * 7919) % 1_000_000 + 1] } }));
    const floorServer = await connectTimed({ args: [fixture] });
    const floor = await sequentialMedian(floorServer.client, () => ({ name: 'echo', arguments: { text: 'x' } }));
    await floorServer.close();

    // The same lookups on raw better-sqlite3, in-process.
    const raw = new Database(dbPath, { readonly: true });
    const statement = raw.prepare('SELECT * FROM events WHERE id = ?');
    const rawSamples = [];
    for (let i = 0; i < CALLS; i++) {
      const started = performance.now();
      statement.get((i * 7919) % 1_000_000 + 1);
      rawSamples.push(performance.now() - started);
    }

    // The 100,000-row SELECT: first page through the server; raw better-sqlite3 reading all rows.
    const bigSamples = [];
    let replyBytes = 0;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = await sqlite.client.callTool({ name: 'read_query', arguments: { query: BIG_QUERY } });
      bigSamples.push(performance.now() - started);
      replyBytes = Buffer.byteLength(JSON.stringify(result));
    }
    const serverPeak = peakRssWithChildren(sqlite.pid);
    await sqlite.close();
    const rawBig = [];
    let rawBytes = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const rows = raw.prepare(BIG_QUERY).all();
      rawBig.push(performance.now() - started);
      rawBytes = Buffer.byteLength(JSON.stringify(rows));
    }
    raw.close();
    // Peak RSS of a bare Node process that reads the 100,000 rows with better-sqlite3 (what a naive server holds).
    const probe = spawnSync(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(dbPath)}, { readonly: true });
      const rows = db.prepare(${JSON.stringify(BIG_QUERY)}).all();
      JSON.stringify(rows);
      const hwm = /VmHWM:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1];
      process.stdout.write(hwm);`]);
    const rawPeak = Number(probe.stdout.toString()) * 1024;

    return [
      {
        title: 'SQLite server: startup and point lookups (1,000,000-row table, read-only)',
        rows: [
          { measure: `spawn → initialize, median of ${STARTUP_RUNS}`, portico: median(startup.sqlite), format: ms, anchors: [{ name: 'kernel fixture (do-nothing server)', value: median(startup.fixture) }, { name: 'node -e 0 (spawn→exit)', value: median(startup.node) }] },
          { measure: `SELECT … WHERE id = ? round trip, median of ${CALLS}`, portico: lookup, format: ms, anchors: [{ name: 'floor: echo tool on the same kernel', value: floor }, { name: 'raw better-sqlite3 in-process', value: median(rawSamples) }] },
        ],
      },
      {
        title: 'SQLite server: SELECT returning 100,000 rows of a 1,000,000-row table',
        rows: [
          { measure: 'time to answer (first page), median of 5', portico: median(bigSamples), format: ms, anchors: [{ name: 'raw better-sqlite3 .all() of every row', value: median(rawBig) }] },
          { measure: 'reply bytes', portico: replyBytes, format: bytes, anchors: [{ name: 'every row as JSON (what kills a default client)', value: rawBytes }] },
          { measure: 'peak RSS (server + engine process)', portico: serverPeak, format: bytes, anchors: [{ name: 'bare node reading all rows with better-sqlite3', value: rawPeak }] },
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
