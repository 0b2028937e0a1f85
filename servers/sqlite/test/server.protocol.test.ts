import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, makeTempDir, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { Database, makeDatabase } from './helpers.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REFERENCE_TOOLS = ['append_insight', 'create_table', 'describe_table', 'list_tables', 'read_query', 'write_query'];
const WRITE_TOOLS = ['append_insight', 'create_table', 'write_query'];

let temp: TempDir;
let bigPath: string;

beforeAll(async () => {
  temp = await makeTempDir('portico-sqlite-protocol-');
  bigPath = join(temp.path, 'big.db');
  const db = new Database(bigPath);
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT)');
  const insert = db.prepare('INSERT INTO events (kind, payload) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 1_000_000; i++) insert.run(i % 7 === 0 ? 'click' : 'view', `payload number ${i}`);
  })();
  db.close();
});

afterAll(async () => {
  await temp.cleanup();
});

describe.each(ERAS)('over stdio (%s era)', (era) => {
  it('serves the reference surface: tools, the memo resource and the mcp-demo prompt, and insights survive a restart', async () => {
    const dbPath = join(temp.path, `parity-${era}.db`);
    let server = await spawnServer({ entry, args: ['--db-path', dbPath], era });
    try {
      const names = (await server.client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining([...REFERENCE_TOOLS, 'explain_query', 'search_schema']));
      const call = (name: string, args: Record<string, unknown>) => server.client.callTool({ name, arguments: args });

      expect(resultText(await call('create_table', { query: 'CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL)' }))).toContain('Created table "sales"');
      const insert = await call('write_query', { query: 'INSERT INTO sales (region, amount) VALUES (?, ?), (?, ?)', params: ['north', 10, 'south', 32.5] });
      expect(insert.structuredContent).toMatchObject({ affectedRows: 2 });
      const read = await call('read_query', { query: 'SELECT region, amount FROM sales WHERE amount > :min ORDER BY amount', params: { min: 5 } });
      expect(resultText(read)).toBe('region | amount\n--- | ---\nnorth | 10\nsouth | 32.5\n(2 rows)');
      expect(read.structuredContent).toMatchObject({ columns: ['region', 'amount'], rows: [['north', 10], ['south', 32.5]], truncated: false });
      expect(resultText(await call('list_tables', {}))).toContain('sales (table, ≈2 rows)');
      expect(resultText(await call('describe_table', { table_name: 'sales' }))).toContain('amount | REAL');
      expect((await call('read_query', { query: 'DELETE FROM sales' })).isError).toBe(true);
      expect(resultText(await call('append_insight', { insight: 'The south sells three times more.' }))).toContain('1 in total');

      const prompt = await server.client.getPrompt({ name: 'mcp-demo', arguments: { topic: 'bakeries' } });
      expect(JSON.stringify(prompt.messages)).toContain('bakeries');
      await server.close();

      server = await spawnServer({ entry, args: ['--db-path', dbPath], era });
      const memo = await server.client.readResource({ uri: 'memo://insights' });
      expect(JSON.stringify(memo.contents)).toContain('The south sells three times more.');
      const table = await server.client.readResource({ uri: 'sqlite://table/sales' });
      expect(JSON.stringify(table.contents)).toContain('CREATE TABLE sales');
    } finally {
      await server.close();
    }
  });

  it('--read-only registers no write tools and opens the file read-only', async () => {
    const dbPath = join(temp.path, `read-only-${era}.db`);
    makeDatabase(dbPath);
    const before = readFileSync(dbPath);
    const server = await spawnServer({ entry, args: ['--db-path', dbPath, '--read-only'], era });
    try {
      const names = (await server.client.listTools()).tools.map((tool) => tool.name);
      for (const name of WRITE_TOOLS) expect(names).not.toContain(name);
      const read = await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT count(*) AS n FROM items' } });
      expect(read.structuredContent).toMatchObject({ rows: [[3]] });
      const pragma = await server.client.callTool({ name: 'read_query', arguments: { query: 'PRAGMA user_version=7' } });
      expect(pragma.isError).toBe(true);
    } finally {
      await server.close();
    }
    expect(readFileSync(dbPath).equals(before)).toBe(true);
  });

  it('answers a 100,000-row SELECT from a 1,000,000-row table within the reply budget and pages on', async () => {
    const server = await spawnServer({ entry, args: ['--db-path', bigPath, '--read-only'], era });
    try {
      const query = 'SELECT * FROM events WHERE id <= 100000 ORDER BY id';
      const first = await server.client.callTool({ name: 'read_query', arguments: { query } });
      const text = resultText(first);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100_000);
      expect(JSON.stringify(first).length).toBeLessThan(200_000);
      const structured = first.structuredContent as { rowCount: number; truncated: boolean; nextCursor: string };
      expect(structured.truncated).toBe(true);
      expect(text).toContain('[Truncated: showing rows 1–');
      const second = await server.client.callTool({ name: 'read_query', arguments: { query, cursor: structured.nextCursor } });
      const next = structured.rowCount + 1;
      expect(resultText(second).split('\n')[2]).toBe(`${next} | ${(next - 1) % 7 === 0 ? 'click' : 'view'} | payload number ${next - 1}`);
      const misused = await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT 1', cursor: structured.nextCursor } });
      expect(resultText(misused)).toMatch(/different query/);
    } finally {
      await server.close();
    }
  });

  it('stops a runaway query at the time limit, then serves the next call from a fresh engine', async () => {
    const dbPath = join(temp.path, `timeout-${era}.db`);
    makeDatabase(dbPath);
    const server = await spawnServer({ entry, args: ['--db-path', dbPath, '--query-timeout', '500'], era });
    try {
      const runaway = await server.client.callTool({
        name: 'read_query',
        arguments: { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' },
      });
      expect(runaway.isError).toBe(true);
      expect(resultText(runaway)).toMatch(/query time limit and was stopped/);
      const after = await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT count(*) FROM items' } });
      expect(after.structuredContent).toMatchObject({ rows: [[3]] });
    } finally {
      await server.close();
    }
  });

  it('stops the statement when the client cancels the request', async () => {
    const dbPath = join(temp.path, `cancel-${era}.db`);
    makeDatabase(dbPath);
    const server = await spawnServer({ entry, args: ['--db-path', dbPath, '--log-level', 'debug'], era });
    try {
      // The engine is up first, so that the cancellation meets a running statement.
      await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT 1' } });
      const controller = new AbortController();
      const pending = server.client.callTool(
        { name: 'read_query', arguments: { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' } },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(), 300);
      await expect(pending).rejects.toThrow();
      const after = await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT count(*) FROM items' } });
      expect(after.structuredContent).toMatchObject({ rows: [[3]] });
      await expect.poll(() => server.stderr(), { timeout: 5_000 }).toContain('"reason":"cancelled"');
    } finally {
      await server.close();
    }
  });

  it('serves a scratch database without --db-path, says so in the log, and removes it at exit', async () => {
    const server = await spawnServer({ entry, args: [], era });
    let scratch: string | undefined;
    try {
      await server.client.callTool({ name: 'create_table', arguments: { query: 'CREATE TABLE notes (body TEXT)' } });
      const read = await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT count(*) FROM notes' } });
      expect(read.structuredContent).toMatchObject({ rows: [[0]] });
      expect(server.stderr()).toContain('no --db-path given: serving a scratch');
      scratch = /"path":"([^"]+scratch\.db)"/.exec(server.stderr())?.[1];
      expect(scratch && existsSync(scratch)).toBe(true);
    } finally {
      await server.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(scratch!)).toBe(false);
  });
});
