import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, makeTempDir } from '@portico-mcp/shared/testing';
import type { InProcessServer, TempDir } from '@portico-mcp/shared/testing';
import { connectSqlite, Database, makeDatabase, textOf } from './helpers.js';

const WRITE_TOOLS = ['append_insight', 'create_table', 'write_query'];

let temp: TempDir;
let numbersPath: string;
let connection: InProcessServer | undefined;

beforeAll(async () => {
  temp = await makeTempDir('portico-sqlite-tools-');
  numbersPath = join(temp.path, 'numbers.db');
  makeDatabase(numbersPath);
  const db = new Database(numbersPath);
  db.exec('CREATE TABLE numbers (n INTEGER PRIMARY KEY, label TEXT)');
  const insert = db.prepare('INSERT INTO numbers VALUES (?, ?)');
  db.transaction(() => {
    for (let n = 1; n <= 5_000; n++) insert.run(n, `label ${n}`);
  })();
  db.close();
});

afterEach(async () => {
  await connection?.close();
  connection = undefined;
});

afterAll(async () => {
  await temp.cleanup();
});

async function connect(argv: string[], era: (typeof ERAS)[number] = 'legacy') {
  connection = await connectSqlite(argv, { era });
  // A client checks structured content against a tool's output schema once it has listed the tools.
  await connection.client.listTools();
  const call = (name: string, args: Record<string, unknown> = {}) =>
    connection!.client.callTool({ name, arguments: args });
  return { client: connection.client, call };
}

describe.each(ERAS)('the reference tools (%s era)', (era) => {
  it('create a table, write, read, list, describe and record an insight', async () => {
    const { call } = await connect(['--db-path', join(temp.path, `surface-${era}.db`)], era);
    expect(
      textOf(
        await call('create_table', { query: 'CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL)' }),
      ),
    ).toBe('Created table "sales".');
    const insert = await call('write_query', {
      query: 'INSERT INTO sales (region, amount) VALUES (?, ?), (?, ?)',
      params: ['north', 10, 'south', 32.5],
    });
    expect(insert.structuredContent).toMatchObject({ affectedRows: 2, lastInsertRowid: 2, truncated: false });
    const read = await call('read_query', {
      query: 'SELECT region, amount FROM sales WHERE amount > :min ORDER BY amount',
      params: { min: 5 },
    });
    expect(textOf(read)).toBe('region | amount\n--- | ---\nnorth | 10\nsouth | 32.5\n(2 rows)');
    expect(read.structuredContent).toEqual({
      columns: ['region', 'amount'],
      rows: [
        ['north', 10],
        ['south', 32.5],
      ],
      rowCount: 2,
      offset: 0,
      truncated: false,
    });
    const tables = await call('list_tables');
    expect(textOf(tables)).toBe('sales (≈2 rows)');
    expect(tables.structuredContent).toEqual({ total: 1, truncated: false });
    const described = await call('describe_table', { table_name: 'sales' });
    expect(textOf(described)).toContain('amount | REAL');
    expect(described.structuredContent).toEqual({
      name: 'sales',
      type: 'table',
      approxRows: 2,
      columns: ['id', 'region', 'amount'],
      truncated: false,
    });
    const appended = await call('append_insight', { insight: 'The south sells three times more.' });
    expect(textOf(appended)).toContain('1 in total');
    expect(appended.structuredContent).toMatchObject({ id: 1, total: 1 });
  });
});

