import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { RefusedStatementError } from '@portico-mcp/shared/errors';
import { parseCommandLine, toCommonConfig } from '@portico-mcp/shared/serve';
import { parseSqliteConfig, SQLITE_FLAGS } from '../src/config.js';
import type { LocalEngine } from '../src/engine/local.js';
import { MAX_CELL_CHARS } from '../src/engine/render.js';
import { renderPlan } from '../src/tools/query.js';
import { Database, makeDatabase, openEngine } from './helpers.js';

let temp: TempDir;
let dbPath: string;
let engine: LocalEngine;

beforeEach(async () => {
  temp = await makeTempDir('portico-sqlite-engine-');
  dbPath = join(temp.path, 'main.db');
  makeDatabase(dbPath);
  const db = new Database(dbPath);
  db.exec('CREATE TABLE numbers (n INTEGER PRIMARY KEY, label TEXT)');
  const insert = db.prepare('INSERT INTO numbers VALUES (?, ?)');
  db.transaction(() => {
    for (let n = 1; n <= 5_000; n++) insert.run(n, `label ${n}`);
  })();
  db.close();
  engine = await openEngine(dbPath);
});

afterEach(async () => {
  await engine.close();
  await temp.cleanup();
});

describe('paging', () => {
  it('stops at the byte budget while iterating and continues exactly where it stopped', async () => {
    const sql = 'SELECT n, label FROM numbers ORDER BY n';
    const first = await engine.run('query', { sql, offset: 0, maxRows: 10_000, maxBytes: 5_000 });
    expect(first.more).toBe(true);
    expect(first.stoppedBy).toBe('reply budget');
    // It reads about the budget's worth of rows (the reply then cuts at the exact row), never the whole result.
    expect(Buffer.byteLength(first.lines.join('\n'))).toBeLessThanOrEqual(5_000 + 20);
    expect(first.rowCount).toBeLessThan(1_000);
    const second = await engine.run('query', { sql, offset: first.rowCount, maxRows: 10_000, maxBytes: 5_000 });
    expect(second.lines[0]).toBe(`${first.rowCount + 1} | label ${first.rowCount + 1}`);
  });

  it('stops at the row cap and knows exactly whether more rows follow', async () => {
    const capped = await engine.run('query', {
      sql: 'SELECT n FROM numbers',
      offset: 0,
      maxRows: 5_000,
      maxBytes: 1_000_000,
    });
    expect(capped).toMatchObject({ rowCount: 5_000, more: false });
    const less = await engine.run('query', {
      sql: 'SELECT n FROM numbers',
      offset: 0,
      maxRows: 4_999,
      maxBytes: 1_000_000,
    });
    expect(less).toMatchObject({ rowCount: 4_999, more: true, stoppedBy: 'row cap' });
  });

  it('keeps rows in structure only while the page is small', async () => {
    const small = await engine.run('query', {
      sql: 'SELECT n FROM numbers LIMIT 3',
      offset: 0,
      maxRows: 100,
      maxBytes: 100_000,
    });
    expect(small.rows).toEqual([[1], [2], [3]]);
    const large = await engine.run('query', {
      sql: 'SELECT n, label FROM numbers',
      offset: 0,
      maxRows: 5_000,
      maxBytes: 100_000,
    });
    expect(large.rows).toBeUndefined();
    expect(large.rowCount).toBeGreaterThan(1_000);
  });

  it('shortens long values with a marker, keeps big integers exact and shows blobs as hex', async () => {
    const result = await engine.run('query', {
      sql: "SELECT ? AS long, 9007199254740993 AS big, x'00ff' AS blob, NULL AS empty, 'a|b\nc' AS odd",
      params: ['y'.repeat(MAX_CELL_CHARS + 10)],
      offset: 0,
      maxRows: 10,
      maxBytes: 100_000,
    });
    const [row] = result.rows ?? [];
    expect(row?.[0]).toBe(`${'y'.repeat(MAX_CELL_CHARS)}…[+10 chars]`);
    expect(row?.slice(1)).toEqual(['9007199254740993', "x'00FF'", null, 'a|b\nc']);
    expect(result.shortenedValues).toBe(true);
    expect(result.lines[0]).toContain('| NULL | a\\|b\\nc');
  });
});

