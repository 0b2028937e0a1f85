import * as z from 'zod';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';
import type { TableDescription, TableSummary } from '../engine/protocol.js';
import { offsetSchema } from './params.js';
import { RESULTS_VIEW_URI } from './query.js';

const DEFAULT_TABLE_CAP = 500;
const DEFAULT_SEARCH_LIMIT = 100;

/** "≈1,204 rows" or an empty string when the count is unknown. */
export function rowsLabel(approxRows: number | null): string {
  return approxRows === null ? '' : `≈${approxRows.toLocaleString('en-US')} ${approxRows === 1 ? 'row' : 'rows'}`;
}

/** The readable description of one table: DDL, columns, indexes, foreign keys. */
export function renderDescription(table: TableDescription): string {
  const lines = [`${table.type} ${table.name}${table.approxRows === null ? '' : ` (${rowsLabel(table.approxRows)})`}`];
  if (table.sql) lines.push('', table.sql, '');
  lines.push('Columns:', 'name | type | not null | default | primary key');
  for (const column of table.columns) {
    lines.push(
      `${column.name} | ${column.type || '—'} | ${column.notNull ? 'yes' : 'no'} | ${column.defaultValue ?? 'NULL'} | ${column.primaryKey > 0 ? column.primaryKey : ''}${column.hidden ? ' (generated/hidden)' : ''}`,
    );
  }
  if (table.indexes.length > 0) {
    lines.push('', 'Indexes:');
    for (const index of table.indexes) {
      lines.push(
        `${index.name}${index.unique ? ' UNIQUE' : ''} (${index.columns.join(', ')})${index.partial ? ' partial' : ''}${index.origin === 'c' ? '' : ` [${index.origin === 'pk' ? 'primary key' : 'unique constraint'}]`}`,
      );
    }
  }
  if (table.foreignKeys.length > 0) {
    lines.push('', 'Foreign keys:');
    for (const key of table.foreignKeys) {
      lines.push(
        `(${key.from.join(', ')}) → ${key.table}(${key.to.map((column) => column ?? 'primary key').join(', ')}) on update ${key.onUpdate}, on delete ${key.onDelete}`,
      );
    }
  }
  return lines.join('\n');
}

/** One line of list_tables: the name, the kind unless it is a plain table, and the approximate rows. */
function tableLine(table: TableSummary): string {
  const details = [table.type === 'table' ? '' : table.type, rowsLabel(table.approxRows)].filter(Boolean).join(', ');
  return details ? `${table.name} (${details})` : table.name;
}

/** list_tables, describe_table and search_schema. */
export function schemaTools(engine: EngineRunner) {
  const listTables = defineTool({
    name: 'list_tables',
    title: 'List tables',
    description: 'List the tables and views of the database with approximate row counts.',
    inputSchema: z.object({ offset: offsetSchema }),
    outputSchema: z.object({ total: z.number().describe('Tables and views in the database.'), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ offset = 0 }, context) => {
      const all = await engine.run('listTables', {}, context.signal);
      const reply = context.reply();
      reply.set({ total: all.length });
      if (all.length === 0) reply.always('The database has no tables yet.');
      else
        reply.page(all.slice(offset), {
          line: tableLine,
          noun: 'tables',
          offset,
          limit: DEFAULT_TABLE_CAP,
          total: all.length,
        });
      return reply.build();
    },
  });

  const describeTable = defineTool({
    name: 'describe_table',
    title: 'Describe table',
    description:
      'Show a table or view: its CREATE statement, columns, indexes, foreign keys and approximate row count.',
    inputSchema: z.object({ table_name: z.string().min(1) }),
    outputSchema: z.object({
      name: z.string(),
      type: z.string(),
      approxRows: z.number().nullable(),
      columns: z.array(z.string()).describe('Column names, in order.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    ui: { resourceUri: RESULTS_VIEW_URI },
    handler: async ({ table_name }, context) => {
      const table = await engine.run('describeTable', { name: table_name }, context.signal);
      const reply = context.reply();
      reply.set({
        name: table.name,
        type: table.type,
        approxRows: table.approxRows,
        columns: table.columns.map((column) => column.name),
      });
      if (reply.text(renderDescription(table)).truncated) {
        reply.cut({
          shown: 'the start of the description',
          reason: 'the reply budget',
          alternative: 'query pragma_table_xinfo(?) with read_query for the columns',
        });
      }
      return reply.build();
    },
  });

  const searchSchema = defineTool({
    name: 'search_schema',
    title: 'Search schema',
    description:
      'Find tables, views, columns, indexes and triggers whose name (or index/trigger definition) contains a word, case-insensitively.',
    inputSchema: z.object({
      pattern: z.string().min(1),
      limit: z.number().int().min(1).max(1_000).optional(),
      offset: offsetSchema,
    }),
    outputSchema: z.object({ total: z.number().describe('All matches.'), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ pattern, limit, offset = 0 }, context) => {
      const cap = limit ?? DEFAULT_SEARCH_LIMIT;
      const { matches, total } = await engine.run('searchSchema', { pattern, limit: offset + cap }, context.signal);
      const reply = context.reply();
      reply.set({ total });
      if (total === 0) reply.always(`Nothing in the schema matches "${pattern}".`);
      else {
        reply.page(matches.slice(offset), {
          line: (match) =>
            match.kind === 'column'
              ? `${match.table}.${match.name} (column, ${match.detail})`
              : `${match.name} (${match.kind} on ${match.table}): ${match.detail}`,
          noun: 'matches',
          offset,
          limit: cap,
          total,
          alternative: 'search for a longer pattern',
        });
      }
      return reply.build();
    },
  });

  return [listTables, describeTable, searchSchema];
}
