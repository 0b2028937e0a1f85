import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kernel, ServerSpec, ServerSurface } from '@portico-mcp/shared/serve';
import { parseSqliteConfig, SQLITE_FLAGS } from './config.js';
import type { SqliteConfig } from './config.js';
import { EngineProcess } from './engine/client.js';
import type { EngineRunner } from './engine/client.js';
import type { EngineOptions } from './engine/protocol.js';
import { sqlitePrompts, sqliteResources } from './extras.js';
import { insightTools } from './tools/insights.js';
import { queryTools } from './tools/query.js';
import { resultsView, resultsViewTools } from './tools/results-view.js';
import { schemaTools } from './tools/schema.js';
import packageJson from '../package.json' with { type: 'json' };

const INSTRUCTIONS = [
  'SQLite database tools. Explore with list_tables, describe_table and search_schema (the schema is also a resource: sqlite://schema).',
  'read_query runs any statement SQLite compiles as read-only; write_query and create_table change the database.',
  'Bind values through params (? or :name placeholders) instead of writing them into the SQL text.',
  'A cut reply says so and carries next: the arguments to pass (with the same query) to continue.',
  'Record findings with append_insight; they collect in memo://insights.',
].join(' ');

// src/ from sources, dist/ bundled: the package folder is one up from either.
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The tools, resources, prompt and view on top of an engine runner (the server's engine process, or an in-process one in tests). */
export function createSqliteSurface(engine: EngineRunner): ServerSurface {
  return {
    tools: [...queryTools(engine), ...schemaTools(engine), ...insightTools(engine), ...resultsViewTools(engine)],
    instructions: INSTRUCTIONS,
    resources: sqliteResources(engine),
    prompts: sqlitePrompts(),
    apps: [resultsView(PACKAGE_DIR)],
  };
}

/**
 * Where the engine opens the database: the configured file, or a scratch file of this session. A scratch
 * database is a private file rather than ":memory:" so that it can be opened read-only for read_query and
 * survives the engine restart that stops a runaway query; it is removed at shutdown.
 */
export async function engineOptions(config: SqliteConfig, kernel: Kernel): Promise<EngineOptions> {
  let dbPath = config.dbPath;
  if (dbPath === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'portico-sqlite-'));
    dbPath = join(dir, 'scratch.db');
    kernel.onShutdown(() => rm(dir, { recursive: true, force: true }));
    kernel.log.info(
      'no --db-path given: serving a scratch in-memory-style database for this session only; nothing persists after exit',
      { path: dbPath },
    );
  } else {
    kernel.log.info('serving database', { path: dbPath, readOnly: config.readOnly });
  }
  return {
    dbPath,
    readOnly: config.readOnly,
    busyTimeoutMs: config.busyTimeoutMs,
    scratch: config.dbPath === undefined,
  };
}

async function create(config: SqliteConfig, kernel: Kernel): Promise<ServerSurface> {
  const engine = new EngineProcess({
    engine: await engineOptions(config, kernel),
    queryTimeoutMs: config.queryTimeoutMs,
    log: kernel.log,
  });
  kernel.onShutdown(() => engine.close());
  // Open the database in the background: the handshake does not wait for it, and a file that is not a
  // database is reported in the log at once rather than on the first call.
  engine
    .start()
    .catch((error: unknown) => kernel.log.error('cannot open the database', { error: (error as Error).message }));
  return createSqliteSurface(engine);
}

/** Everything runServer needs to serve the SQLite server. */
export const sqliteServer: ServerSpec<SqliteConfig, typeof SQLITE_FLAGS> = {
  name: 'sqlite',
  title: 'Portico SQLite',
  version: packageJson.version,
  description:
    'Query and change a SQLite database over MCP: read-only enforced by SQLite itself, bound parameters, paged results.',
  usage: 'mcp-server-sqlite [options] --db-path <file>',
  details: [
    'Without --db-path the server serves a scratch database that lives for this session only.',
    '--read-only opens the file read-only and registers no write tools.',
    '',
    'Example: mcp-server-sqlite --db-path ./shop.db --read-only',
  ].join('\n'),
  flags: SQLITE_FLAGS,
  parseConfig: (input) => parseSqliteConfig(input),
  create,
};