describe('writes', () => {
  it('reports changes and the rows of a RETURNING clause', async () => {
    const outcome = await engine.run('write', {
      sql: "INSERT INTO items (name) VALUES ('fig'), ('kiwi') RETURNING id, name",
      maxRows: 10,
      maxBytes: 10_000,
    });
    expect(outcome.changes).toBe(2);
    expect(outcome.returning?.rows).toEqual([
      [4, 'fig'],
      [5, 'kiwi'],
    ]);
  });

  it('refuses a pure read in write_query and points to read_query', async () => {
    await expect(engine.run('write', { sql: 'SELECT 1', maxRows: 1, maxBytes: 1_000 })).rejects.toThrow(/read_query/);
  });

  it('create_table rolls back and refuses a statement whose effect is not a new table', async () => {
    await expect(engine.run('createTable', { sql: 'DELETE FROM items' })).rejects.toBeInstanceOf(RefusedStatementError);
    await expect(engine.run('createTable', { sql: 'DROP TABLE items' })).rejects.toMatchObject({ code: 'REFUSED' });
    await expect(engine.run('createTable', { sql: 'PRAGMA user_version=7' })).resolves.toEqual({ created: [] });
    expect(
      (await engine.run('query', { sql: 'PRAGMA user_version', offset: 0, maxRows: 1, maxBytes: 1_000 })).rows,
    ).toEqual([[0]]);
    await expect(engine.run('createTable', { sql: 'CREATE TABLE copy AS SELECT * FROM items' })).resolves.toEqual({
      created: ['copy'],
    });
    expect(
      (await engine.run('query', { sql: 'SELECT count(*) FROM items', offset: 0, maxRows: 1, maxBytes: 1_000 })).rows,
    ).toEqual([[3]]);
    await expect(
      engine.run('createTable', { sql: 'CREATE TABLE fresh (id INTEGER PRIMARY KEY, code TEXT UNIQUE)' }),
    ).resolves.toEqual({ created: ['fresh'] });
    await expect(engine.run('createTable', { sql: 'CREATE TABLE IF NOT EXISTS fresh (id INT)' })).resolves.toEqual({
      created: [],
    });
    await expect(engine.run('createTable', { sql: 'CREATE TABLE fresh (id INT)' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });
});

describe('schema', () => {
  it('lists tables with approximate row counts and describes indexes and foreign keys', async () => {
    const db = new Database(dbPath);
    db.exec(
      'CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id) ON DELETE CASCADE); CREATE INDEX orders_item ON orders(item_id)',
    );
    db.close();
    const tables = await engine.run('listTables', {});
    expect(tables).toContainEqual({ name: 'numbers', type: 'table', approxRows: 5_000 });
    const orders = await engine.run('describeTable', { name: 'ORDERS' });
    expect(orders.name).toBe('orders');
    expect(orders.indexes).toContainEqual({
      name: 'orders_item',
      unique: false,
      origin: 'c',
      partial: false,
      columns: ['item_id'],
    });
    expect(orders.foreignKeys).toEqual([
      { from: ['item_id'], table: 'items', to: ['id'], onUpdate: 'NO ACTION', onDelete: 'CASCADE' },
    ]);
  });

  it('finds columns and indexes by part of their name', async () => {
    const { matches } = await engine.run('searchSchema', { pattern: 'LAB', limit: 10 });
    expect(matches).toContainEqual({ table: 'numbers', kind: 'column', name: 'label', detail: 'TEXT' });
  });

  it('explains a plan without running the statement', async () => {
    const steps = await engine.run('explain', { sql: 'DELETE FROM numbers WHERE n = ?', params: [1] });
    expect(renderPlan(steps)).toMatch(/^QUERY PLAN\n`--SEARCH numbers USING INTEGER PRIMARY KEY/);
    expect(
      (await engine.run('query', { sql: 'SELECT count(*) FROM numbers', offset: 0, maxRows: 1, maxBytes: 1_000 })).rows,
    ).toEqual([[5_000]]);
  });
});

describe('insights', () => {
  it('persist in the database across a restart', async () => {
    await engine.run('appendInsight', { insight: 'Pears sell best.' });
    await engine.close();
    engine = await openEngine(dbPath);
    const { insights, total } = await engine.run('listInsights', { limit: 10 });
    expect(total).toBe(1);
    expect(insights[0]?.insight).toBe('Pears sell best.');
  });
});

describe('configuration', () => {
  const config = (argv: string[], cwd?: string) => {
    const parsed = parseCommandLine(argv, {}, SQLITE_FLAGS);
    return parseSqliteConfig(
      { values: parsed.values as never, positionals: parsed.positionals, common: toCommonConfig(parsed) },
      cwd,
    );
  };

  it("resolves --db-path against the working directory and accepts the npx port's positional form", () => {
    expect(config(['--db-path', 'main.db'], temp.path).dbPath).toBe(dbPath);
    expect(config(['main.db'], temp.path).dbPath).toBe(dbPath);
  });

  it('serves a scratch database without a path, but not read-only', () => {
    expect(config([]).dbPath).toBeUndefined();
    expect(() => config(['--read-only'])).toThrow(/--read-only needs --db-path/);
  });

  it('refuses a directory, a missing file under --read-only and a bad time limit', () => {
    expect(() => config(['--db-path', temp.path])).toThrow(/is a directory/);
    expect(() => config(['--db-path', 'missing.db', '--read-only'], temp.path)).toThrow(/does not exist/);
    expect(() => config(['--query-timeout', 'soon'])).toThrow(/--query-timeout must be a duration/);
    expect(() => config(['--query-timeout', '50'])).toThrow(/between 100ms and/);
  });

  it('reads time limits as durations, in milliseconds when no unit is given', () => {
    expect(config([])).toMatchObject({ queryTimeoutMs: 30_000, busyTimeoutMs: 5_000 });
    expect(config(['--query-timeout', '5s', '--busy-timeout', '250'])).toMatchObject({
      queryTimeoutMs: 5_000,
      busyTimeoutMs: 250,
    });
  });
});
