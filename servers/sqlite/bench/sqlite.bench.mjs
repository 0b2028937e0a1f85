// SQLite server: startup, small-SELECT latency, the 100,000-row SELECT from a 1,000,000-row table, and the
// reply bytes of everyday calls, side by side with the floor (a do-nothing tool call on the same kernel), raw
// better-sqlite3 in-process, and the reference server's reply format.
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
    for (let i = 0; i < 1_000_000; i++)
      insert.run(i % 7 === 0 ? 'purchase' : 'view', i % 9_973, `event payload ${i} ${'x'.repeat(i % 40)}`);
  })();
  db.close();
}

/** Peak RSS of the server and its SQLite engine process together (the engine is a child process). */
function peakRssWithChildren(pid) {
  let total = peakRssOf(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
      total += peakRssOf(Number(child));
  } catch {
    // No /proc children list (not Linux, or the process is gone): the server's own figure stands.
  }
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

/** A shop database: a 200-row products table with an index, and 19 small tables beside it (20 tables). */
function makeShop(path) {
  const db = new Database(path);
  db.exec(`CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price REAL NOT NULL, stock INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
    CREATE INDEX products_category ON products(category);`);
  const insert = db.prepare('INSERT INTO products (name, category, price, stock, created_at) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 200; i++)
      insert.run(
        `Product ${i}`,
        ['tools', 'garden', 'kitchen', 'toys'][i % 4],
        ((i * 137) % 10_000) / 100,
        (i * 7) % 120,
        `2026-0${(i % 9) + 1}-1${i % 10}`,
      );
    for (let t = 1; t <= 19; t++)
      db.exec(
        `CREATE TABLE table_${String(t).padStart(2, '0')} (id INTEGER PRIMARY KEY, value TEXT); INSERT INTO table_${String(t).padStart(2, '0')} (value) VALUES ('a'), ('b');`,
      );
  })();
  db.close();
}

// The reference (the archived Python mcp-server-sqlite) answers every tool with str() of its rows as Python
// dicts, in one text block. It cannot be installed here (no Python package index), so its reply is reproduced
// from the same query run with Python's own sqlite3 module and str(), exactly as its handler does.
const REFERENCE_CALLS = {
  read_query: (query) => [query, []],
  list_tables: () => ["SELECT name FROM sqlite_master WHERE type='table'", []],
  describe_table: (table) => ['SELECT * FROM pragma_table_info(?)', [table]],
};
const PYTHON_STR_OF_ROWS = [
  'import json, sqlite3, sys',
  'conn = sqlite3.connect(sys.argv[1]); conn.row_factory = sqlite3.Row',
  'cursor = conn.cursor(); cursor.execute(sys.argv[2], json.loads(sys.argv[3]))',
  'sys.stdout.write(str([dict(row) for row in cursor.fetchall()]))',
].join('\n');

function referenceReplyBytes(dbPath, [sql, params]) {
  const python = spawnSync('python3', ['-c', PYTHON_STR_OF_ROWS, dbPath, sql, JSON.stringify(params)]);
  if (python.status !== 0)
    throw new Error(
      `python3 is needed to reproduce the reference's reply: ${python.stderr?.toString() ?? python.error}`,
    );
  // The reference's CallToolResult as it travels: one text block, isError false.
  return Buffer.byteLength(
    JSON.stringify({ content: [{ type: 'text', text: python.stdout.toString() }], isError: false }),
  );
}

