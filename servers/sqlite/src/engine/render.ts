/** A JSON-safe cell: what structuredContent carries for one SQLite value. */
export type Cell = string | number | null;

/** Values longer than this many characters are shortened in both text and structure, with a marker. */
export const MAX_CELL_CHARS = 2_000;
/** A page's rows go into structuredContent only while their JSON stays this small (structure stays small). */
export const STRUCTURED_ROWS_LIMIT = 8_000;
const BLOB_PREVIEW_BYTES = 64;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** Converts a value from better-sqlite3 (safe integers on) to a JSON-safe cell; `long` is set when it was cut. */
export function toCell(value: unknown): { cell: Cell; shortened: boolean } {
  if (value === null || value === undefined) return { cell: null, shortened: false };
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    // Integers past 2^53 would silently change as JSON numbers: keep their exact digits as text.
    return { cell: Number.isSafeInteger(asNumber) ? asNumber : value.toString(), shortened: false };
  }
  if (typeof value === 'number') return { cell: Number.isFinite(value) ? value : String(value), shortened: false };
  if (typeof value === 'string') {
    if (value.length <= MAX_CELL_CHARS) return { cell: value, shortened: false };
    return { cell: `${value.slice(0, MAX_CELL_CHARS)}…[+${value.length - MAX_CELL_CHARS} chars]`, shortened: true };
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const bytes = Buffer.from(value);
    const hex = bytes.subarray(0, BLOB_PREVIEW_BYTES).toString('hex').toUpperCase();
    const more = bytes.length > BLOB_PREVIEW_BYTES;
    return { cell: `x'${hex}'${more ? `…[blob, ${bytes.length} bytes]` : ''}`, shortened: more };
  }
  // What is left is a bigint (or a value SQLite cannot store): its own string form is the cell.
  return { cell: typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? 'null'), shortened: false };
}

const ESCAPED = /[\\|\r\n]/;
const ESCAPED_ALL = /[\\|\r\n]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '|': '\\|', '\r': '\\r', '\n': '\\n' };

function textOf(cell: Cell): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'number') return String(cell);
  // One row per line and `|` between cells: escape what would break that layout (most text has nothing to escape).
  return ESCAPED.test(cell) ? cell.replace(ESCAPED_ALL, (character) => ESCAPES[character]!) : cell;
}

/** One page of a result, read up to a byte size: the tool lays it into its reply, which may cut it sooner. */
export interface Page {
  columns: string[];
  /** The page's rows as arrays, present only while small (see STRUCTURED_ROWS_LIMIT). */
  rows?: Cell[][];
  /** The readable table's header: the column names and the separator line. */
  header: string;
  /** One readable line per row (cells between `|`). */
  lines: string[];
  rowCount: number;
  /** Why the page stopped before the end of the result, if it did. */
  stoppedBy?: 'row cap' | 'reply budget';
  /** Some values were shortened (long text, large blobs). */
  shortenedValues: boolean;
}

/**
 * Reads rows (arrays) into a page: stops at `maxRows` rows or once the lines read pass `maxBytes` (the reply
 * budget: no more could be sent). A single row larger than that is cut to it, so that it can be shown at all.
 */
export function buildPage(
  columns: string[],
  rows: Iterator<unknown[]>,
  limits: { maxRows: number; maxBytes: number; allCells?: boolean },
): Page & { more: boolean } {
  const header = `${columns.map(textOf).join(' | ')}\n${columns.map(() => '---').join(' | ')}`;
  const lines: string[] = [];
  let bytes = 0;
  let structured: Cell[][] | undefined = [];
  let structuredBytes = 2;
  let shortenedValues = false;
  let stoppedBy: Page['stoppedBy'];
  for (;;) {
    if (lines.length >= limits.maxRows) {
      stoppedBy = 'row cap';
      break;
    }
    if (bytes >= limits.maxBytes) {
      stoppedBy = 'reply budget';
      break;
    }
    const next = rows.next();
    if (next.done) return finish(false);
    const values = next.value;
    const cells: Cell[] = new Array<Cell>(values.length);
    let line = '';
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      let cell: Cell;
      // The common cases first (safe integers arrive as bigint); toCell handles the rest.
      if (typeof value === 'bigint' && value <= MAX_SAFE && value >= MIN_SAFE) cell = Number(value);
      else if (typeof value === 'string' && value.length <= MAX_CELL_CHARS) cell = value;
      else {
        const converted = toCell(value);
        if (converted.shortened) shortenedValues = true;
        cell = converted.cell;
      }
      cells[index] = cell;
      line += index === 0 ? textOf(cell) : ` | ${textOf(cell)}`;
    }
    let lineBytes = Buffer.byteLength(line) + 1;
    if (lines.length === 0 && lineBytes > limits.maxBytes) {
      // A single row larger than the whole budget is shown cut rather than not at all.
      const cut = Buffer.from(line)
        .subarray(0, limits.maxBytes)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      line = `${cut}…[row cut to the reply budget]`;
      lineBytes = Buffer.byteLength(line) + 1;
      shortenedValues = true;
      structured = undefined;
    }
    lines.push(line);
    bytes += lineBytes;
    if (structured) {
      structuredBytes += JSON.stringify(cells).length + 1;
      // Structure stays small beside the text: at most a quarter of a small reply budget.
      // (A view's page asks for every cell: its rows are the structure, within the byte limit of the page.)
      if (!limits.allCells && structuredBytes > Math.min(STRUCTURED_ROWS_LIMIT, limits.maxBytes / 4))
        structured = undefined;
      else structured.push(cells);
    }
  }
  // Stopped early: look one row ahead so "more" is exact rather than a guess.
  return finish(!rows.next().done);

  function finish(more: boolean): Page & { more: boolean } {
    return {
      columns,
      ...(structured ? { rows: structured } : {}),
      header,
      lines,
      rowCount: lines.length,
      ...(more ? { stoppedBy: stoppedBy ?? 'reply budget' } : {}),
      shortenedValues,
      more,
    };
  }
}
