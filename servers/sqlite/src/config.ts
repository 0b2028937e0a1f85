import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@portico-mcp/shared/errors';
import type { FlagSpec, FlagValues } from '@portico-mcp/shared/serve';

/** The SQLite server's own settings. */
export interface SqliteConfig {
  /** Absolute path of the database file; undefined serves a scratch database for this session. */
  dbPath: string | undefined;
  readOnly: boolean;
  /** A statement running longer than this is stopped. */
  queryTimeoutMs: number;
  /** How long SQLite waits for a lock held by another connection before failing with "database is locked". */
  busyTimeoutMs: number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Flags of the SQLite server (the common ones, --read-only included, come from the kernel). */
export const SQLITE_FLAGS = {
  'db-path': {
    type: 'string',
    placeholder: 'file',
    description: 'The SQLite database file (created when missing). Without it, a scratch database that lives for this session only.',
    env: 'PORTICO_SQLITE_DB_PATH',
  },
  'query-timeout': {
    type: 'string',
    placeholder: 'ms',
    description: `Stop a statement that runs longer than this (default ${DEFAULT_QUERY_TIMEOUT_MS}).`,
    env: 'PORTICO_SQLITE_QUERY_TIMEOUT',
  },
  'busy-timeout': {
    type: 'string',
    placeholder: 'ms',
    description: `Wait this long for a lock held by another program before failing (default ${DEFAULT_BUSY_TIMEOUT_MS}).`,
    env: 'PORTICO_SQLITE_BUSY_TIMEOUT',
  },
} as const satisfies Record<string, FlagSpec>;

function milliseconds(values: FlagValues, name: string, fallback: number, min: number): number {
  const raw = values[name];
  if (typeof raw !== 'string') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`--${name} must be a whole number of milliseconds, not "${raw}".`);
  const value = Number(raw);
  if (value < min || value > 2_147_483_647) throw new ConfigError(`--${name} must be between ${min} and 2147483647, not ${value}.`);
  return value;
}

/** Builds the config from flags; the database path may also be the single positional (as the npx port takes it). */
export function parseSqliteConfig(input: { values: FlagValues; positionals: string[] }, cwd = process.cwd()): SqliteConfig {
  const { values, positionals } = input;
  if (positionals.length > 1) throw new ConfigError('Give one database file (with --db-path), not several.');
  const flagPath = typeof values['db-path'] === 'string' ? values['db-path'] : undefined;
  if (flagPath !== undefined && positionals.length === 1) throw new ConfigError('Give the database file once: either --db-path or a positional path.');
  const given = flagPath ?? positionals[0];
  const readOnly = values['read-only'] === true;
  let dbPath: string | undefined;
  if (given !== undefined) {
    if (given.trim() === '' || given === ':memory:') {
      throw new ConfigError('Omit --db-path to get a scratch database; give a file path to serve a database file.');
    }
    dbPath = resolve(cwd, given);
    const stat = statSync(dbPath, { throwIfNoEntry: false });
    if (stat?.isDirectory()) throw new ConfigError(`--db-path ${given} is a directory; give the database file inside it.`);
    if (!stat && readOnly) throw new ConfigError(`--db-path ${given} does not exist, and --read-only will not create it.`);
    if (!stat && !statSync(dirname(dbPath), { throwIfNoEntry: false })?.isDirectory()) {
      throw new ConfigError(`The directory of --db-path ${given} does not exist; create it first.`);
    }
  } else if (readOnly) {
    throw new ConfigError('--read-only needs --db-path: a new scratch database would be empty.');
  }
  return {
    dbPath,
    readOnly,
    queryTimeoutMs: milliseconds(values, 'query-timeout', DEFAULT_QUERY_TIMEOUT_MS, 100),
    busyTimeoutMs: milliseconds(values, 'busy-timeout', DEFAULT_BUSY_TIMEOUT_MS, 0),
  };
}
