import type BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { classifyStatement, refusalBeforeCompile } from './guard.js';
import type { StatementVerdict } from './guard.js';
import { pragmaRefusalOnRead } from './pragma.js';
import { EngineError } from './protocol.js';
import type {
  BindParams,
  ColumnInfo,
  EngineOperations,
  EngineOptions,
  ForeignKeyInfo,
  IndexInfo,
  Insight,
  PlanStep,
  QueryPage,
  SchemaMatch,
  TableDescription,
  TableSummary,
  WriteOutcome,
} from './protocol.js';
import { buildPage } from './render.js';

/** The table where append_insight keeps insights, inside the served database so they survive restarts. */
export const INSIGHTS_TABLE = '_portico_insights';

const STATEMENT_CACHE_SIZE = 200;

interface CachedStatement {
  statement: Statement;
  /** Computed on first use, with that call's values bound (EXPLAIN needs them); stable for the same text. */
  verdict?: StatementVerdict;
}

/** One connection with its own prepared-statement cache (most recently used last). */
class Connection {
  readonly db: Database;
  readonly #cache = new Map<string, CachedStatement>();
  /** The read connection: no statement compiled on it may change its settings (see pragmaRefusalOnRead). */
  readonly #reads: boolean;

  constructor(db: Database, role: 'reads' | 'writes') {
    this.db = db;
    this.#reads = role === 'reads';
  }

