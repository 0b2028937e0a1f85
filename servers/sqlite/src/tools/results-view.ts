import { join } from 'node:path';
import * as z from 'zod';
import { defineAppView } from '@portico-mcp/shared/apps';
import type { AppView } from '@portico-mcp/shared/apps';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';
import { paramsSchema, querySchema } from './params.js';
import { DEFAULT_MAX_ROWS, MAX_MAX_ROWS, RESULTS_VIEW_URI, readQueryCursor } from './query.js';
import { count } from './rows.js';

const cellSchema = z.union([z.string(), z.number(), z.null()]);

/** The results view: `dist/apps/results.html`, built from app/results.ts (`packageDir` is the package's folder). */
export function resultsView(packageDir: string): AppView {
  return defineAppView({
    name: 'results_view',
    uri: RESULTS_VIEW_URI,
    title: 'Query results',
    description: 'A sortable, paged table (and a chart) of read_query and describe_table results.',
    file: join(packageDir, 'dist', 'apps', 'results.html'),
  });
}

/**
 * read_query_page: the results view's paging tool, hidden from the model. It takes read_query's own cursor and
 * answers with the page's cells and column types in structure (the view draws them), and one line of text.
 */
export function resultsViewTools(engine: EngineRunner) {
  const readQueryPage = defineTool({
    name: 'read_query_page',
    title: 'Read query page',
    description: "The results view's pager: one page of read_query's result as cells, from read_query's cursor.",
    inputSchema: z.object({
      query: querySchema,
      params: paramsSchema,
      cursor: z.string().optional(),
      max_rows: z.number().int().min(1).max(MAX_MAX_ROWS).optional(),
    }),
    outputSchema: z.object({
      columns: z.array(z.string()),
      types: z.array(z.string().nullable()).describe('Declared column types; null for expressions.'),
      rows: z.array(z.array(cellSchema)),
      rowCount: z.number(),
      offset: z.number(),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    ui: { resourceUri: RESULTS_VIEW_URI, visibility: ['app'] },
    handler: async ({ query, params, cursor, max_rows }, context) => {
      const continuation = readQueryCursor(query, params, cursor);
      const offset = continuation.offset;
      // Cells are the reply here: the engine stops the page at half the budget, so that their JSON fits it.
      const page = await engine.run(
        'query',
        {
          sql: query,
          params,
          offset,
          maxRows: max_rows ?? DEFAULT_MAX_ROWS,
          maxBytes: Math.floor(context.maxOutputBytes / 2),
          allCells: true,
        },
        context.signal,
      );
      const rows = page.rows ?? [];
      const end = offset + rows.length;
      const reply = context.reply();
      reply.always(
        rows.length === 0
          ? 'No rows at this position.'
          : `Rows ${count(offset + 1)}–${count(end)}${page.more ? '' : ' (the end of the result)'}.`,
      );
      reply.set({
        columns: page.columns,
        types: page.types ?? page.columns.map(() => null),
        rows,
        rowCount: rows.length,
        offset,
      });
      if (page.more) {
        reply.cut({
          shown: `rows ${count(offset + 1)}–${count(end)}`,
          reason: page.stoppedBy === 'row cap' ? 'the page size' : 'the reply budget',
          next: { cursor: continuation.cursorAt(end) },
        });
      }
      return reply.build({ structured: true });
    },
  });
  return [readQueryPage];
}
