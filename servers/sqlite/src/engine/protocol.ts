import type { Cell } from './render.js';

/** Values a caller may bind: positional (`?`, `?NNN`) or named (`:name`, `@name`, `$name`, given without the prefix). */
export type BindParams = Array<string | number | boolean | null> | Record<string, string | number | boolean | null>;

/** How the engine opens the database. */
export interface EngineOptions {
  /** Absolute path of the database file. */
  dbPath: string;
  /** Open read-only: no writer connection at all. */
  readOnly: boolean;
  busyTimeoutMs: number;
  /** The file is a scratch database of this session: tune it for speed over durability. */
  scratch: boolean;
}

/** A page of rows as the engine returns it. */
export interface QueryPage {
  columns: string[];
  /** Each column's declared type, null for an expression (read_query's view shows them). */
  types?: Array<string | null>;
  rows?: Cell[][];
  /** The readable table's header: the column names and the separator line. */
  header: string;
  /** One readable line per row. */
  lines: string[];
  rowCount: number;
  /** Offset of the first row of this page within the whole result. */
  offset: number;
  more: boolean;
  stoppedBy?: 'row cap' | 'reply budget';
  shortenedValues: boolean;
}

/** A write's outcome. */
export interface WriteOutcome {
  changes: number;
  /** The rowid of the last inserted row, as text when it passes 2^53. */
  lastInsertRowid: number | string;
  /** Rows of a RETURNING clause, when the statement has one. */
  returning?: QueryPage & { totalRows: number };
}

export interface TableSummary {
  name: string;
  type: 'table' | 'view' | 'virtual' | 'shadow';
  /** From sqlite_stat1 when ANALYZE ran, else the largest rowid; null when neither is known. */
  approxRows: number | null;
}

export interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  defaultValue: string | null;
  /** Position in the primary key (1-based), 0 when not part of it. */
  primaryKey: number;
  /** Generated or hidden column. */
  hidden: boolean;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  origin: string;
  partial: boolean;
  columns: string[];
}

export interface ForeignKeyInfo {
  from: string[];
  table: string;
  to: Array<string | null>;
  onUpdate: string;
  onDelete: string;
}

export interface TableDescription extends TableSummary {
  sql: string | null;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
}

export interface SchemaMatch {
  table: string;
  kind: 'table' | 'view' | 'column' | 'index' | 'trigger' | 'definition';
  name: string;
  detail: string;
}

export interface PlanStep {
  id: number;
  parent: number;
  detail: string;
}

export interface Insight {
  id: number;
  insight: string;
  createdAt: string;
}

/** Every operation of the engine, with its arguments and result. */
export interface EngineOperations {
  query: {
    args: { sql: string; params?: BindParams; offset: number; maxRows: number; maxBytes: number; allCells?: boolean };
    result: QueryPage;
  };
  write: { args: { sql: string; params?: BindParams; maxRows: number; maxBytes: number }; result: WriteOutcome };
  createTable: { args: { sql: string }; result: { created: string[] } };
  listTables: { args: Record<string, never>; result: TableSummary[] };
  describeTable: { args: { name: string }; result: TableDescription };
  searchSchema: { args: { pattern: string; limit: number }; result: { matches: SchemaMatch[]; total: number } };
  explain: { args: { sql: string; params?: BindParams }; result: PlanStep[] };
  appendInsight: { args: { insight: string }; result: { id: number; total: number } };
  listInsights: { args: { limit: number }; result: { insights: Insight[]; total: number } };
}

export type OperationName = keyof EngineOperations;

/** The kinds of expected failure the engine reports; the parent maps each to the kernel's typed error. */
export type EngineErrorKind = 'invalid' | 'refused' | 'not-found' | 'exists' | 'sqlite' | 'busy';

/** An expected failure with one actionable sentence. */
export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  constructor(kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineError';
    this.kind = kind;
  }
}

/**
 * The file descriptor of the pipe between the server and the engine process (the engine's stdio slot 3): one
 * JSON document per line each way, requests in and answers out.
 */
export const ENGINE_CHANNEL_FD = 3;

/** A request from the server to the engine process. */
export interface EngineRequest {
  id: number;
  op: OperationName | 'open' | 'close';
  args: unknown;
}

/** The engine's answer to one request. */
export type EngineResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { kind: EngineErrorKind | 'internal'; message: string } };
