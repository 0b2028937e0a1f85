import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { decodeCursor, encodeCursor, TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { DESTRUCTIVE, READ_ONLY, WRITE, defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';
import type { PlanStep } from '../engine/protocol.js';
import { fingerprint, paramsSchema, querySchema } from './params.js';
import { count, layRows, shortenedNote } from './rows.js';

/** Rows per page unless the caller asks for fewer or more. */
export const DEFAULT_MAX_ROWS = 1_000;
export const MAX_MAX_ROWS = 10_000;

const cellSchema = z.union([z.string(), z.number(), z.null()]);

/** The results view of read_query and describe_table (servers/sqlite/app/results.ts). */
export const RESULTS_VIEW_URI = 'ui://sqlite/results.html';

/**
 * Where a read_query call starts, from its cursor, and how to name a later position. The fingerprint ties a
 * cursor to its query and params, so the view's paging tool and read_query accept each other's cursors.
 */
export function readQueryCursor(
  query: string,
  params: unknown,
  cursor: string | undefined,
): { offset: number; cursorAt(end: number): string } {
  const key = () => fingerprint(`${query}\u0000${JSON.stringify(params ?? null)}`);
  let offset = 0;
  if (cursor !== undefined) {
    const state = decodeCursor<{ o?: unknown; q?: unknown }>('read_query', cursor);
    if (state.q !== key() || typeof state.o !== 'number' || !Number.isSafeInteger(state.o) || state.o < 0) {
      throw new InvalidArgumentError(
        'This cursor belongs to a different query; pass the same query and params as the call that returned it, or omit the cursor.',
      );
    }
    offset = state.o;
  }
  return { offset, cursorAt: (end) => encodeCursor('read_query', { q: key(), o: end }) };
}

/** read_query, write_query, create_table and explain_query. */
export function queryTools(engine: EngineRunner) {
  const readQuery = defineTool({
    name: 'read_query',
    title: 'Read query',
    description:
      'Run one SQL statement that SQLite compiles as read-only and that returns rows (SELECT, WITH, read-only PRAGMA); rows come as a table, a page at a time.',
    inputSchema: z.object({
      query: querySchema,
      params: paramsSchema,
      cursor: z.string().optional(),
      max_rows: z.number().int().min(1).max(MAX_MAX_ROWS).optional(),
    }),
    outputSchema: z.object({
      columns: z.array(z.string()),
      rows: z.array(z.array(cellSchema)).optional().describe("The page's rows as arrays, while the page is small."),
      rowCount: z.number(),
      offset: z.number().describe("Position of the page's first row in the whole result."),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    ui: { resourceUri: RESULTS_VIEW_URI },
    handler: async ({ query, params, cursor, max_rows }, context) => {
      const continuation = readQueryCursor(query, params, cursor);
      const offset = continuation.offset;
      const maxRows = max_rows ?? DEFAULT_MAX_ROWS;
      const page = await engine.run(
        'query',
        { sql: query, params, offset, maxRows, maxBytes: context.maxOutputBytes },
        context.signal,
      );
      const reply = context.reply();
      reply.header(page.header);
      reply.set({ columns: page.columns });
      const laid = layRows(reply, page, {
        offset,
        next: (end) => ({ cursor: continuation.cursorAt(end) }),
        capReason: `the page size of ${count(maxRows)} rows`,
        structured: true,
      });
      if (!laid.truncated) {
        const shown = laid.items.length;
        reply.always(
          offset === 0
            ? `(${count(shown)} ${shown === 1 ? 'row' : 'rows'})`
            : `(rows ${count(offset + 1)}–${count(laid.end)}: the end of the result)`,
        );
      }
      const note = shortenedNote(page);
      if (note) reply.footer(note);
      reply.set({ rowCount: laid.items.length, offset });
      return reply.build({ structured: true });
    },
  });

  const writeQuery = defineTool({
    name: 'write_query',
    title: 'Write query',
    description:
      'Run one SQL statement that changes the database (INSERT, UPDATE, DELETE, CREATE/DROP/ALTER, a setting PRAGMA); shows RETURNING rows.',
    inputSchema: z.object({ query: querySchema, params: paramsSchema }),
    outputSchema: z.object({
      affectedRows: z.number(),
      lastInsertRowid: z.union([z.number(), z.string()]).describe('Text past 2^53.'),
      returning: z
        .object({
          columns: z.array(z.string()),
          rows: z.array(z.array(cellSchema)).optional(),
          rowCount: z.number().describe('RETURNING rows shown.'),
          totalRows: z.number().describe('RETURNING rows produced.'),
        })
        .optional(),
      ...TRUNCATION_SHAPE,
    }),
    annotations: DESTRUCTIVE,
    effect: ({ query }) => `Run on the database: ${query}`,
    handler: async ({ query, params }, context) => {
      const outcome = await engine.run(
        'write',
        { sql: query, params, maxRows: DEFAULT_MAX_ROWS, maxBytes: context.maxOutputBytes },
        context.signal,
      );
      const reply = context.reply();
      reply.header(
        `${count(outcome.changes)} ${outcome.changes === 1 ? 'row' : 'rows'} affected; last insert rowid ${outcome.lastInsertRowid}.`,
      );
      reply.set({ affectedRows: outcome.changes, lastInsertRowid: outcome.lastInsertRowid });
      const returning = outcome.returning;
      if (returning) {
        reply.always(returning.header);
        const laid = layRows(reply, returning, {
          offset: 0,
          capReason: `the row cap of ${count(DEFAULT_MAX_ROWS)}`,
          structured: false,
        });
        if (laid.truncated || returning.totalRows > laid.items.length) {
          // The statement has run whole: there is nothing to continue, only the changed rows to read.
          reply.cut({
            shown: `${count(laid.items.length)} of ${count(returning.totalRows)} RETURNING rows`,
            reason:
              laid.items.length === returning.lines.length && returning.stoppedBy === 'row cap'
                ? `the row cap of ${count(DEFAULT_MAX_ROWS)}`
                : 'the reply budget',
            alternative: 'read the changed rows with read_query (the change itself is complete)',
          });
        }
        const note = shortenedNote(returning);
        if (note) reply.footer(note);
        const rows = returning.rows && laid.items.length === returning.rows.length ? { rows: returning.rows } : {};
        reply.set({
          returning: {
            columns: returning.columns,
            ...rows,
            rowCount: laid.items.length,
            totalRows: returning.totalRows,
          },
        });
      }
      return reply.build({ structured: true });
    },
  });

  const createTable = defineTool({
    name: 'create_table',
    title: 'Create table',
    description: 'Run one CREATE TABLE statement; anything whose effect is not new tables is rolled back and refused.',
    inputSchema: z.object({ query: querySchema }),
    outputSchema: z.object({
      created: z.array(z.string()).describe('Empty when IF NOT EXISTS found the table.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
    handler: async ({ query }, context) => {
      const { created } = await engine.run('createTable', { sql: query }, context.signal);
      const reply = context.reply();
      reply.always(
        created.length === 0
          ? 'Nothing was created and nothing changed: a table of that name already exists (IF NOT EXISTS), or the statement creates no table.'
          : `Created table ${created.map((name) => `"${name}"`).join(', ')}.`,
      );
      reply.set({ created });
      return reply.build();
    },
  });

  const explainQuery = defineTool({
    name: 'explain_query',
    title: 'Explain query',
    description:
      "Show SQLite's query plan for one statement without running it: which indexes it uses and where it scans.",
    inputSchema: z.object({ query: querySchema, params: paramsSchema }),
    outputSchema: z.object({
      steps: z.number().describe('Steps in the plan.'),
      scans: z.array(z.string()).describe('Tables (or aliases) the plan scans rather than searches.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ query, params }, context) => {
      const steps = await engine.run('explain', { sql: query, params }, context.signal);
      const reply = context.reply();
      reply.set({ steps: steps.length, scans: scannedTables(steps) });
      if (reply.text(renderPlan(steps)).truncated) {
        reply.cut({
          shown: 'part of the plan',
          reason: 'the reply budget',
          alternative: 'explain a smaller part of the statement',
        });
      }
      return reply.build({ structured: true });
    },
  });

  return [readQuery, writeQuery, createTable, explainQuery];
}

/** The tables (or their aliases) a plan reads whole: its SCAN steps. */
export function scannedTables(steps: readonly PlanStep[]): string[] {
  const scans = steps.flatMap((step) => /^SCAN (\S+)/.exec(step.detail)?.[1] ?? []);
  return [...new Set(scans)];
}

/** Draws a plan as the sqlite3 shell does: a tree of steps under QUERY PLAN. */
export function renderPlan(steps: readonly PlanStep[]): string {
  const children = new Map<number, PlanStep[]>();
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
