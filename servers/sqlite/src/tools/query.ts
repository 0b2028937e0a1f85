import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { decodeCursor, encodeCursor, toolResult, truncationNotice } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';
import type { QueryPage } from '../engine/protocol.js';
import { MAX_CELL_CHARS, STRUCTURED_ROWS_LIMIT } from '../engine/render.js';
import { fingerprint, paramsSchema } from './params.js';

/** Rows per page unless the caller asks for fewer or more. */
export const DEFAULT_MAX_ROWS = 1_000;
export const MAX_MAX_ROWS = 10_000;

const cellSchema = z.union([z.string(), z.number(), z.null()]);
// One formatter for every call: toLocaleString builds a new ICU formatter each time (~30 µs, measured).
const countFormat = new Intl.NumberFormat('en-US');
const count = (value: number) => countFormat.format(value);

const readQueryOutput = z.object({
  columns: z.array(z.string()).describe('Column names, in order.'),
  rows: z
    .array(z.array(cellSchema))
    .optional()
    .describe(`The page's rows as arrays (same order as columns); present while the page is small (≤ ${STRUCTURED_ROWS_LIMIT / 1000} KB), else read the table in the text.`),
  rowCount: z.number().describe('Rows on this page.'),
  offset: z.number().describe('Position of the first row of this page in the whole result.'),
  truncated: z.boolean().describe('More rows follow; pass nextCursor to get them.'),
  nextCursor: z.string().optional().describe('Pass as cursor (with the same query and params) to get the next page.'),
});

function pageNotes(page: QueryPage): string[] {
  const notes: string[] = [];
  if (page.shortenedValues) {
    notes.push(`[Some values were shortened (marked …): text over ${count(MAX_CELL_CHARS)} characters and blobs over 64 bytes; select substr(column, start, length) or hex(substr(column, start, length)) to read them in pieces.]`);
  }
  return notes;
}

