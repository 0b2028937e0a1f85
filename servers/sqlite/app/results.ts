// The results view of read_query and describe_table, rendered by MCP Apps hosts in a sandboxed iframe. It
// pages through the whole result with read_query_page (an app-only tool) from the cursor read_query named,
// keeps every page it has read (going back never asks again), and draws a chart when one column labels rows
// and the others are numbers.
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables } from '@modelcontextprotocol/ext-apps';
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';

type Cell = string | number | null;
interface Page {
  offset: number;
  rows: Cell[][];
  /** read_query's cursor for the page after this one. */
  next?: string;
}
type Mode = 'table' | 'bar' | 'line';

const FOLD_CHARS = 120;
const CHART_POINTS = 60;
const PAGE_TOOL = 'read_query_page';

const state = {
  query: undefined as string | undefined,
  params: undefined as unknown,
  maxRows: undefined as number | undefined,
  title: 'Query results',
  columns: [] as string[],
  types: [] as Array<string | null>,
  pages: new Map<number, Page>(),
  current: 0,
  sort: undefined as { column: number; descending: boolean } | undefined,
  mode: 'table' as Mode,
  busy: false,
  error: undefined as string | undefined,
};

const root = document.getElementById('app')!;
const app = new App({ name: 'portico-sqlite-results', version: '1.0.0' });

app.ontoolinput = ({ arguments: args }) => {
  const input = args ?? {};
  if (typeof input.table_name === 'string') {
    // describe_table: the table's columns, as a result of the same kind (types, NULL defaults) as any query.
    state.title = `Columns of ${input.table_name}`;
    state.query =
      'SELECT cid, name, type, "notnull" AS not_null, dflt_value AS default_value, pk AS primary_key FROM pragma_table_xinfo(?) ORDER BY cid';
    state.params = [input.table_name];
  } else if (typeof input.query === 'string') {
    state.query = input.query;
    state.params = input.params;
    state.maxRows = typeof input.max_rows === 'number' ? input.max_rows : undefined;
  }
  pendingCursor = typeof input.cursor === 'string' ? input.cursor : undefined;
};
let pendingCursor: string | undefined;

app.ontoolresult = (result) => {
  const structured = (result.structuredContent ?? {}) as Record<string, unknown>;
  if (result.isError) return fail(textOf(result.content) ?? 'The query failed.');
  if (state.query === undefined) return fail('This view needs the call’s arguments, which the host did not send.');
  const rows = structured.rows;
  if (Array.isArray(rows) && Array.isArray(structured.columns) && typeof structured.offset === 'number') {
    // read_query sent its cells (a small page): show them as they are, no second read.
    state.columns = structured.columns as string[];
    state.types = state.columns.map(() => null);
    const next = (structured.next as { cursor?: string } | undefined)?.cursor;
    keep({ offset: structured.offset, rows: rows as Cell[][], ...(next ? { next } : {}) });
    show(structured.offset);
    return;
  }
  void load(pendingCursor, 0);
};

app.onhostcontextchanged = (context) => theme(context);