  /** Compiles `sql` as exactly one statement, reusing the compiled statement next time. */
  compile(sql: string): CachedStatement {
    const hit = this.#cache.get(sql);
    if (hit) {
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    const refusal = refusalBeforeCompile(sql) ?? (this.#reads ? pragmaRefusalOnRead(sql) : undefined);
    if (refusal) throw new EngineError('refused', refusal);
    let statement: Statement;
    try {
      statement = this.db.prepare(sql);
    } catch (error) {
      throw translateError(error);
    }
    const entry: CachedStatement = { statement };
    this.#cache.set(sql, entry);
    if (this.#cache.size > STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    return entry;
  }

  /** Compiles and classifies `sql` (see classifyStatement). */
  prepare(sql: string, bind: unknown[] = []): { statement: Statement; verdict: StatementVerdict } {
    const entry = this.compile(sql);
    if (!entry.verdict) {
      try {
        entry.verdict = classifyStatement(this.db, entry.statement, sql, bind);
      } catch (error) {
        throw translateError(error);
      }
    }
    return { statement: entry.statement, verdict: entry.verdict };
  }

  close(): void {
    this.#cache.clear();
    if (this.db.open) this.db.close();
  }
}

/** Maps a better-sqlite3 failure to an engine error with one sentence; a programming error passes through. */
export function translateError(error: unknown): unknown {
  if (error instanceof EngineError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code.startsWith('SQLITE_LOCKED')) {
      return new EngineError(
        'busy',
        'The database is locked by another connection and stayed locked past the busy timeout; try again shortly.',
      );
    }
    if (/already exists/.test(message))
      return new EngineError('exists', `SQLite: ${message}; choose another name or drop the existing one first.`);
    if (/^not authorized$/.test(message) || /^unsafe use of load_extension/.test(message)) {
      return new EngineError(
        'refused',
        'load_extension() is refused: this server never loads native code into SQLite.',
      );
    }
    return new EngineError('sqlite', `SQLite rejected the statement: ${message}.`.replace(/\.\.$/, '.'));
  }
  if (error instanceof RangeError || error instanceof TypeError) {
    if (/more than one statement/.test(message)) {
      return new EngineError('invalid', 'The text holds more than one statement; send one statement per call.');
    }
    if (/does not contain a statement/.test(message))
      return new EngineError('invalid', 'The text holds no SQL statement; send one statement.');
    // better-sqlite3 reports binding mistakes (missing or extra values, unsupported types) this way.
    if (/parameter|bind|named|argument/i.test(message)) {
      return new EngineError('invalid', `The params do not match the statement: ${message.replace(/\.$/, '')}.`);
    }
  }
  return error;
}

function bindArgs(params: BindParams | undefined): unknown[] {
  if (params === undefined) return [];
  const value = (item: string | number | boolean | null) => (typeof item === 'boolean' ? (item ? 1 : 0) : item);
  if (Array.isArray(params)) return params.map(value);
  return [Object.fromEntries(Object.entries(params).map(([key, item]) => [key.replace(/^[:@$]/, ''), value(item)]))];
}

/** Quotes an identifier that was read from the schema itself (never one a caller typed). */
function quoteSchemaIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The SQLite engine: one long-lived writer connection (absent under --read-only) and one read-only reader
 * connection on the same file, each with a prepared-statement cache. Reads never run on the writer, so a
 * statement that SQLite compiles as read-only can at most change settings of a connection that cannot write.
 */
export class SqliteEngine {
  readonly #reader: Connection;
  readonly #writer: Connection | undefined;

  constructor(Driver: typeof BetterSqlite3, options: EngineOptions) {
    const open = (readonly: boolean) => {
      try {
        return new Driver(options.dbPath, { readonly, fileMustExist: readonly, timeout: options.busyTimeoutMs });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new EngineError('sqlite', `Cannot open the database: ${message}.`);
      }
    };
    // The writer opens first so that a missing file is created before the read-only connection looks for it.
    this.#writer = options.readOnly ? undefined : new Connection(open(false), 'writes');
    if (this.#writer && options.scratch) {
      // A scratch database dies with the session: durability buys nothing here.
      this.#writer.db.pragma('journal_mode = MEMORY');
      this.#writer.db.pragma('synchronous = OFF');
    }
    this.#reader = new Connection(open(true), 'reads');
    // Fails early, with SQLite's own sentence, when the file is not a database.
    try {
      this.#reader.db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (error) {
      this.close();
      throw new EngineError('sqlite', `Cannot read the database: ${(error as Error).message}.`);
    }
  }

  /** Internal statements of the reader, compiled once (their text is fixed or built from schema names). */
  get #statements(): { prepare(sql: string): Statement } {
    return { prepare: (sql) => this.#reader.compile(sql).statement };
  }

  close(): void {
    this.#reader.close();
    this.#writer?.close();
  }

  #requireWriter(): Connection {
    if (!this.#writer)
      throw new EngineError('refused', 'The server runs read-only; it makes no changes to the database.');
    return this.#writer;
  }

  /** Runs one statement that SQLite compiles as read-only and returning rows, and returns one page of it. */
  query({ sql, params, offset, maxRows, maxBytes, allCells }: EngineOperations['query']['args']): QueryPage {
    const bind = bindArgs(params);
    const { statement, verdict } = this.#reader.prepare(sql, bind);
    if (verdict.refusal) throw new EngineError('refused', verdict.refusal);
    if (verdict.transactionControl) {
      throw new EngineError('refused', 'Transaction control is refused: every call runs as its own transaction.');
    }
    if (!verdict.readonly) {
      throw new EngineError(
        'refused',
        'read_query runs only statements SQLite compiles as read-only; use write_query for changes.',
      );
    }
    if (!verdict.reader) {
      throw new EngineError(
        'refused',
        'read_query runs only statements that return rows; this statement returns none.',
      );
    }
    return this.#page(statement, bind, offset, maxRows, maxBytes, allCells === true);
  }

  #page(
    statement: Statement,
    bind: unknown[],
    offset: number,
    maxRows: number,
    maxBytes: number,
    allCells = false,
  ): QueryPage {
    const described = statement.columns();
    const columns = described.map((column) => column.name);
    let iterator: IterableIterator<unknown[]> | undefined;
    try {
      statement.raw(true).safeIntegers(true);
      iterator = statement.iterate(...bind) as IterableIterator<unknown[]>;
      // A continuation re-runs the statement and skips the rows already shown (stateless: no read
      // transaction is held open between calls, so writers are never blocked by a half-read result).
      for (let skipped = 0; skipped < offset; skipped++) {
        if (iterator.next().done) break;
      }
      const page = buildPage(columns, iterator, { maxRows, maxBytes, allCells });
      return { ...page, offset, ...(allCells ? { types: described.map((column) => column.type) } : {}) };
    } catch (error) {
      throw translateError(error);
    } finally {
      // Ends the statement (and its read transaction) even when the page stopped early.
      iterator?.return?.();
    }
  }

  /** Runs one statement that changes the database (or a connection setting), never a refused one. */
  write({ sql, params, maxRows, maxBytes }: EngineOperations['write']['args']): WriteOutcome {
    const writer = this.#requireWriter();
    const { statement, verdict } = writer.prepare(sql, bindArgs(params));
    if (verdict.refusal) throw new EngineError('refused', verdict.refusal);
    if (verdict.transactionControl) {
      throw new EngineError(
        'refused',
        'Transaction control is refused: each write_query is its own transaction; put related changes in one statement.',
      );
    }
    if (verdict.explain || (verdict.readonly && verdict.reader)) {
      throw new EngineError('refused', 'This statement only reads; run it with read_query.');
    }
    try {
      if (!verdict.reader) {
        const info = statement.safeIntegers(true).run(...bindArgs(params));
        return { changes: info.changes, lastInsertRowid: rowid(info.lastInsertRowid) };
      }
      // RETURNING: every row must be stepped for the change to complete; only a page of them is shown.
      const columns = statement.columns().map((column) => column.name);
      statement.raw(true).safeIntegers(true);
      const iterator = statement.iterate(...bindArgs(params)) as IterableIterator<unknown[]>;
      const page = buildPage(columns, iterator, { maxRows, maxBytes });
      let totalRows = page.rowCount + (page.more ? 1 : 0);
      for (let next = iterator.next(); !next.done; next = iterator.next()) totalRows++;
      const changes = Number(writer.db.prepare('SELECT changes() AS n').pluck().get());
      const last = writer.db.prepare('SELECT last_insert_rowid()').pluck().safeIntegers(true).get();
      return { changes, lastInsertRowid: rowid(last), returning: { ...page, offset: 0, totalRows } };
    } catch (error) {
      throw translateError(error);
    }
  }

  /**
   * Runs a statement inside a savepoint and keeps it only if its effect on the schema is the creation of
   * tables (with their automatic indexes): decided by what SQLite did, not by the first words of the text.
   */
  createTable({ sql }: EngineOperations['createTable']['args']): { created: string[] } {
    const writer = this.#requireWriter();
    const { statement, verdict } = writer.prepare(sql);
    if (verdict.refusal) throw new EngineError('refused', verdict.refusal);
    if (verdict.transactionControl || verdict.explain || verdict.readonly || verdict.reader) {
      throw new EngineError(
        'refused',
        'create_table runs only CREATE TABLE statements; use write_query for other changes.',
      );
    }
    const schema = writer.db
      .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema")
      .pluck();
    const before = new Set(schema.all() as string[]);
    const totalChanges = writer.db.prepare('SELECT total_changes()').pluck();
    writer.db.exec('SAVEPOINT portico_create_table');
    let keep = false;
    try {
      const changesBefore = totalChanges.get() as number;
      statement.run();
      const rowsChanged = (totalChanges.get() as number) !== changesBefore;
      const after = schema.all() as string[];
      const added = after.filter((entry) => !before.has(entry));
      const removed = [...before].filter((entry) => !after.includes(entry));
      const tables = writer.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
      const created = tables.filter((name) => added.some((entry) => entry.startsWith(`table ${name} `)));
      const onlyTables = added.every(
        (entry) => entry.startsWith('table ') || /^index sqlite_autoindex_\S+ $/.test(entry),
      );
      if (removed.length > 0 || !onlyTables || rowsChanged) {
        throw new EngineError(
          'refused',
          'create_table runs only CREATE TABLE statements; use write_query for other changes.',
        );
      }
      // No new table (IF NOT EXISTS found one, or the statement creates none): rolled back, nothing changed.
      keep = created.length > 0;
      return { created };
    } catch (error) {
      throw translateError(error);
    } finally {
      if (!keep) writer.db.exec('ROLLBACK TO portico_create_table');
      writer.db.exec('RELEASE portico_create_table');
    }
  }

  listTables(): TableSummary[] {
    const rows = this.#reader.compile(
      "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    ).statement;
    const entries = rows.raw(false).safeIntegers(false).all() as Array<{
      name: string;
      type: TableSummary['type'];
      wr: number;
    }>;
    return entries.map((entry) => ({
      name: entry.name,
      type: entry.type,
      approxRows: this.#approxRows(entry.name, entry.type, entry.wr === 1),
    }));
  }

  #approxRows(name: string, type: string, withoutRowid: boolean): number | null {
    if (type !== 'table') return null;
    const db = this.#statements;
    try {
      const hasStats =
        db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").pluck().get() !== undefined;
      if (hasStats) {
        const stat = db
          .prepare('SELECT stat FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx IS NOT NULL LIMIT 1')
          .pluck()
          .get(name);
        if (typeof stat === 'string') return Number.parseInt(stat, 10);
      }
      if (withoutRowid) return null;
      // The name came from the schema listing, so quoting it is safe; the largest rowid is an O(log n) estimate.
      const max = db
        .prepare(`SELECT max(_rowid_) FROM ${quoteSchemaIdentifier(name)}`)
        .pluck()
        .safeIntegers(false)
        .get();
      return typeof max === 'number' ? max : 0;
    } catch {
      return null;
    }
  }

