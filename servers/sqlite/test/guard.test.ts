import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import type { LocalEngine } from '../src/engine/local.js';
import { Database, makeDatabase, openEngine, TEST_EXTENSION } from './helpers.js';

const page = { offset: 0, maxRows: 100, maxBytes: 100_000 };

let temp: TempDir;
let dbPath: string;
let engine: LocalEngine;

beforeEach(async () => {
  temp = await makeTempDir('portico-sqlite-guard-');
  dbPath = join(temp.path, 'main.db');
  makeDatabase(dbPath);
  engine = await openEngine(dbPath);
});

afterEach(async () => {
  await engine.close();
  await temp.cleanup();
});

function userVersion(): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function itemCount(): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM items').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A second database with a secret in it, which no statement sent to the server may read. */
function makeOtherDatabase(): string {
  const other = join(temp.path, 'other.db');
  const db = new Database(other);
  db.exec("CREATE TABLE secrets (value TEXT); INSERT INTO secrets VALUES ('s3cr3t')");
  db.close();
  return other;
}

describe('read_query refuses everything SQLite does not compile as a read-only, row-returning statement', () => {
  // Each case: the statement, what it does on a plain connection (proved first), and the check that it did nothing here.
  const cases: Array<{
    name: string;
    sql: (dir: string) => string;
    bites: (dir: string) => void;
    unharmed: (dir: string) => void;
  }> = [
    {
      name: 'PRAGMA user_version=7 (a setter the first-word check of a popular server lets through)',
      sql: () => 'PRAGMA user_version=7',
      bites: () => {
        const db = new Database(dbPath);
        db.prepare('PRAGMA user_version=7').run();
        db.close();
        expect(userVersion()).toBe(7);
        const reset = new Database(dbPath);
        reset.pragma('user_version = 0');
        reset.close();
      },
      unharmed: () => expect(userVersion()).toBe(0),
    },
    {
      name: 'a CTE that deletes (starts with WITH, like a read)',
      sql: () => 'WITH doomed AS (SELECT id FROM items) DELETE FROM items WHERE id IN doomed',
      bites: () => {
        const db = new Database(dbPath);
        db.prepare('WITH doomed AS (SELECT id FROM items) DELETE FROM items WHERE id IN doomed').run();
        db.close();
        expect(itemCount()).toBe(0);
        makeDatabaseAgain();
      },
      unharmed: () => expect(itemCount()).toBe(3),
    },
    {
      name: 'a comment in front of a DELETE',
      sql: () => '/* SELECT */ DELETE FROM items',
      bites: () => {
        const db = new Database(dbPath);
        db.prepare('/* SELECT */ DELETE FROM items').run();
        db.close();
        expect(itemCount()).toBe(0);
        makeDatabaseAgain();
      },
      unharmed: () => expect(itemCount()).toBe(3),
    },
    {
      name: 'INSERT … RETURNING (returns rows, but writes)',
      sql: () => "INSERT INTO items (name) VALUES ('x') RETURNING id",
      bites: () => {
        const db = new Database(dbPath);
        expect(db.prepare("INSERT INTO items (name) VALUES ('x') RETURNING id").reader).toBe(true);
        db.close();
      },
      unharmed: () => expect(itemCount()).toBe(3),
    },
    {
      name: 'multi-statement text',
      sql: () => "SELECT 1; UPDATE items SET name = 'pwned'",
      bites: () => {
        const db = new Database(dbPath);
        db.exec("SELECT 1; UPDATE items SET name = 'pwned'");
        expect(db.prepare("SELECT count(*) FROM items WHERE name = 'pwned'").pluck().get()).toBe(3);
        db.exec("UPDATE items SET name = 'apple'");
        db.close();
      },
      unharmed: () => {
        const db = new Database(dbPath, { readonly: true });
        expect(db.prepare("SELECT count(*) FROM items WHERE name = 'pwned'").pluck().get()).toBe(0);
        db.close();
      },
    },
    {
      name: 'ATTACH of another database file, even on a read-only connection (SQLite calls ATTACH read-only)',
      sql: (dir) => `ATTACH '${join(dir, 'other.db')}' AS other`,
      bites: (dir) => {
        makeOtherDatabase();
        const readOnly = new Database(dbPath, { readonly: true });
        const attach = readOnly.prepare(`ATTACH '${join(dir, 'other.db')}' AS other`);
        expect(attach.readonly).toBe(true);
        attach.run();
        expect(readOnly.prepare('SELECT value FROM other.secrets').pluck().get()).toBe('s3cr3t');
        readOnly.close();
      },
      unharmed: () => undefined,
    },
    {
      name: 'VACUUM INTO a new file (a read-only connection still writes it)',
      sql: (dir) => `VACUUM INTO '${join(dir, 'copy.db')}'`,
      bites: (dir) => {
        const readOnly = new Database(dbPath, { readonly: true });
        readOnly.exec(`VACUUM INTO '${join(dir, 'raw-copy.db')}'`);
        readOnly.close();
        expect(statSync(join(dir, 'raw-copy.db')).size).toBeGreaterThan(0);
      },
      unharmed: (dir) => expect(existsSync(join(dir, 'copy.db'))).toBe(false),
    },
    {
      name: 'load_extension() of a real loadable extension',
      sql: () => `SELECT load_extension('${TEST_EXTENSION}')`,
      bites: () => {
        // The native code is real and loadable: the C API loads it and its function runs.
        const db = new Database(':memory:');
        db.loadExtension(TEST_EXTENSION);
        expect(db.prepare('SELECT testExtensionFunction(1, 2, 3)').pluck().get()).toBe(3);
        db.close();
      },
      unharmed: () => undefined,
    },
    {
      name: 'PRAGMA query_only=0 (a setting, returns no rows)',
      sql: () => 'PRAGMA query_only=0',
      bites: () => {
        const db = new Database(':memory:');
        db.pragma('query_only = 1');
        db.prepare('PRAGMA query_only=0').run();
        expect(db.pragma('query_only', { simple: true })).toBe(0);
        db.close();
      },
      unharmed: () => undefined,
    },
  ];

  function makeDatabaseAgain(): void {
    const db = new Database(dbPath);
    db.exec(
      "DELETE FROM items; INSERT INTO items (id, name, price) VALUES (1, 'apple', 1.5), (2, 'pear', 2.25), (3, 'plum', NULL)",
    );
    db.close();
  }

  it.each(cases)('refuses $name', async ({ sql, bites, unharmed }) => {
    bites(temp.path);
    await expect(engine.run('query', { sql: sql(temp.path), ...page })).rejects.toMatchObject({
      code: expect.stringMatching(/REFUSED|INVALID_ARGUMENT/),
    });
    unharmed(temp.path);
  });
});