describe('read_query', () => {
  it('refuses a write with one sentence naming write_query', async () => {
    const { call } = await connect(['--db-path', numbersPath]);
    const refused = await call('read_query', { query: 'DELETE FROM items' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(
      'read_query runs only statements SQLite compiles as read-only; use write_query for changes.',
    );
  });

  it('cuts a large result at a row, says how to continue, and the continuation returns the next rows', async () => {
    const { call } = await connect(['--db-path', numbersPath, '--max-output-bytes', '4000']);
    const query = 'SELECT n, label FROM numbers ORDER BY n';
    const first = await call('read_query', { query });
    const structure = first.structuredContent as {
      rowCount: number;
      truncated: boolean;
      next: { cursor: string };
      rows?: unknown[];
    };
    expect(structure.truncated).toBe(true);
    // Rows in structure would double a page this large: they are in the text only.
    expect(structure.rows).toBeUndefined();
    const text = textOf(first);
    expect(text).toContain(
      `[Truncated: showing rows 1–${structure.rowCount} (the reply budget). To get more, call read_query again with cursor: "${structure.next.cursor}".]`,
    );
    expect(text.split('\n').at(-2)).toBe(`${structure.rowCount} | label ${structure.rowCount}`);
    expect(Buffer.byteLength(JSON.stringify(first))).toBeLessThan(4_000 + 1_000);
    const second = await call('read_query', { query, cursor: structure.next.cursor });
    expect(textOf(second).split('\n')[2]).toBe(`${structure.rowCount + 1} | label ${structure.rowCount + 1}`);
    expect(second.structuredContent).toMatchObject({ offset: structure.rowCount, truncated: true });
    const misused = await call('read_query', { query: 'SELECT 1', cursor: structure.next.cursor });
    expect(misused.isError).toBe(true);
    expect(textOf(misused)).toMatch(/different query/);
  });

  it('stops at max_rows, names the page size, and says where the last page ends', async () => {
    const { call } = await connect(['--db-path', numbersPath]);
    const query = 'SELECT n FROM numbers WHERE n <= 15 ORDER BY n';
    const first = await call('read_query', { query, max_rows: 10 });
    expect(textOf(first)).toMatch(
      /\[Truncated: showing rows 1–10 \(the page size of 10 rows\)\. To get more, call read_query again with cursor: "[^"]+"\.\]$/,
    );
    const { next } = first.structuredContent as { next: { cursor: string } };
    const last = await call('read_query', { query, max_rows: 10, cursor: next.cursor });
    expect(textOf(last).split('\n').at(-1)).toBe('(rows 11–15: the end of the result)');
    expect(last.structuredContent).toMatchObject({ rowCount: 5, offset: 10, truncated: false });
    expect(last.structuredContent).not.toHaveProperty('next');
  });

  it('keeps a large page out of structure, so its rows are sent once', async () => {
    const { call } = await connect(['--db-path', numbersPath]);
    const result = await call('read_query', { query: 'SELECT n, label FROM numbers', max_rows: 2_000 });
    expect(result.structuredContent).toMatchObject({ rowCount: 2_000, truncated: true });
    expect(result.structuredContent).not.toHaveProperty('rows');
  });

  it('shows a row larger than the whole reply cut, and continues after it', async () => {
    const { call } = await connect(['--db-path', numbersPath, '--max-output-bytes', '1000']);
    const query = "SELECT n, printf('%.1500c', 'x') AS wide FROM numbers WHERE n <= 2 ORDER BY n";
    const first = await call('read_query', { query });
    const text = textOf(first);
    expect(text.split('\n')[2]).toMatch(/^1 \| x+/);
    expect(text).toMatch(
      /\[Truncated: showing row 1, cut \(the reply budget\)\. To get more, call read_query again with cursor: "[^"]+", or select substr/,
    );
    const { next } = first.structuredContent as { next: { cursor: string } };
    expect(textOf(await call('read_query', { query, cursor: next.cursor })).split('\n')[2]).toMatch(/^2 \| x+/);
  });
});

describe('write_query', () => {
  it('shows RETURNING rows and, when they are cut, says the change is complete rather than offering to continue', async () => {
    const { call } = await connect(['--db-path', join(temp.path, 'returning.db'), '--max-output-bytes', '2000']);
    await call('create_table', { query: 'CREATE TABLE log (id INTEGER PRIMARY KEY, line TEXT)' });
    const small = await call('write_query', { query: "INSERT INTO log (line) VALUES ('a'), ('b') RETURNING id, line" });
    expect(textOf(small)).toBe('2 rows affected; last insert rowid 2.\nid | line\n--- | ---\n1 | a\n2 | b');
    expect(small.structuredContent).toMatchObject({
      returning: {
        columns: ['id', 'line'],
        rows: [
          [1, 'a'],
          [2, 'b'],
        ],
        rowCount: 2,
        totalRows: 2,
      },
      truncated: false,
    });
    const large = await call('write_query', {
      query:
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500) INSERT INTO log (line) SELECT 'line ' || x FROM c RETURNING id, line",
    });
    const structure = large.structuredContent as {
      affectedRows: number;
      truncated: boolean;
      returning: { rowCount: number; totalRows: number };
    };
    expect(structure).toMatchObject({ affectedRows: 500, truncated: true, returning: { totalRows: 500 } });
    expect(structure).not.toHaveProperty('next');
    expect(textOf(large)).toContain(
      `[Truncated: showing ${structure.returning.rowCount} of 500 RETURNING rows (the reply budget). To get more, read the changed rows with read_query (the change itself is complete).]`,
    );
  });

  it('refuses ATTACH in write_query with one sentence that says why', async () => {
    const { call } = await connect(['--db-path', join(temp.path, 'attach.db')]);
    const refused = await call('write_query', { query: `ATTACH '${join(temp.path, 'other.db')}' AS other` });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^ATTACH and DETACH are refused/);
  });
});

