/** A JSON-safe cell: what structuredContent carries for one SQLite value. */
export type Cell = string | number | null;

/** Values longer than this many characters are shortened in both text and structure, with a marker. */
export const MAX_CELL_CHARS = 2_000;
/** A page's rows go into structuredContent only while their JSON stays this small (structure stays small). */
export const STRUCTURED_ROWS_LIMIT = 16_000;
/** Bytes kept free in the budget for the summary line and the truncation notice. */
const NOTICE_RESERVE = 600;
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
  return { cell: String(value), shortened: false };
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

/** One page of a result, rendered within a byte budget. */
export interface Page {
  columns: string[];
  /** The page's rows as arrays, present only while small (see STRUCTURED_ROWS_LIMIT). */
  rows?: Cell[][];
  /** The readable table: header, separator, one line per row. */
  table: string;
  rowCount: number;
  /** Why the page stopped before the end of the result, if it did. */
  stoppedBy?: 'row cap' | 'reply budget';
  /** Some values were shortened (long text, large blobs). */
  shortenedValues: boolean;
}

/** Builds a page from raw rows (arrays) while iterating: stops at `maxRows` rows or `maxBytes` of table text. */
export function buildPage(
  columns: string[],
  rows: Iterator<unknown[]>,
  limits: { maxRows: number; maxBytes: number },
): Page & { more: boolean } {
  const header = `${columns.map(textOf).join(' | ')}\n${columns.map(() => '---').join(' | ')}\n`;
  const parts: string[] = [header];
  let bytes = Buffer.byteLength(header);
  const available = Math.max(0, limits.maxBytes - NOTICE_RESERVE);
  let structured: Cell[][] | undefined = [];
  let structuredBytes = 2;
  let rowCount = 0;
  let shortenedValues = false;
  let stoppedBy: Page['stoppedBy'];
  for (;;) {
    if (rowCount >= limits.maxRows) {
      stoppedBy = 'row cap';
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
    line += '\n';
    let lineBytes = Buffer.byteLength(line);
    if (bytes + lineBytes > available) {
      if (rowCount > 0) {
        stoppedBy = 'reply budget';
        // This row was read but not shown: the cursor's offset counts rows shown, so it comes again.
        return finish(true);
      }
      // A single row larger than the whole budget is shown cut rather than not at all.
      const cut = Buffer.from(line).subarray(0, Math.max(0, available - bytes)).toString('utf8').replace(/\uFFFD$/, '');
      line = `${cut}…[row cut to the reply budget]\n`;
      lineBytes = Buffer.byteLength(line);
      shortenedValues = true;
      structured = undefined;
    }
    parts.push(line);
    bytes += lineBytes;
    rowCount++;
    if (structured) {
      structuredBytes += JSON.stringify(cells).length + 1;
      if (structuredBytes > STRUCTURED_ROWS_LIMIT) structured = undefined;
      else structured.push(cells);
    }
  }
  // Stopped by the row cap: look one row ahead so "more" is exact rather than a guess.
  return finish(!rows.next().done);

  function finish(more: boolean): Page & { more: boolean } {
    return {
      columns,
      ...(structured ? { rows: structured } : {}),
      table: parts.join(''),
      rowCount,
      ...(more ? { stoppedBy: stoppedBy ?? 'reply budget' } : {}),
      shortenedValues,
      more,
    };
  }
}