function theme(context: McpUiHostContext | undefined): void {
  if (context?.theme) applyDocumentTheme(context.theme);
  if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context?.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

function textOf(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const block = content.find(
    (item) => item && typeof item === 'object' && (item as { type?: string }).type === 'text',
  ) as { text?: string } | undefined;
  return block?.text;
}

function keep(page: Page): void {
  state.pages.set(page.offset, page);
}

function fail(message: string): void {
  state.error = message;
  state.busy = false;
  render();
}

/** Reads the page at `offset` through the paging tool, unless it was read before. */
async function load(cursor: string | undefined, offset: number): Promise<void> {
  if (state.pages.has(offset)) return show(offset);
  state.busy = true;
  render();
  try {
    const result = await app.callServerTool({
      name: PAGE_TOOL,
      arguments: {
        query: state.query,
        ...(state.params !== undefined ? { params: state.params } : {}),
        ...(cursor ? { cursor } : {}),
        ...(state.maxRows ? { max_rows: state.maxRows } : {}),
      },
    });
    if (result.isError) return fail(textOf(result.content) ?? 'The page could not be read.');
    const page = result.structuredContent as {
      columns: string[];
      types: Array<string | null>;
      rows: Cell[][];
      offset: number;
      next?: { cursor?: string };
    };
    state.columns = page.columns;
    state.types = page.types;
    keep({ offset: page.offset, rows: page.rows, ...(page.next?.cursor ? { next: page.next.cursor } : {}) });
    state.busy = false;
    show(page.offset);
  } catch (error) {
    fail(`The page could not be read: ${(error as Error).message}`);
  }
}

function show(offset: number): void {
  state.current = offset;
  state.error = undefined;
  state.busy = false;
  render();
}

function previousOffset(): number | undefined {
  const before = [...state.pages.keys()].filter((offset) => offset < state.current);
  return before.length === 0 ? undefined : Math.max(...before);
}

// --- what the columns hold ---

function storageClass(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INTEGER' : 'REAL';
  return 'TEXT';
}

function columnType(column: number, rows: Cell[][]): string {
  const declared = state.types[column];
  if (declared) return declared;
  const seen = new Set(rows.map((row) => storageClass(row[column] ?? null)).filter((kind) => kind !== 'NULL'));
  return seen.size === 0 ? 'NULL' : [...seen].join('/');
}

function isNumeric(column: number, rows: Cell[][]): boolean {
  const values = rows.map((row) => row[column]).filter((value) => value !== null);
  return values.length > 0 && values.every((value) => typeof value === 'number');
}

/** The label column and the numeric columns, when the result has exactly that shape. */
function chartShape(rows: Cell[][]): { label: number; series: number[] } | undefined {
  if (rows.length < 2) return undefined;
  const numeric = state.columns.map((_name, column) => isNumeric(column, rows));
  const labels = numeric.flatMap((isNumber, column) => (isNumber ? [] : [column]));
  const series = numeric.flatMap((isNumber, column) => (isNumber ? [column] : []));
  if (labels.length !== 1 || series.length === 0) return undefined;
  return { label: labels[0]!, series: series.slice(0, 4) };
}

// --- rendering ---

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const numberFormat = new Intl.NumberFormat('en-US');
const count = (value: number) => numberFormat.format(value);

function render(): void {
  const page = state.pages.get(state.current);
  const children: Node[] = [];
  const toolbar = element('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Result pages' });
  const previous = previousOffset();
  const back = element('button', { type: 'button', 'data-action': 'previous' }, '← Previous page');
  back.disabled = previous === undefined || state.busy;
  back.addEventListener('click', () => previous !== undefined && show(previous));
  const forward = element('button', { type: 'button', 'data-action': 'next' }, 'Next page →');
  forward.disabled = !page?.next || state.busy;
  forward.addEventListener('click', () => {
    if (page?.next) void load(page.next, page.offset + page.rows.length);
  });
  const status = element('p', { class: 'status', role: 'status' });
  if (state.busy) status.textContent = 'Reading…';
  else if (page)
    status.textContent =
      page.rows.length === 0
        ? 'No rows.'
        : `Rows ${count(page.offset + 1)}–${count(page.offset + page.rows.length)}${page.next ? ', more to read' : ', the end of the result'}`;
  toolbar.append(back, forward);
  const shape = page ? chartShape(page.rows) : undefined;
  if (shape) {
    const modes = element('div', { class: 'modes', role: 'group', 'aria-label': 'Show as' });
    for (const mode of ['table', 'bar', 'line'] as const) {
      const button = element(
        'button',
        { type: 'button', 'data-mode': mode, 'aria-pressed': String(state.mode === mode) },
        mode === 'table' ? 'Table' : mode === 'bar' ? 'Bar chart' : 'Line chart',
      );
      button.addEventListener('click', () => {
        state.mode = mode;
        render();
        (root.querySelector(`[data-mode="${mode}"]`) as HTMLElement | null)?.focus();
      });
      modes.append(button);
    }
    toolbar.append(modes);
  }
  children.push(element('h1', {}, state.title), toolbar, status);
  if (state.error) children.push(element('p', { class: 'error', role: 'alert' }, state.error));
  if (page && shape && state.mode !== 'table') children.push(chart(page.rows, shape, state.mode));
  else if (page) children.push(table(page));
  root.replaceChildren(...children);
}

function sortedRows(page: Page): Array<{ row: Cell[]; position: number }> {
  const rows = page.rows.map((row, index) => ({ row, position: page.offset + index + 1 }));
  const sort = state.sort;
  if (!sort) return rows;
  const direction = sort.descending ? -1 : 1;
  // SQLite's order of storage classes: NULL, then numbers, then text.
  const rank = (value: Cell) => (value === null ? 0 : typeof value === 'number' ? 1 : 2);
  return rows.sort((a, b) => {
    const x = a.row[sort.column] ?? null;
    const y = b.row[sort.column] ?? null;
    if (rank(x) !== rank(y)) return (rank(x) - rank(y)) * direction;
    if (x === null || y === null) return 0;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * direction;
  });
}

