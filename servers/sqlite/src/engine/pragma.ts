/**
 * Pragmas on the read connection. SQLite applies most pragma settings while it compiles the statement
 * (locking_mode, busy_timeout, cache_size, every flag pragma, …), and sqlite3_stmt_readonly calls many of
 * them read-only, so neither the compiled program nor the readonly bit can stop them: the text is read first.
 */

// With an argument these only choose what to inspect (a table, an index, a row limit for a check).
const INSPECTING = new Set([
  'foreign_key_check',
  'foreign_key_list',
  'index_info',
  'index_list',
  'index_xinfo',
  'integrity_check',
  'quick_check',
  'table_info',
  'table_list',
  'table_xinfo',
]);

// These act without an argument; the sentence says what they would do.
const ACTING: ReadonlyMap<string, string> = new Map([
  ['optimize', 'it runs ANALYZE'],
  ['wal_checkpoint', 'it copies the write-ahead log into the database file and can block other writers'],
  ['incremental_vacuum', 'it frees database pages'],
  ['shrink_memory', 'it changes the connection'],
]);

// `pragma_optimize(…)` as a table-valued function runs the pragma too; the other pragma functions only
// exist for pragmas that return rows, and take an argument only where it names what to inspect.
const ACTING_FUNCTIONS: ReadonlyMap<string, string> = new Map([['pragma_optimize', 'optimize']]);

type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'punct'; readonly text: string };

/** Refuses, before compiling, a pragma statement the read connection must not run; returns the sentence. */
export function pragmaRefusalOnRead(sql: string): string | undefined {
  const tokens = tokenize(sql);
  const functionName = tokens.find((token) => token.kind === 'word' && ACTING_FUNCTIONS.has(token.text));
  if (functionName !== undefined) return actingRefusal(ACTING_FUNCTIONS.get(functionName.text)!);
  let index = 0;
  const word = (at: number): string | undefined => (tokens[at]?.kind === 'word' ? tokens[at].text : undefined);
  // EXPLAIN compiles the statement it explains, and compiling is when the setting is applied.
  if (word(index) === 'explain') {
    index += 1;
    if (word(index) === 'query' && word(index + 1) === 'plan') index += 2;
  }
  if (word(index) !== 'pragma') return undefined;
  index += 1;
  if (tokens[index + 1]?.text === '.') index += 2;
  const name = word(index);
  if (name === undefined) return undefined;
  const acting = ACTING.get(name);
  if (acting !== undefined) return actingRefusal(name, acting);
  const next = tokens[index + 1]?.text;
  if ((next === '=' || next === '(') && !INSPECTING.has(name)) {
    return `PRAGMA ${name} with a value is refused on reads: it would change a setting of the read connection that outlasts this call (and can lock other programs out of the database); query it without a value.`;
  }
  return undefined;
}

function actingRefusal(name: string, what = ACTING.get(name) ?? 'it changes the connection'): string {
  return `PRAGMA ${name} is refused on reads: ${what}, and a read never changes the database or its connection.`;
}

// SQLite's own token rules, as far as a pragma statement needs them: white space and both comment styles are
// skipped, and a name may be bare or quoted in any of SQLite's four ways (pragma names are dequoted).
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < sql.length) {
    const char = sql[at]!;
    if (/\s/.test(char)) {
      at += 1;
    } else if (sql.startsWith('--', at)) {
      const end = sql.indexOf('\n', at);
      at = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', at)) {
      const end = sql.indexOf('*/', at + 2);
      at = end === -1 ? sql.length : end + 2;
    } else if (char === '"' || char === "'" || char === '`' || char === '[') {
      const close = char === '[' ? ']' : char;
      let text = '';
      let cursor = at + 1;
      while (cursor < sql.length) {
        if (sql[cursor] === close) {
          if (close !== ']' && sql[cursor + 1] === close) {
            text += close;
            cursor += 2;
            continue;
          }
          break;
        }
        text += sql[cursor];
        cursor += 1;
      }
      tokens.push({ kind: 'word', text: text.toLowerCase() });
      at = cursor + 1;
    } else if (/[\p{L}\p{N}_$\u0080-\uffff]/u.test(char)) {
      let cursor = at;
      while (cursor < sql.length && /[\p{L}\p{N}_$\u0080-\uffff]/u.test(sql[cursor]!)) cursor += 1;
      tokens.push({ kind: 'word', text: sql.slice(at, cursor).toLowerCase() });
      at = cursor;
    } else {
      tokens.push({ kind: 'punct', text: char });
      at += 1;
    }
  }
  return tokens;
}
