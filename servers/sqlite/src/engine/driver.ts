import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Loads better-sqlite3 (native, external to the bundle) when the engine starts, never at server startup.
 * require() rather than import(): the bundle runs as a vm.Script, where a dynamic import has no loader.
 */
export function loadDriver(): typeof BetterSqlite3 {
  return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
}