async function everydayReplyBytes(dir) {
  const shopPath = join(dir, 'shop.db');
  makeShop(shopPath);
  const server = await connectTimed({ args: [entry, '--db-path', shopPath, '--read-only'] });
  const calls = [
    [
      'read_query: a 20-row SELECT (6 columns)',
      'read_query',
      { query: 'SELECT * FROM products ORDER BY id LIMIT 20' },
      REFERENCE_CALLS.read_query('SELECT * FROM products ORDER BY id LIMIT 20'),
    ],
    ['list_tables on a 20-table database', 'list_tables', {}, REFERENCE_CALLS.list_tables()],
    [
      'describe_table (6 columns, 1 index)',
      'describe_table',
      { table_name: 'products' },
      REFERENCE_CALLS.describe_table('products'),
    ],
  ];
  const rows = [];
  try {
    for (const [measure, name, args, reference] of calls) {
      const result = await server.client.callTool({ name, arguments: args });
      rows.push({
        measure: `reply bytes, ${measure}`,
        portico: Buffer.byteLength(JSON.stringify(result)),
        format: bytes,
        anchors: [
          {
            name: 'reference mcp-server-sqlite reply (Python; its str(rows) reproduced with python3 sqlite3)',
            value: referenceReplyBytes(shopPath, reference),
          },
        ],
      });
    }
  } finally {
    await server.close();
  }
  return rows;
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
      for (const [key, args] of [
        ['sqlite', [entry, '--db-path', dbPath, '--read-only']],
        ['fixture', [fixture]],
      ]) {
        const server = await connectTimed({ args });
        startup[key].push(server.initializeMs);
        await server.close();
      }
    }

    // 1,000 sequential point lookups through the server, and the floor on the same kernel.
    const sqlite = await connectTimed({ args: [entry, '--db-path', dbPath, '--read-only'] });
    const lookup = await sequentialMedian(sqlite.client, (i) => ({
      name: 'read_query',
      arguments: { query: 'SELECT * FROM events WHERE id = ?', params: [((i * 7919) % 1_000_000) + 1] },
    }));
    const floorServer = await connectTimed({ args: [fixture] });
    const floor = await sequentialMedian(floorServer.client, () => ({ name: 'echo', arguments: { text: 'x' } }));
    await floorServer.close();

    // The same lookups on raw better-sqlite3, in-process.
    const raw = new Database(dbPath, { readonly: true });
    const statement = raw.prepare('SELECT * FROM events WHERE id = ?');
    const rawSamples = [];
    for (let i = 0; i < CALLS; i++) {
      const started = performance.now();
      statement.get(((i * 7919) % 1_000_000) + 1);
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
    const probe = spawnSync(process.execPath, [
      '-e',
      `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(dbPath)}, { readonly: true });
      const rows = db.prepare(${JSON.stringify(BIG_QUERY)}).all();
      JSON.stringify(rows);
      const hwm = /VmHWM:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1];
      process.stdout.write(hwm);`,
    ]);
    const rawPeak = Number(probe.stdout.toString()) * 1024;
    const everyday = await everydayReplyBytes(dir);

    return [
      {
        title: 'SQLite server: startup and point lookups (1,000,000-row table, read-only)',
        rows: [
          {
            measure: `spawn → initialize, median of ${STARTUP_RUNS}`,
            portico: median(startup.sqlite),
            format: ms,
            anchors: [
              { name: 'kernel fixture (do-nothing server)', value: median(startup.fixture) },
              { name: 'node -e 0 (spawn→exit)', value: median(startup.node) },
            ],
          },
          {
            measure: `SELECT … WHERE id = ? round trip, median of ${CALLS}`,
            portico: lookup,
            format: ms,
            anchors: [
              { name: 'floor: echo tool on the same kernel', value: floor },
              { name: 'raw better-sqlite3 in-process', value: median(rawSamples) },
            ],
          },
        ],
      },
      {
        title: 'SQLite server: SELECT returning 100,000 rows of a 1,000,000-row table',
        rows: [
          {
            measure: 'time to answer (first page), median of 5',
            portico: median(bigSamples),
            format: ms,
            anchors: [{ name: 'raw better-sqlite3 .all() of every row', value: median(rawBig) }],
          },
          {
            measure: 'reply bytes',
            portico: replyBytes,
            format: bytes,
            anchors: [{ name: 'every row as JSON (what kills a default client)', value: rawBytes }],
          },
          {
            measure: 'peak RSS (server + engine process)',
            portico: serverPeak,
            format: bytes,
            anchors: [{ name: 'bare node reading all rows with better-sqlite3', value: rawPeak }],
          },
        ],
      },
      { title: "SQLite server: reply bytes of everyday calls (the model's context cost)", rows: everyday },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
