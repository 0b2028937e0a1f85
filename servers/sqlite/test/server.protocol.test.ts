import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, makeTempDir, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { makeDatabase } from './helpers.js';

// The parity suite: what needs the built server in its own process (stdio framing in both eras, the engine
// process and its time limit, cancellation, shutdown). Tool logic is tested in process in tools.test.ts.
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REFERENCE_TOOLS = [
  'append_insight',
  'create_table',
  'describe_table',
  'list_tables',
  'read_query',
  'write_query',
];
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

let temp: TempDir;

beforeAll(async () => {
  temp = await makeTempDir('portico-sqlite-protocol-');
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

      expect(
        resultText(
          await call('create_table', {
            query: 'CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL)',
          }),
        ),
      ).toContain('Created table "sales"');
      const insert = await call('write_query', {
        query: 'INSERT INTO sales (region, amount) VALUES (?, ?), (?, ?)',
        params: ['north', 10, 'south', 32.5],
      });
      expect(insert.structuredContent).toMatchObject({ affectedRows: 2 });
      const read = await call('read_query', {
        query: 'SELECT region, amount FROM sales WHERE amount > :min ORDER BY amount',
        params: { min: 5 },
      });
      expect(resultText(read)).toBe('region | amount\n--- | ---\nnorth | 10\nsouth | 32.5\n(2 rows)');
      expect(read.structuredContent).toMatchObject({
        columns: ['region', 'amount'],
        rows: [
          ['north', 10],
          ['south', 32.5],
        ],
        truncated: false,
      });
      expect(resultText(await call('list_tables', {}))).toContain('sales (≈2 rows)');
      expect(resultText(await call('describe_table', { table_name: 'sales' }))).toContain('amount | REAL');
      expect((await call('read_query', { query: 'DELETE FROM sales' })).isError).toBe(true);
      expect(resultText(await call('append_insight', { insight: 'The south sells three times more.' }))).toContain(
        '1 in total',
      );

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

  it('stops a runaway query at the time limit, then serves the next call from a fresh engine', async () => {
    const dbPath = join(temp.path, `timeout-${era}.db`);
    makeDatabase(dbPath);
    const server = await spawnServer({ entry, args: ['--db-path', dbPath, '--query-timeout', '500ms'], era });
    try {
      const runaway = await server.client.callTool({ name: 'read_query', arguments: { query: RUNAWAY } });
      expect(runaway.isError).toBe(true);
      expect(resultText(runaway)).toMatch(/query time limit and was stopped/);
      const after = await server.client.callTool({
        name: 'read_query',
        arguments: { query: 'SELECT count(*) FROM items' },
      });
      expect(after.structuredContent).toMatchObject({ rows: [[3]] });
    } finally {
      await server.close();
    }
  });

  it('stops the statement when the client cancels the request', async () => {
    const dbPath = join(temp.path, `cancel-${era}.db`);
    makeDatabase(dbPath);
    const server = await spawnServer({ entry, args: ['--db-path', dbPath, '--log-level', 'debug'], era });
    const sent = () => server.stderr().split('sent to the SQLite engine').length - 1;
    try {
      // The engine is up first, so that the cancellation meets a running statement.
      await server.client.callTool({ name: 'read_query', arguments: { query: 'SELECT 1' } });
      const before = sent();
      const controller = new AbortController();
      const pending = server.client.callTool(
        { name: 'read_query', arguments: { query: RUNAWAY } },
        { signal: controller.signal },
      );
      // Cancel once the statement has reached the engine (the server logs each request it sends there).
      await expect.poll(sent, { timeout: 5_000, interval: 10 }).toBeGreaterThan(before);
      controller.abort();
      await expect(pending).rejects.toThrow();
      await expect.poll(() => server.stderr(), { timeout: 5_000 }).toContain('"reason":"cancelled"');
      const after = await server.client.callTool({
        name: 'read_query',
        arguments: { query: 'SELECT count(*) FROM items' },
      });
      expect(after.structuredContent).toMatchObject({ rows: [[3]] });
    } finally {
      await server.close();
    }
  });

  it('serves a scratch database without --db-path, says so in the log, and removes it at exit', async () => {
    const server = await spawnServer({ entry, args: [], era });
    let scratch: string | undefined;
    try {
      await server.client.callTool({ name: 'create_table', arguments: { query: 'CREATE TABLE notes (body TEXT)' } });
      const read = await server.client.callTool({
        name: 'read_query',
        arguments: { query: 'SELECT count(*) FROM notes' },
      });
      expect(read.structuredContent).toMatchObject({ rows: [[0]] });
      expect(server.stderr()).toContain('no --db-path given: serving a scratch');
      scratch = /"path":"([^"]+scratch\.db)"/.exec(server.stderr())?.[1];
      expect(scratch && existsSync(scratch)).toBe(true);
    } finally {
      await server.close();
    }
    await expect.poll(() => existsSync(scratch!), { timeout: 5_000 }).toBe(false);
  });
});