  /** Resolves a caller's table name to the exact name in the schema, or fails: identifiers are never spliced. */
  #resolveTable(name: string): { name: string; type: TableSummary['type']; withoutRowid: boolean } {
    const lookup = this.#reader.compile(
      "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ? COLLATE NOCASE ORDER BY name = ? DESC LIMIT 1",
    ).statement;
    const row = lookup.raw(false).safeIntegers(false).get(name, name) as
      { name: string; type: TableSummary['type']; wr: number } | undefined;
    if (!row) throw new EngineError('not-found', `No table or view is named "${name}"; list_tables shows the names.`);
    return { name: row.name, type: row.type, withoutRowid: row.wr === 1 };
  }

  describeTable({ name }: EngineOperations['describeTable']['args']): TableDescription {
    const table = this.#resolveTable(name);
    const db = this.#statements;
    const sql = db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(table.name) as
      string | null | undefined;
    // Table-valued pragma functions take the name as a bound value: nothing is spliced into SQL.
    const columns = (
      db
        .prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)')
        .all(table.name) as Array<{
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
        hidden: number;
      }>
    ).map((column): ColumnInfo => ({
      name: column.name,
      type: column.type,
      notNull: column.notnull === 1,
      defaultValue: column.dflt_value,
      primaryKey: column.pk,
      hidden: column.hidden !== 0,
    }));
    const indexColumns = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck();
    const indexes = (
      db.prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?)').all(table.name) as Array<{
        name: string;
        unique: number;
        origin: string;
        partial: number;
      }>
    ).map((index): IndexInfo => ({
      name: index.name,
      unique: index.unique === 1,
      origin: index.origin,
      partial: index.partial === 1,
      columns: (indexColumns.all(index.name) as Array<string | null>).map((column) => column ?? '<expression>'),
    }));
    const keys = new Map<number, ForeignKeyInfo>();
    for (const key of db
      .prepare(
        'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
      )
      .all(table.name) as Array<{
      id: number;
      table: string;
      from: string;
      to: string | null;
      on_update: string;
      on_delete: string;
    }>) {
      const entry = keys.get(key.id) ?? {
        from: [],
        table: key.table,
        to: [],
        onUpdate: key.on_update,
        onDelete: key.on_delete,
      };
      entry.from.push(key.from);
      entry.to.push(key.to);
      keys.set(key.id, entry);
    }
    return {
      name: table.name,
      type: table.type,
      approxRows: this.#approxRows(table.name, table.type, table.withoutRowid),
      sql: sql ?? null,
      columns,
      indexes,
      foreignKeys: [...keys.values()],
    };
  }

  /** Finds tables, views, columns, indexes and triggers whose name or definition contains `pattern`. */
  searchSchema({ pattern, limit }: EngineOperations['searchSchema']['args']): {
    matches: SchemaMatch[];
    total: number;
  } {
    const needle = pattern.toLowerCase();
    const db = this.#statements;
    const matches: SchemaMatch[] = [];
    const entries = db
      .prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY tbl_name, type, name",
      )
      .all() as Array<{
      type: string;
      name: string;
      tbl_name: string;
      sql: string | null;
    }>;
    const columnsOf = db.prepare('SELECT name, type FROM pragma_table_xinfo(?)');
    for (const entry of entries) {
      const kind = (
        ['table', 'view', 'index', 'trigger'].includes(entry.type) ? entry.type : 'definition'
      ) as SchemaMatch['kind'];
      if (entry.name.toLowerCase().includes(needle)) {
        matches.push({ table: entry.tbl_name, kind, name: entry.name, detail: firstLine(entry.sql) });
      } else if (entry.sql?.toLowerCase().includes(needle) && entry.type !== 'table' && entry.type !== 'view') {
        matches.push({ table: entry.tbl_name, kind: 'definition', name: entry.name, detail: firstLine(entry.sql) });
      }
      if (entry.type === 'table' || entry.type === 'view') {
        for (const column of columnsOf.all(entry.name) as Array<{ name: string; type: string }>) {
          if (column.name.toLowerCase().includes(needle)) {
            matches.push({
              table: entry.name,
              kind: 'column',
              name: column.name,
              detail: column.type || 'no declared type',
            });
          }
        }
      }
    }
    return { matches: matches.slice(0, limit), total: matches.length };
  }

  /** EXPLAIN QUERY PLAN of one statement: compiled on the read-only connection, never executed. */
  explain({ sql, params }: EngineOperations['explain']['args']): PlanStep[] {
    this.#reader.compile(sql);
    let plan: Statement;
    try {
      plan = this.#reader.db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    } catch {
      // The statement compiled alone, so only an EXPLAIN of its own fails to compile with the prefix.
      throw new EngineError('invalid', 'Pass the statement itself, without EXPLAIN; explain_query adds it.');
    }
    try {
      const steps = plan.all(...bindArgs(params)) as Array<{ id: number; parent: number; detail: string }>;
      return steps.map((step) => ({ id: step.id, parent: step.parent, detail: step.detail }));
    } catch (error) {
      throw translateError(error);
    }
  }

  appendInsight({ insight }: EngineOperations['appendInsight']['args']): { id: number; total: number } {
    const db = this.#requireWriter().db;
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${INSIGHTS_TABLE} (id INTEGER PRIMARY KEY, insight TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`,
    );
    const info = db.prepare(`INSERT INTO ${INSIGHTS_TABLE} (insight) VALUES (?)`).run(insight);
    const total = Number(db.prepare(`SELECT count(*) FROM ${INSIGHTS_TABLE}`).pluck().get());
    return { id: Number(info.lastInsertRowid), total };
  }

  /** The most recent insights (oldest first), or none when no insight was ever recorded. */
  listInsights({ limit }: EngineOperations['listInsights']['args']): { insights: Insight[]; total: number } {
    const db = this.#statements;
    const exists = db
      .prepare('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?')
      .pluck()
      .get('table', INSIGHTS_TABLE);
    if (exists === undefined) return { insights: [], total: 0 };
    const total = Number(db.prepare(`SELECT count(*) FROM ${INSIGHTS_TABLE}`).pluck().get());
    const rows = db
      .prepare(
        `SELECT id, insight, created_at AS createdAt FROM (SELECT * FROM ${INSIGHTS_TABLE} ORDER BY id DESC LIMIT ?) ORDER BY id`,
      )
      .all(limit) as Insight[];
    return { insights: rows, total };
  }
}

function firstLine(sql: string | null): string {
  if (!sql) return '';
  const line = sql.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function rowid(value: unknown): number | string {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return Number(value);
}

/** Dispatches one operation by name: the engine process and in-process callers share this table. */
export function runOperation(engine: SqliteEngine, op: keyof EngineOperations, args: unknown): unknown {
  switch (op) {
    case 'query':
      return engine.query(args as EngineOperations['query']['args']);
    case 'write':
      return engine.write(args as EngineOperations['write']['args']);
    case 'createTable':
      return engine.createTable(args as EngineOperations['createTable']['args']);
    case 'listTables':
      return engine.listTables();
    case 'describeTable':
      return engine.describeTable(args as EngineOperations['describeTable']['args']);
    case 'searchSchema':
      return engine.searchSchema(args as EngineOperations['searchSchema']['args']);
    case 'explain':
      return engine.explain(args as EngineOperations['explain']['args']);
    case 'appendInsight':
      return engine.appendInsight(args as EngineOperations['appendInsight']['args']);
    case 'listInsights':
      return engine.listInsights(args as EngineOperations['listInsights']['args']);
  }
}
