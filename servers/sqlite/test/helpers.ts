import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { LocalEngine } from '../src/engine/local.js';

const require = createRequire(import.meta.url);

/** better-sqlite3 itself: the "raw" connection each attack is first shown to work against. */
export const Database = require('better-sqlite3') as typeof BetterSqlite3;

/** The loadable SQLite extension better-sqlite3 builds for its own tests (defines testExtensionFunction). */
export const TEST_EXTENSION = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'test_extension.node');

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