describe('write_query never creates or writes a file other than the database', () => {
  const cases: Array<{ name: string; steps: (target: string) => string[] }> = [
    {
      name: "ATTACH '/any/path' then CREATE a table in it",
      steps: (target) => [`ATTACH '${target}' AS evil`, 'CREATE TABLE evil.t (x)'],
    },
    {
      name: 'ATTACH DATABASE with odd spacing and a comment',
      steps: (target) => [`attach  /* hi */ database\n'${target}' as "evil"`],
    },
    {
      name: 'ATTACH with the file name as an expression',
      steps: (target) => [`ATTACH '${target.slice(0, 5)}' || '${target.slice(5)}' AS evil`],
    },
    { name: "VACUUM INTO '/any/path'", steps: (target) => [`VACUUM INTO '${target}'`] },
    { name: 'VACUUM main INTO an expression', steps: (target) => [`VACUUM main INTO trim('  ${target}  ')`] },
  ];

  it.each(cases)('refuses $name', async ({ steps }) => {
    const rawTarget = join(temp.path, 'raw-target.db');
    const raw = new Database(dbPath);
    for (const step of steps(rawTarget)) raw.exec(step);
    raw.close();
    expect(existsSync(rawTarget)).toBe(true);

    const target = join(temp.path, 'target.db');
    for (const step of steps(target)) {
      await expect(engine.run('write', { sql: step, maxRows: 10, maxBytes: 10_000 })).rejects.toBeInstanceOf(Error);
    }
    expect(existsSync(target)).toBe(false);
  });

  it.each(['temp_store_directory', 'data_store_directory'])(
    'refuses PRAGMA %s, which redirects SQLite files process-wide',
    async (pragma) => {
      const elsewhere = join(temp.path, `${pragma}-elsewhere`);
      mkdirSync(elsewhere, { recursive: true });
      if (pragma === 'temp_store_directory') {
        // Without the guard: a plain connection accepts it and SQLite now keeps its temporary files there.
        const raw = new Database(dbPath);
        raw.exec(`PRAGMA temp_store_directory = '${elsewhere}'`);
        expect(raw.pragma('temp_store_directory', { simple: true })).toBe(elsewhere);
        raw.exec("PRAGMA temp_store_directory = ''");
        raw.close();
      }
      const refused = { code: 'REFUSED', message: expect.stringMatching(new RegExp(`PRAGMA ${pragma} is refused`)) };
      const sql = `PRAGMA ${pragma} = '${elsewhere}'`;
      await expect(engine.run('write', { sql, maxRows: 10, maxBytes: 10_000 })).rejects.toMatchObject(refused);
      await expect(engine.run('query', { sql, offset: 0, maxRows: 10, maxBytes: 10_000 })).rejects.toMatchObject(
        refused,
      );
    },
  );

  it('refuses transaction control, which would leave a transaction open between calls', async () => {
    await expect(engine.run('write', { sql: 'BEGIN', maxRows: 10, maxBytes: 10_000 })).rejects.toMatchObject({
      code: 'REFUSED',
    });
    await expect(engine.run('write', { sql: 'SAVEPOINT s', maxRows: 10, maxBytes: 10_000 })).rejects.toMatchObject({
      code: 'REFUSED',
    });
  });

  it('allows plain VACUUM and PRAGMA settings, which touch only the database', async () => {
    await expect(engine.run('write', { sql: 'VACUUM', maxRows: 10, maxBytes: 10_000 })).resolves.toMatchObject({
      changes: 0,
    });
    await engine.run('write', { sql: 'PRAGMA user_version=7', maxRows: 10, maxBytes: 10_000 });
    expect(userVersion()).toBe(7);
  });
});