function table(page: Page): HTMLElement {
  const head = element('tr', {}, element('th', { scope: 'col', class: 'position' }, '#'));
  state.columns.forEach((name, column) => {
    const sorted = state.sort?.column === column ? (state.sort.descending ? 'descending' : 'ascending') : 'none';
    const button = element(
      'button',
      { type: 'button', 'data-column': String(column) },
      name,
      element('span', { class: 'type' }, columnType(column, page.rows)),
    );
    button.addEventListener('click', () => {
      state.sort =
        state.sort?.column === column && !state.sort.descending
          ? { column, descending: true }
          : { column, descending: false };
      render();
      (root.querySelector(`[data-column="${column}"]`) as HTMLElement | null)?.focus();
    });
    head.append(
      element('th', { scope: 'col', 'aria-sort': sorted, class: isNumeric(column, page.rows) ? 'number' : '' }, button),
    );
  });
  const body = element('tbody');
  for (const { row, position } of sortedRows(page)) {
    const line = element('tr', {}, element('th', { scope: 'row', class: 'position' }, count(position)));
    row.forEach((value) =>
      line.append(element('td', typeof value === 'number' ? { class: 'number' } : {}, cell(value))),
    );
    body.append(line);
  }
  const caption = element(
    'caption',
    {},
    `${state.title}: rows ${count(page.offset + 1)} to ${count(page.offset + page.rows.length)}${state.sort ? ', this page sorted by a column' : ''}. Column headers sort the page.`,
  );
  return element('div', { class: 'scroll' }, element('table', {}, caption, element('thead', {}, head), body));
}

function cell(value: Cell): Node {
  if (value === null) return element('span', { class: 'null' }, 'NULL');
  if (value === '')
    return element(
      'span',
      { class: 'empty', title: 'empty string' },
      element('span', { class: 'visually-hidden' }, 'empty string'),
      '""',
    );
  const text = String(value);
  if (text.length <= FOLD_CHARS) return document.createTextNode(text);
  // Long values fold to their start; the whole value is one keypress away.
  return element(
    'details',
    {},
    element('summary', {}, `${text.slice(0, FOLD_CHARS)}…`),
    element('div', { class: 'full' }, text),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attributes: Record<string, string | number>, ...children: Array<Node | string>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function chart(rows: Cell[][], shape: { label: number; series: number[] }, mode: 'bar' | 'line'): HTMLElement {
  const points = rows.slice(0, CHART_POINTS);
  const width = 640;
  const height = 260;
  const pad = { left: 48, right: 12, top: 12, bottom: 48 };
  const values = points.flatMap((row) =>
    shape.series.map((column) => (typeof row[column] === 'number' ? (row[column] as number) : 0)),
  );
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const y = (value: number) => pad.top + ((max - value) / span) * (height - pad.top - pad.bottom);
  const slot = (width - pad.left - pad.right) / points.length;
  const names = shape.series.map((column) => state.columns[column]!).join(', ');
  const picture = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', class: `chart ${mode}` },
    svg(
      'title',
      {},
      `${mode === 'bar' ? 'Bar' : 'Line'} chart of ${names} by ${state.columns[shape.label]}, ${points.length} rows`,
    ),
    svg('line', { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis' }),
    svg('text', { x: pad.left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'tick' }, count(max)),
    svg('text', { x: pad.left - 6, y: y(min) + 4, 'text-anchor': 'end', class: 'tick' }, count(min)),
  );
  shape.series.forEach((column, index) => {
    const color = `series-${index}`;
    if (mode === 'bar') {
      const barWidth = (slot * 0.8) / shape.series.length;
      points.forEach((row, at) => {
        const value = typeof row[column] === 'number' ? (row[column] as number) : 0;
        const top = Math.min(y(value), y(0));
        picture.append(
          svg(
            'rect',
            {
              x: pad.left + at * slot + slot * 0.1 + index * barWidth,
              y: top,
              width: Math.max(1, barWidth),
              height: Math.abs(y(value) - y(0)),
              class: color,
            },
            svg('title', {}, `${String(row[shape.label])}: ${state.columns[column]} ${value}`),
          ),
        );
      });
    } else {
      const path = points
        .map(
          (row, at) =>
            `${pad.left + at * slot + slot / 2},${y(typeof row[column] === 'number' ? (row[column] as number) : 0)}`,
        )
        .join(' ');
      picture.append(svg('polyline', { points: path, class: `${color} stroke`, fill: 'none' }));
    }
  });
  points.forEach((row, at) => {
    if (points.length > 20 && at % Math.ceil(points.length / 20) !== 0) return;
    const x = pad.left + at * slot + slot / 2;
    picture.append(
      svg(
        'text',
        {
          x,
          y: height - pad.bottom + 14,
          'text-anchor': 'end',
          transform: `rotate(-35 ${x} ${height - pad.bottom + 14})`,
          class: 'tick',
        },
        String(row[shape.label] ?? 'NULL').slice(0, 16),
      ),
    );
  });
  const legend = element(
    'ul',
    { class: 'legend' },
    ...shape.series.map((column, index) =>
      element('li', {}, element('span', { class: `swatch series-${index}` }), state.columns[column]!),
    ),
  );
  return element(
    'figure',
    {},
    picture,
    legend,
    element(
      'figcaption',
      {},
      rows.length > CHART_POINTS
        ? `The first ${CHART_POINTS} rows of this page.`
        : `All ${rows.length} rows of this page.`,
    ),
  );
}

render();
void app.connect().then(() => theme(app.getHostContext()));
