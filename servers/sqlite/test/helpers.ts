import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { ServerSpec } from '@portico-mcp/shared/serve';
import { connectInProcess } from '@portico-mcp/shared/testing';
import type { InProcessOptions, InProcessServer } from '@portico-mcp/shared/testing';
import type { SQLITE_FLAGS, SqliteConfig } from '../src/config.js';
import { LocalEngine } from '../src/engine/local.js';
import { createSqliteSurface, engineOptions, sqliteServer } from '../src/server.js';

const require = createRequire(import.meta.url);

/** better-sqlite3 itself: the "raw" connection each attack is first shown to work against. */
export const Database = require('better-sqlite3') as typeof BetterSqlite3;

/** The loadable SQLite extension better-sqlite3 builds for its own tests (defines testExtensionFunction). */
export const TEST_EXTENSION = join(
  dirname(require.resolve('better-sqlite3/package.json')),
  'build',
  'Release',
  'test_extension.node',
);

/** A database file with a small `items` table, made with better-sqlite3 directly. */
export function makeDatabase(path: string): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);
    INSERT INTO items (name, price) VALUES ('apple', 1.5), ('pear', 2.25), ('plum', NULL);`);
  db.close();
}

/** The engine in this process, on `path`. */
export function openEngine(path: string, readOnly = false): Promise<LocalEngine> {
  return LocalEngine.open({ dbPath: path, readOnly, busyTimeoutMs: 1_000, scratch: false });
}

/**
 * The SQLite server's spec with the engine in this process: the same config, surface, tools and kernel call
 * path as the served server, without the engine process (its time limit is tested in the protocol suite).
 */
export const sqliteInProcess: ServerSpec<SqliteConfig, typeof SQLITE_FLAGS> = {
  ...sqliteServer,
  create: async (config, kernel) => {
    const engine = await LocalEngine.open(await engineOptions(config, kernel));
    kernel.onShutdown(() => engine.close());
    return createSqliteSurface(engine);
  },
};

/** Connects a client to the SQLite server running in this process. */
export function connectSqlite(argv: readonly string[], options?: InProcessOptions): Promise<InProcessServer> {
  return connectInProcess(sqliteInProcess, argv, options);
}

/** The text of a tool result. */
export function textOf(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((block) => (block.type === 'text' ? block.text : '')).join('');
}
