import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@portico-mcp/shared/errors';
import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';

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
// setTimeout's largest delay: a longer time limit would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

/** Flags of the SQLite server (the common ones, --read-only included, come from the kernel). */
export const SQLITE_FLAGS = {
  'db-path': {
    type: 'string',
    placeholder: 'file',
    description:
      'The SQLite database file (created when missing). Without it, a scratch database that lives for this session only.',
    env: 'PORTICO_SQLITE_DB_PATH',
  },
  'query-timeout': {
    type: 'duration',
    unit: 'ms',
    min: 100,
    max: MAX_TIMER_MS,
    default: DEFAULT_QUERY_TIMEOUT_MS,
    placeholder: 'time',
    description: `Stop a statement that runs longer than this: 30s, 500ms, or milliseconds (default ${DEFAULT_QUERY_TIMEOUT_MS / 1000}s).`,
    env: 'PORTICO_SQLITE_QUERY_TIMEOUT',
  },
  'busy-timeout': {
    type: 'duration',
    unit: 'ms',
    min: 0,
    max: MAX_TIMER_MS,
    default: DEFAULT_BUSY_TIMEOUT_MS,
    placeholder: 'time',
    description: `Wait this long for a lock held by another program before failing (default ${DEFAULT_BUSY_TIMEOUT_MS / 1000}s).`,
    env: 'PORTICO_SQLITE_BUSY_TIMEOUT',
  },
} as const satisfies Record<string, FlagSpec>;

/** Builds the config from flags; the database path may also be the single positional (as the npx port takes it). */
export function parseSqliteConfig(
  input: Pick<ConfigInput<typeof SQLITE_FLAGS>, 'values' | 'positionals' | 'common'>,
  cwd = process.cwd(),
): SqliteConfig {
  const { values, positionals, common } = input;
  if (positionals.length > 1) throw new ConfigError('Give one database file (with --db-path), not several.');
  const flagPath = values['db-path'];
  if (flagPath !== undefined && positionals.length === 1)
    throw new ConfigError('Give the database file once: either --db-path or a positional path.');
  const given = flagPath ?? positionals[0];
  const readOnly = common.readOnly;
  let dbPath: string | undefined;
  if (given !== undefined) {
    if (given.trim() === '' || given === ':memory:') {
      throw new ConfigError('Omit --db-path to get a scratch database; give a file path to serve a database file.');
    }
    dbPath = resolve(cwd, given);
    const stat = statSync(dbPath, { throwIfNoEntry: false });
    if (stat?.isDirectory())
      throw new ConfigError(`--db-path ${given} is a directory; give the database file inside it.`);
    if (!stat && readOnly)
      throw new ConfigError(`--db-path ${given} does not exist, and --read-only will not create it.`);
    if (!stat && !statSync(dirname(dbPath), { throwIfNoEntry: false })?.isDirectory()) {
      throw new ConfigError(`The directory of --db-path ${given} does not exist; create it first.`);
    }
  } else if (readOnly) {
    throw new ConfigError('--read-only needs --db-path: a new scratch database would be empty.');
  }
  return { dbPath, readOnly, queryTimeoutMs: values['query-timeout'], busyTimeoutMs: values['busy-timeout'] };
}