/** read_query, write_query, create_table and explain_query. */
export function queryTools(engine: EngineRunner) {
  const readQuery = defineTool({
    name: 'read_query',
    title: 'Read query',
    description:
      'Run one SQL statement that SQLite compiles as read-only and that returns rows (SELECT, WITH, EXPLAIN, read-only PRAGMA). Results come a page at a time as a table; pass nextCursor to continue.',
    inputSchema: z.object({
      query: z.string().min(1).describe('One SQL statement, e.g. SELECT * FROM users WHERE id = ?.'),
      params: paramsSchema,
      cursor: z.string().optional().describe('nextCursor from the previous page of this same query and params.'),
      max_rows: z.number().int().min(1).max(MAX_MAX_ROWS).optional().describe(`Rows per page (default ${DEFAULT_MAX_ROWS}); the reply budget may cut a page sooner.`),
    }),
    outputSchema: readQueryOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async ({ query, params, cursor, max_rows }, { budget, signal }) => {
      // The fingerprint ties a cursor to its query and params; only a call that reads or makes a cursor needs it.
      const key = () => fingerprint(`${query}\u0000${JSON.stringify(params ?? null)}`);
      let offset = 0;
      if (cursor !== undefined) {
        const state = decodeCursor<{ o?: unknown; q?: unknown }>('read_query', cursor);
        if (state.q !== key() || typeof state.o !== 'number' || !Number.isSafeInteger(state.o) || state.o < 0) {
          throw new InvalidArgumentError('This cursor belongs to a different query; pass the same query and params as the call that returned it, or omit the cursor.');
        }
        offset = state.o;
      }
      const page = await engine.run('query', { sql: query, params, offset, maxRows: max_rows ?? DEFAULT_MAX_ROWS, maxBytes: budget.remaining }, signal);
      const first = page.offset + 1;
      const last = page.offset + page.rowCount;
      const nextCursor = page.more ? encodeCursor('read_query', { q: key(), o: last }) : undefined;
      const summary = page.more
        ? truncationNotice({
            shown: page.rowCount === 0 ? 'no rows' : `rows ${count(first)}–${count(last)}`,
            reason: page.stoppedBy === 'row cap' ? `the page size of ${count(max_rows ?? DEFAULT_MAX_ROWS)} rows` : 'the reply budget',
            next: `call read_query again with the same query and params and cursor "${nextCursor}"`,
          })
        : page.offset === 0
          ? `(${count(page.rowCount)} ${page.rowCount === 1 ? 'row' : 'rows'})`
          : `(rows ${count(first)}–${count(last)}: the end of the result)`;
      const text = [page.table.trimEnd(), summary, ...pageNotes(page)].join('\n');
      budget.spend(Buffer.byteLength(text));
      return toolResult(text, {
        columns: page.columns,
        ...(page.rows ? { rows: page.rows } : {}),
        rowCount: page.rowCount,
        offset: page.offset,
        truncated: page.more,
        ...(nextCursor ? { nextCursor } : {}),
      });
    },
  });

  const writeQuery = defineTool({
    name: 'write_query',
    title: 'Write query',
    description:
      'Run one SQL statement that changes the database (INSERT, UPDATE, DELETE, CREATE/DROP/ALTER, a setting PRAGMA). ATTACH, VACUUM INTO, load_extension and transaction control are refused.',
    inputSchema: z.object({
      query: z.string().min(1).describe('One SQL statement, e.g. UPDATE users SET name = :name WHERE id = :id.'),
      params: paramsSchema,
    }),
    outputSchema: z.object({
      affectedRows: z.number().describe('Rows inserted, updated or deleted.'),
      lastInsertRowid: z.union([z.number(), z.string()]).describe('Rowid of the most recent insert on this connection (text past 2^53).'),
      returning: z
        .object({
          columns: z.array(z.string()),
          rows: z.array(z.array(cellSchema)).optional(),
          rowCount: z.number().describe('RETURNING rows shown.'),
          totalRows: z.number().describe('RETURNING rows produced.'),
        })
        .optional()
        .describe('Rows of a RETURNING clause.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    handler: async ({ query, params }, { budget, signal }) => {
      const outcome = await engine.run('write', { sql: query, params, maxRows: DEFAULT_MAX_ROWS, maxBytes: budget.remaining }, signal);
      const lines = [`${count(outcome.changes)} ${outcome.changes === 1 ? 'row' : 'rows'} affected; last insert rowid ${outcome.lastInsertRowid}.`];
      const returning = outcome.returning;
      if (returning) {
        lines.push(returning.table.trimEnd());
        if (returning.totalRows > returning.rowCount) {
          lines.push(
            truncationNotice({
              shown: `${count(returning.rowCount)} of ${count(returning.totalRows)} RETURNING rows`,
              reason: returning.stoppedBy === 'row cap' ? 'the row cap' : 'the reply budget',
              next: 'read the changed rows with read_query (the change itself is complete)',
            }),
          );
        }
        lines.push(...pageNotes(returning));
      }
      return toolResult(lines.join('\n'), {
        affectedRows: outcome.changes,
        lastInsertRowid: outcome.lastInsertRowid,
        ...(returning
          ? { returning: { columns: returning.columns, ...(returning.rows ? { rows: returning.rows } : {}), rowCount: returning.rowCount, totalRows: returning.totalRows } }
          : {}),
      });
    },
  });

  const createTable = defineTool({
    name: 'create_table',
    title: 'Create table',
    description: 'Run one CREATE TABLE statement. Anything whose effect is not the creation of tables is rolled back and refused.',
    inputSchema: z.object({ query: z.string().min(1).describe('A CREATE TABLE statement.') }),
    outputSchema: z.object({ created: z.array(z.string()).describe('Tables created (empty when IF NOT EXISTS found one already).') }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async ({ query }, { signal }) => {
      const { created } = await engine.run('createTable', { sql: query }, signal);
      const text =
        created.length === 0
          ? 'Nothing was created and nothing changed: a table of that name already exists (IF NOT EXISTS), or the statement creates no table.'
          : `Created table ${created.map((name) => `"${name}"`).join(', ')}.`;
      return toolResult(text, { created });
    },
  });

  const explainQuery = defineTool({
    name: 'explain_query',
    title: 'Explain query',
    description: "Show SQLite's query plan (EXPLAIN QUERY PLAN) for one statement without running it: which indexes it uses, where it scans.",
    inputSchema: z.object({
      query: z.string().min(1).describe('The statement to explain, without EXPLAIN.'),
      params: paramsSchema.describe('Values for the statement\'s placeholders, as for read_query (any values do: the plan is compiled, not run).'),
    }),
    outputSchema: z.object({
      steps: z.array(z.object({ id: z.number(), parent: z.number(), detail: z.string() })).describe('Plan steps; parent 0 is the top.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async ({ query, params }, { budget, signal }) => {
      const steps = await engine.run('explain', { sql: query, params }, signal);
      const cut = budget.take(renderPlan(steps));
      const text = cut.truncated
        ? `${cut.text}\n${truncationNotice({ shown: 'part of the plan', reason: 'the reply budget', next: 'explain a smaller part of the statement' })}`
        : cut.text;
      return toolResult(text, { steps });
    },
  });

  return [readQuery, writeQuery, createTable, explainQuery];
}

/** Draws a plan as the sqlite3 shell does: a tree of steps under QUERY PLAN. */
export function renderPlan(steps: Array<{ id: number; parent: number; detail: string }>): string {
  const children = new Map<number, typeof steps>();
  for (const step of steps) children.set(step.parent, [...(children.get(step.parent) ?? []), step]);
  const lines = ['QUERY PLAN'];
  const walk = (parent: number, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((step, index) => {
      const lastChild = index === list.length - 1;
      lines.push(`${prefix}${lastChild ? '`--' : '|--'}${step.detail}`);
      if (step.id !== parent) walk(step.id, `${prefix}${lastChild ? '   ' : '|  '}`);
    });
  };
  walk(0, '');
  return lines.join('\n');
}