describe('the schema tools', () => {
  it('list_tables pages through many tables with offset', async () => {
    const path = join(temp.path, 'many.db');
    const db = new Database(path);
    db.transaction(() => {
      for (let i = 0; i < 600; i++) db.exec(`CREATE TABLE t${String(i).padStart(3, '0')} (x)`);
    })();
    db.close();
    const { call } = await connect(['--db-path', path]);
    const first = await call('list_tables');
    expect(first.structuredContent).toEqual({ total: 600, truncated: true, next: { offset: 500 } });
    expect(textOf(first)).toContain(
      '[Truncated: showing tables 1–500 of 600 (the limit of 500). To get more, call list_tables again with offset: 500.]',
    );
    const rest = await call('list_tables', { offset: 500 });
    expect(textOf(rest).split('\n')[0]).toBe('t500 (≈0 rows)');
    expect(rest.structuredContent).toEqual({ total: 600, truncated: false });
  });

  it('list_tables says when there are no tables', async () => {
    const { call } = await connect([]);
    expect(textOf(await call('list_tables'))).toBe('The database has no tables yet.');
  });

  it('describe_table answers a missing table with one sentence', async () => {
    const { call } = await connect(['--db-path', numbersPath]);
    const missing = await call('describe_table', { table_name: 'nope' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe('No table or view is named "nope"; list_tables shows the names.');
  });

  it('search_schema finds a column and pages past its limit with offset', async () => {
    const { call } = await connect(['--db-path', numbersPath]);
    const found = await call('search_schema', { pattern: 'LAB' });
    expect(textOf(found)).toBe('numbers.label (column, TEXT)');
    const first = await call('search_schema', { pattern: 'n', limit: 2 });
    const { total, next } = first.structuredContent as { total: number; next: { offset: number } };
    expect(total).toBeGreaterThan(2);
    expect(next).toEqual({ offset: 2 });
    expect(textOf(first)).toContain(
      `To get more, call search_schema again with offset: 2, or search for a longer pattern.]`,
    );
    const second = await call('search_schema', { pattern: 'n', limit: 2, offset: 2 });
    expect(textOf(second).split('\n')[0]).not.toBe(textOf(first).split('\n')[0]);
  });

  it('explain_query draws the plan and sums it up in structure without running the statement', async () => {
    const { call } = await connect(['--db-path', numbersPath]);
    const plan = await call('explain_query', { query: 'DELETE FROM numbers WHERE n = ?', params: [1] });
    expect(textOf(plan)).toMatch(/^QUERY PLAN\n`--SEARCH numbers USING INTEGER PRIMARY KEY/);
    expect(plan.structuredContent).toEqual({ steps: 1, scans: [], truncated: false });
    const scan = await call('explain_query', { query: 'SELECT * FROM numbers WHERE label = ?', params: ['x'] });
    expect(scan.structuredContent).toMatchObject({ scans: ['numbers'] });
    expect((await call('read_query', { query: 'SELECT count(*) FROM numbers' })).structuredContent).toMatchObject({
      rows: [[5_000]],
    });
  });
});

describe('--read-only', () => {
  it('registers no write tools and leaves the file unchanged', async () => {
    const path = join(temp.path, 'read-only.db');
    makeDatabase(path);
    const before = readFileSync(path);
    const { client, call } = await connect(['--db-path', path, '--read-only']);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    for (const name of WRITE_TOOLS) expect(names).not.toContain(name);
    expect((await call('read_query', { query: 'SELECT count(*) AS n FROM items' })).structuredContent).toMatchObject({
      rows: [[3]],
    });
    const pragma = await call('read_query', { query: 'PRAGMA user_version=7' });
    expect(pragma.isError).toBe(true);
    await connection!.close();
    connection = undefined;
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe.each(ERAS)('resources and the prompt (%s era)', (era) => {
  it('serve the memo, the schema and one table, and answer a missing table as resource-not-found', async () => {
    const { client, call } = await connect(['--db-path', join(temp.path, `resources-${era}.db`)], era);
    expect(JSON.stringify((await client.readResource({ uri: 'memo://insights' })).contents)).toContain(
      'No business insights have been discovered yet.',
    );
    await call('create_table', { query: 'CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT)' });
    await call('append_insight', { insight: 'North leads.' });
    expect(JSON.stringify((await client.readResource({ uri: 'memo://insights' })).contents)).toContain(
      '- North leads.',
    );
    expect(JSON.stringify((await client.readResource({ uri: 'sqlite://schema' })).contents)).toContain(
      '-- table sales',
    );
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(
      expect.arrayContaining(['memo://insights', 'sqlite://schema', 'sqlite://table/sales']),
    );
    expect(JSON.stringify((await client.readResource({ uri: 'sqlite://table/sales' })).contents)).toContain(
      'CREATE TABLE sales',
    );
    const missing = await client.readResource({ uri: 'sqlite://table/nope' }).then(
      () => undefined,
      (error: { code?: number; message: string }) => error,
    );
    expect(missing?.code).toBe(-32602);
    expect(missing?.message).toContain('No table or view is named "nope"');
    const prompt = await client.getPrompt({ name: 'mcp-demo', arguments: { topic: 'bakeries' } });
    expect(JSON.stringify(prompt.messages)).toContain('bakeries');
  });
});

describe('resources under the operator budget', () => {
  it('cut the schema resource to --max-output-bytes and name the way to one table', async () => {
    const path = join(temp.path, 'wide.db');
    const db = new Database(path);
    db.transaction(() => {
      for (let i = 0; i < 100; i++)
        db.exec(`CREATE TABLE wide_${i} (${Array.from({ length: 20 }, (_, c) => `column_${c} TEXT`).join(', ')})`);
    })();
    db.close();
    const { client } = await connect(['--db-path', path, '--max-output-bytes', '5000']);
    const text = ((await client.readResource({ uri: 'sqlite://schema' })).contents[0] as { text: string }).text;
    expect(Buffer.byteLength(text)).toBeLessThan(5_300);
    expect(text).toMatch(/\(the reply budget\)\. To get more, read sqlite:\/\/table\/\{name\} for one table\.\]$/);
  });
});
