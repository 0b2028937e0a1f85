import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openAppHost, spawnServer } from '@portico-mcp/shared/testing';
import type { AppHost, SpawnedServer, TempDir } from '@portico-mcp/shared/testing';
import { Database } from './helpers.js';

// The results view in real headless Chromium, inside a host page that speaks the ext-apps bridge, against the
// built server over stdio: the test process relays the view's tool calls to the server.
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const LONG = 'x'.repeat(500);
const BIG_QUERY = 'SELECT id, label, note FROM big ORDER BY id';

let temp: TempDir;
let server: SpawnedServer;

beforeAll(async () => {
  temp = await makeTempDir('portico-sqlite-view-');
  const dbPath = join(temp.path, 'view.db');
  const db = new Database(dbPath);
  db.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, label TEXT NOT NULL, note TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
    INSERT INTO big SELECT i, 'row ' || i, CASE i WHEN 1 THEN NULL WHEN 2 THEN '' WHEN 3 THEN '${LONG}' ELSE 'n' || (i % 7) END FROM n;
    CREATE TABLE sales (region TEXT, revenue REAL, units INTEGER);
    INSERT INTO sales VALUES ('north', 120.5, 10), ('south', 340, 31), ('east', 80.25, 7), ('west', 210, 18), ('centre', 150, 12), ('islands', 40, 3);`);
  db.close();
  server = await spawnServer({ entry, args: ['--db-path', dbPath, '--read-only'] });
});

afterAll(async () => {
  await server?.close();
  await temp?.cleanup();
});

const text = (host: AppHost, selector: string) =>
  host.frame.evaluate<string[]>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => e.textContent.trim())`,
  );

describe('the read_query results view', () => {
  it('renders the first page of a real query as a table with headers, column types, NULL apart from the empty string, and long cells folded', async () => {
    const host = await openAppHost({ client: server.client, tool: 'read_query', arguments: { query: BIG_QUERY } });
    try {
      await host.frame.waitForSelector('table tbody tr');
      expect(await text(host, 'p.status')).toEqual(['Rows 1–1,000, more to read']);
      expect(await text(host, 'thead th[scope="col"] .type')).toEqual(['INTEGER', 'TEXT', 'TEXT']);
      expect(await host.frame.evaluate<number>('document.querySelectorAll("tbody tr").length')).toBe(1000);
      expect(await text(host, 'tbody tr:nth-child(1) td')).toEqual(['1', 'row 1', 'NULL']);
      expect(
        await host.frame.evaluate<number>('document.querySelectorAll("tbody tr:nth-child(1) td .null").length'),
      ).toBe(1);
      expect(
        await host.frame.evaluate<string>(
          'document.querySelector("tbody tr:nth-child(2) td:nth-child(4) .empty")?.getAttribute("title")',
        ),
      ).toBe('empty string');
      expect(
        await host.frame.evaluate<number>('document.querySelectorAll("tbody tr:nth-child(2) td .null").length'),
      ).toBe(0);
      const folded = await host.frame.evaluate<{ summary: number; full: number }>(
        '({ summary: document.querySelector("tbody tr:nth-child(3) details summary").textContent.length, full: document.querySelector("tbody tr:nth-child(3) details .full").textContent.length })',
      );
      expect(folded).toEqual({ summary: 121, full: 500 });
      expect(host.requests).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it('sorts the page by a column header, descending on the second press, and says so to screen readers', async () => {
    const host = await openAppHost({
      client: server.client,
      tool: 'read_query',
      arguments: { query: 'SELECT id, label FROM big WHERE id <= 50' },
    });
    try {
      await host.frame.waitForSelector('table tbody tr');
      // A page this small comes whole in read_query's own result: the view asks the server for nothing.
      expect(host.calls).toEqual([]);
      await host.frame.click('th button[data-column="0"]');
      await host.frame.click('th button[data-column="0"]');
      await host.frame.waitForSelector('th[aria-sort="descending"]');
      expect((await text(host, 'tbody tr td:first-of-type')).slice(0, 3)).toEqual(['50', '49', '48']);
      await host.frame.click('th button[data-column="1"]');
      await host.frame.waitForSelector('th[aria-sort="ascending"] button[data-column="1"]');
      // Text sorts as text: "row 1" < "row 10" < "row 11".
      expect((await text(host, 'tbody tr td:nth-of-type(2)')).slice(0, 3)).toEqual(['row 1', 'row 10', 'row 11']);
    } finally {
      await host.close();
    }
  });

  it('pages on through the app-only tool with the cursor the text result named, and reads no page twice', async () => {
    const host = await openAppHost({ client: server.client, tool: 'read_query', arguments: { query: BIG_QUERY } });
    try {
      await host.frame.waitForSelector('table tbody tr');
      const cursor = (host.result.structuredContent as { next?: { cursor?: string } }).next?.cursor;
      expect(cursor).toBeTypeOf('string');
      await host.frame.click('button[data-action="next"]');
      await host.frame.waitForFunction('document.querySelector("p.status").textContent.startsWith("Rows 1,001–2,000")');
      expect(host.calls.at(-1)).toEqual({ name: 'read_query_page', arguments: { query: BIG_QUERY, cursor } });
      expect(await text(host, 'tbody tr:first-child th')).toEqual(['1,001']);
      expect(await text(host, 'tbody tr:first-child td')).toEqual(['1001', 'row 1001', 'n0']);
      expect(await text(host, 'tbody tr:last-child td:first-of-type')).toEqual(['2000']);
      const callsSoFar = host.calls.length;
      await host.frame.click('button[data-action="previous"]');
      await host.frame.waitForFunction('document.querySelector("p.status").textContent.startsWith("Rows 1–1,000")');
      await host.frame.click('button[data-action="next"]');
      await host.frame.waitForFunction('document.querySelector("p.status").textContent.startsWith("Rows 1,001–2,000")');
      expect(host.calls.length).toBe(callsSoFar);
    } finally {
      await host.close();
    }
  });

  it('offers a bar and a line chart for one label column and numeric columns, and none otherwise', async () => {
    const host = await openAppHost({
      client: server.client,
      tool: 'read_query',
      arguments: { query: 'SELECT region, revenue, units FROM sales' },
      theme: 'dark',
    });
    try {
      await host.frame.waitForSelector('button[data-mode="bar"]');
      await host.frame.click('button[data-mode="bar"]');
      await host.frame.waitForSelector('svg.chart.bar');
      expect(await host.frame.evaluate<number>('document.querySelectorAll("svg.chart rect").length')).toBe(12);
      expect(await host.frame.evaluate<string>('document.querySelector("svg.chart title").textContent')).toBe(
        'Bar chart of revenue, units by region, 6 rows',
      );
      await host.frame.click('button[data-mode="line"]');
      await host.frame.waitForSelector('svg.chart.line');
      expect(await host.frame.evaluate<number>('document.querySelectorAll("svg.chart polyline").length')).toBe(2);
      await host.frame.click('button[data-mode="table"]');
      await host.frame.waitForSelector('table');
    } finally {
      await host.close();
    }
    const plain = await openAppHost({
      client: server.client,
      tool: 'read_query',
      arguments: { query: 'SELECT label, note FROM big LIMIT 5' },
    });
    try {
      await plain.frame.waitForSelector('table tbody tr');
      expect(await plain.frame.evaluate<number>('document.querySelectorAll("button[data-mode]").length')).toBe(0);
    } finally {
      await plain.close();
    }
  });

  it('shows describe_table as the table of its columns with their declared types', async () => {
    const host = await openAppHost({ client: server.client, tool: 'describe_table', arguments: { table_name: 'big' } });
    try {
      await host.frame.waitForSelector('table tbody tr');
      expect(await text(host, 'tbody tr td:nth-of-type(2)')).toEqual(['id', 'label', 'note']);
      expect(await text(host, 'tbody tr td:nth-of-type(3)')).toEqual(['INTEGER', 'TEXT', 'TEXT']);
      expect(await text(host, 'h1')).toEqual(['Columns of big']);
    } finally {
      await host.close();
    }
  });
});
