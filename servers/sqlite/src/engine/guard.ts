import type { Database, Statement } from 'better-sqlite3';

/** What SQLite's own compiler says about a statement: enough to decide which tool may run it. */
export interface StatementVerdict {
  /** sqlite3_stmt_readonly: the statement makes no direct change to the database file. */
  readonly: boolean;
  /** The statement returns rows (it has result columns). */
  reader: boolean;
  /** Set when the statement must never run on this server, with the sentence that says why. */
  refusal?: string;
  /** BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE: every tool call is its own transaction. */
  transactionControl: boolean;
  /** The statement is itself an EXPLAIN (it never executes what it explains). */
  explain: boolean;
}

const ATTACH_REFUSAL =
  'ATTACH and DETACH are refused: this server serves exactly one database file and never opens another.';
const VACUUM_INTO_REFUSAL =
  'VACUUM INTO is refused: this server never writes a file other than its database (plain VACUUM is allowed in write_query).';
const EXTENSION_REFUSAL = 'load_extension() is refused: this server never loads native code into SQLite.';

/**
 * Classifies a prepared statement by the bytecode SQLite compiled for it (`EXPLAIN <statement>`), never by its
 * text. better-sqlite3 has no authorizer and no sqlite3_limit, and SQLite reports ATTACH as read-only, so the
 * program is the one place where an ATTACH (a call of `sqlite_attach`), a VACUUM INTO (OP_Vacuum with an INTO
 * register) or a load_extension() call shows up whatever the spelling, comments or quoting of the text.
 * Subprograms (trigger bodies) are part of the EXPLAIN listing too.
 */
export function classifyStatement(db: Database, statement: Statement, sql: string, bind: unknown[]): StatementVerdict {
  const verdict: StatementVerdict = {
    readonly: statement.readonly,
    reader: statement.reader,
    transactionControl: false,
    explain: false,
  };
  let listing: Statement;
  try {
    // The text was already compiled as exactly one statement, so prefixing EXPLAIN compiles that same
    // statement; it only fails when the statement is itself an EXPLAIN, which never executes anything.
    listing = db.prepare(`EXPLAIN ${sql}`);
  } catch {
    verdict.explain = true;
    return verdict;
  }
  // EXPLAIN has the statement's own parameters, so it takes the caller's values (a binding mistake shows
  // up here exactly as it would when running the statement).
  const program = listing.raw(true).all(...bind) as unknown[][];
  for (const instruction of program) {
    const opcode = instruction[1];
    const p2 = instruction[3];
    const p4 = instruction[5];
    if ((opcode === 'Function' || opcode === 'PureFunc') && typeof p4 === 'string') {
      if (p4.startsWith('sqlite_attach(') || p4.startsWith('sqlite_detach(')) verdict.refusal = ATTACH_REFUSAL;
      else if (p4.startsWith('load_extension(')) verdict.refusal ??= EXTENSION_REFUSAL;
    } else if (opcode === 'Vacuum' && typeof p2 === 'number' && p2 !== 0) {
      verdict.refusal = VACUUM_INTO_REFUSAL;
    } else if (opcode === 'AutoCommit' || opcode === 'Savepoint') {
      verdict.transactionControl = true;
    }
  }
  return verdict;
}

// These deprecated pragmas act while the statement is being compiled (before any check of the compiled
// program can run) and point SQLite's process-wide temporary or data directory at any path. They are the one
// thing refused by name: the text is searched before it is ever compiled, and a false positive (the word in a
// string) is a clear refusal, never a surprise.
const DIRECTORY_PRAGMA = /\b(temp_store_directory|data_store_directory)\b/i;

/** Refuses, before compiling, text that names a pragma which would redirect SQLite's files; returns the sentence. */
export function refusalBeforeCompile(sql: string): string | undefined {
  const match = DIRECTORY_PRAGMA.exec(sql);
  return match
    ? `PRAGMA ${match[1]!.toLowerCase()} is refused: it points SQLite's files at another directory, and this server never writes outside its database.`
    : undefined;
}