describe('describe_table never splices the table name into SQL', () => {
  const name = 'items); DROP TABLE items; --';

  it('the reference splicing drops the table on a plain connection', () => {
    const db = new Database(dbPath);
    db.exec(`PRAGMA table_info(${name})`);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'items'").pluck().get()).toBe(0);
    db.close();
  });

  it('answers not found and leaves the table in place', async () => {
    await expect(engine.run('describeTable', { name })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(itemCount()).toBe(3);
  });

  it('matches a name against the schema, not against SQL', async () => {
    const db = new Database(dbPath);
    db.exec('CREATE TABLE "odd ""name""" (a INT)');
    db.close();
    const table = await engine.run('describeTable', { name: 'odd "name"' });
    expect(table.columns.map((column) => column.name)).toEqual(['a']);
  });
});

describe('read_query accepts what SQLite compiles as read-only', () => {
  it.each([
    ['a CTE', 'WITH cheap AS (SELECT * FROM items WHERE price < 2) SELECT name FROM cheap', [['apple']]],
    ['EXPLAIN QUERY PLAN', 'EXPLAIN QUERY PLAN SELECT * FROM items WHERE id = 1', undefined],
    ['a read-only PRAGMA', 'PRAGMA user_version', [[0]]],
    [
      'a table-valued PRAGMA function',
      "SELECT name FROM pragma_table_info('items') ORDER BY cid",
      [['id'], ['name'], ['price']],
    ],
  ])('runs %s', async (_label, sql, rows) => {
    const result = await engine.run('query', { sql, ...page });
    if (rows) expect(result.rows).toEqual(rows);
    else expect(result.rowCount).toBeGreaterThan(0);
  });

  it('binds positional and named parameters instead of splicing values', async () => {
    const hostile = "' OR 1=1 --";
    expect(
      (await engine.run('query', { sql: 'SELECT id FROM items WHERE name = ?', params: [hostile], ...page })).rowCount,
    ).toBe(0);
    const named = await engine.run('query', {
      sql: 'SELECT name FROM items WHERE price > :min AND price < @max',
      params: { min: 1, max: 2 },
      ...page,
    });
    expect(named.rows).toEqual([['apple']]);
  });

  it('reports a missing parameter as a fixable argument error', async () => {
    await expect(engine.run('query', { sql: 'SELECT * FROM items WHERE id = ?', ...page })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('--read-only', () => {
  it('opens the file read-only: even a write that reached the engine would fail', async () => {
    const readOnly = await openEngine(dbPath, true);
    try {
      await expect(
        readOnly.run('write', { sql: "INSERT INTO items (name) VALUES ('x')", maxRows: 1, maxBytes: 1000 }),
      ).rejects.toMatchObject({ code: 'REFUSED' });
      await expect(readOnly.run('appendInsight', { insight: 'x' })).rejects.toMatchObject({ code: 'REFUSED' });
      expect(itemCount()).toBe(3);
    } finally {
      await readOnly.close();
    }
  });
});

describe('reads never change connection settings that outlast the call', () => {
  /** A second program's write: a fresh connection with a short busy timeout, as another process would have. */
  function otherProgramWrites(): string {
    const other = new Database(dbPath, { timeout: 200 });
    try {
      other.prepare("INSERT INTO items (name) VALUES ('from another program')").run();
      return 'written';
    } catch (error) {
      return (error as Error).message;
    } finally {
      other.close();
    }
  }

  it.each([
    ['PRAGMA locking_mode=EXCLUSIVE', 'query'],
    ['pragma main . "locking_mode" = exclusive', 'query'],
    ["/* tuning */ PRAGMA 'locking_mode'('EXCLUSIVE')", 'query'],
    ['EXPLAIN PRAGMA locking_mode=EXCLUSIVE', 'query'],
    ['PRAGMA locking_mode=EXCLUSIVE', 'explain'],
  ] as const)(
    'a read-only server that ran %s (%s) and another read leaves other programs able to write',
    async (sql, op) => {
      // Without the guard: a read-only handle accepts the pragma as a row-returning read, the next read keeps
      // its shared lock for good, and every other program's write fails.
      const raw = new Database(dbPath, { readonly: true, timeout: 200 });
      expect(raw.prepare('PRAGMA locking_mode=EXCLUSIVE').get()).toEqual({ locking_mode: 'exclusive' });
      raw.prepare('SELECT count(*) FROM items').get();
      expect(otherProgramWrites()).toBe('database is locked');
      raw.close();
      expect(otherProgramWrites()).toBe('written');

      const readOnly = await openEngine(dbPath, true);
      try {
        const args = op === 'query' ? { sql, ...page } : { sql };
        await expect(readOnly.run(op, args)).rejects.toMatchObject({
          code: 'REFUSED',
          message: expect.stringMatching(/^PRAGMA locking_mode with a value is refused on reads: /),
        });
        expect((await readOnly.run('query', { sql: 'SELECT count(*) FROM items', ...page })).rows).toEqual([[4]]);
        expect((await readOnly.run('query', { sql: 'PRAGMA locking_mode', ...page })).rows).toEqual([['normal']]);
        expect(otherProgramWrites()).toBe('written');
      } finally {
        await readOnly.close();
      }
    },
  );

  // Each of these takes effect on a read-only handle when the statement is merely compiled (proved per case).
  it.each([
    ['locking_mode', 'EXCLUSIVE'],
    ['busy_timeout', '1'],
    ['cache_size', '7'],
    ['cache_spill', '0'],
    ['mmap_size', '4096'],
    ['temp_store', '2'],
    ['synchronous', '0'],
    ['foreign_keys', '0'],
    ['defer_foreign_keys', '1'],
    ['recursive_triggers', '1'],
    ['query_only', '1'],
    ['cell_size_check', '1'],
    ['trusted_schema', '0'],
    ['automatic_index', '0'],
    ['reverse_unordered_selects', '1'],
    ['ignore_check_constraints', '1'],
    ['read_uncommitted', '1'],
    ['legacy_alter_table', '1'],
    ['secure_delete', '1'],
    ['analysis_limit', '10'],
    ['wal_autocheckpoint', '5'],
    ['journal_size_limit', '5'],
    ['fullfsync', '1'],
    ['checkpoint_fullfsync', '1'],
    ['threads', '3'],
    ['soft_heap_limit', '123456789'],
    ['hard_heap_limit', '987654321'],
  ])(
    'refuses PRAGMA %s=%s on reads, which a read-only handle applies while merely compiling it',
    async (name, value) => {
      const raw = new Database(dbPath, { readonly: true, timeout: 1_000 });
      const before = raw.pragma(name, { simple: true });
      raw.prepare(`PRAGMA ${name}=${value}`);
      const after = raw.pragma(name, { simple: true });
      expect(after).not.toEqual(before);
      // Process-wide limits would otherwise stay set for every later test in this process.
      if (name.endsWith('heap_limit')) raw.pragma(`${name}=${before as number}`);
      raw.close();

      const readOnly = await openEngine(dbPath, true);
      try {
        const shown = (await readOnly.run('query', { sql: `PRAGMA ${name}`, ...page })).rows;
        await expect(readOnly.run('query', { sql: `PRAGMA ${name}=${value}`, ...page })).rejects.toMatchObject({
          code: 'REFUSED',
          message: `PRAGMA ${name} with a value is refused on reads: it would change a setting of the read connection that outlasts this call (and can lock other programs out of the database); query it without a value.`,
        });
        await expect(readOnly.run('explain', { sql: `PRAGMA ${name}=${value}` })).rejects.toMatchObject({
          code: 'REFUSED',
        });
        expect((await readOnly.run('query', { sql: `PRAGMA ${name}`, ...page })).rows).toEqual(shown);
      } finally {
        await readOnly.close();
      }
    },
  );

  it.each([
    ['PRAGMA optimize', 'optimize'],
    ['PRAGMA wal_checkpoint(TRUNCATE)', 'wal_checkpoint'],
    ['PRAGMA incremental_vacuum', 'incremental_vacuum'],
    ['PRAGMA shrink_memory', 'shrink_memory'],
    ['SELECT * FROM pragma_optimize', 'optimize'],
    ['PRAGMA user_version=7', 'user_version'],
    ['PRAGMA schema_version=7', 'schema_version'],
    ['PRAGMA application_id=7', 'application_id'],
    ['PRAGMA journal_mode=WAL', 'journal_mode'],
    ['PRAGMA writable_schema=1', 'writable_schema'],
    ['PRAGMA max_page_count=5', 'max_page_count'],
    ['PRAGMA case_sensitive_like=1', 'case_sensitive_like'],
  ])('refuses %s on reads by name', async (sql, name) => {
    // The pragma function really runs its pragma: on a plain handle it reports the ANALYZE it would do.
    if (sql.startsWith('SELECT')) {
      const raw = new Database(dbPath, { readonly: true });
      expect(raw.prepare('SELECT * FROM pragma_optimize(-1)').all()).toEqual([{ optimize: 'ANALYZE "main"."items"' }]);
      raw.close();
    }
    await expect(engine.run('query', { sql, ...page })).rejects.toMatchObject({
      code: 'REFUSED',
      message: expect.stringMatching(new RegExp(`^PRAGMA ${name} (with a value )?is refused on reads: `)),
    });
  });

  it('still answers pragmas that only look: settings queried without a value, and inspections of a table', async () => {
    expect((await engine.run('query', { sql: 'PRAGMA locking_mode', ...page })).rows).toEqual([['normal']]);
    expect((await engine.run('query', { sql: 'PRAGMA main.cache_size', ...page })).rows).toEqual([[-16000]]);
    expect((await engine.run('query', { sql: "PRAGMA table_info('items')", ...page })).rowCount).toBe(3);
    expect((await engine.run('query', { sql: 'PRAGMA integrity_check(1)', ...page })).rows).toEqual([['ok']]);
    expect((await engine.run('query', { sql: "SELECT name FROM pragma_index_list('items')", ...page })).rowCount).toBe(
      0,
    );
    expect(
      (await engine.run('query', { sql: "SELECT 'pragma locking_mode = exclusive' AS text", ...page })).rowCount,
    ).toBe(1);
  });

  it('lets write_query change settings of the write connection on a writable server', async () => {
    await expect(
      engine.run('write', { sql: 'PRAGMA cache_size=7', maxRows: 10, maxBytes: 10_000 }),
    ).resolves.toMatchObject({ changes: 0 });
  });
});
