import * as z from 'zod';
import { capList, toolResult, truncationNotice } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';
import type { TableDescription } from '../engine/protocol.js';

const DEFAULT_TABLE_CAP = 500;
const DEFAULT_SEARCH_LIMIT = 100;

const tableSummarySchema = z.object({
  name: z.string(),
  type: z.enum(['table', 'view', 'virtual', 'shadow']),
  approxRows: z.number().nullable().describe('Approximate rows (sqlite_stat1, else the largest rowid); null when unknown.'),
});

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
      lines.push(`${index.name}${index.unique ? ' UNIQUE' : ''} (${index.columns.join(', ')})${index.partial ? ' partial' : ''}${index.origin === 'c' ? '' : ` [${index.origin === 'pk' ? 'primary key' : 'unique constraint'}]`}`);
    }
  }
  if (table.foreignKeys.length > 0) {
    lines.push('', 'Foreign keys:');
    for (const key of table.foreignKeys) {
      lines.push(`(${key.from.join(', ')}) → ${key.table}(${key.to.map((column) => column ?? 'primary key').join(', ')}) on update ${key.onUpdate}, on delete ${key.onDelete}`);
    }
  }
  return lines.join('\n');
}

/** list_tables, describe_table and search_schema. */
export function schemaTools(engine: EngineRunner) {
  const listTables = defineTool({
    name: 'list_tables',
    title: 'List tables',
    description: 'List the tables and views of the database with approximate row counts.',
    inputSchema: z.object({}),
    outputSchema: z.object({
      tables: z.array(tableSummarySchema),
      truncated: z.boolean().describe('More tables exist than were listed.'),
      total: z.number().describe('Tables and views in the database.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async (_args, { budget, signal }) => {
      const all = await engine.run('listTables', {}, signal);
      const capped = capList(all, DEFAULT_TABLE_CAP);
      const body = capped.items.map((table) => `${table.name} (${[table.type, rowsLabel(table.approxRows)].filter(Boolean).join(', ')})`).join('\n');
      const cut = budget.take(body || 'The database has no tables yet.');
      const shownCount = cut.truncated ? cut.text.split('\n').filter(Boolean).length : capped.items.length;
      const notice =
        cut.truncated || capped.truncated
          ? `\n${truncationNotice({ shown: `${shownCount} of ${all.length} tables`, reason: cut.truncated ? 'the reply budget' : 'the list cap', next: 'use search_schema with part of a name' })}`
          : '';
      return toolResult(`${cut.text}${notice}`, {
        tables: capped.items.slice(0, shownCount),
        truncated: cut.truncated || capped.truncated,
        total: all.length,
      });
    },
  });

  const describeTable = defineTool({
    name: 'describe_table',
    title: 'Describe table',
    description: 'Show a table or view: its CREATE statement, columns, indexes, foreign keys and approximate row count.',
    inputSchema: z.object({ table_name: z.string().min(1).describe('The table or view name, as list_tables shows it.') }),
    outputSchema: z.object({
      name: z.string(),
      type: z.string(),
      approxRows: z.number().nullable(),
      columns: z.array(
        z.object({
          name: z.string(),
          type: z.string(),
          notNull: z.boolean(),
          defaultValue: z.string().nullable(),
          primaryKey: z.number().describe('Position in the primary key, 0 when not part of it.'),
          hidden: z.boolean(),
        }),
      ),
      indexes: z.array(z.object({ name: z.string(), unique: z.boolean(), origin: z.string(), partial: z.boolean(), columns: z.array(z.string()) })),
      foreignKeys: z.array(z.object({ from: z.array(z.string()), table: z.string(), to: z.array(z.string().nullable()), onUpdate: z.string(), onDelete: z.string() })),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async ({ table_name }, { budget, signal }) => {
      const table = await engine.run('describeTable', { name: table_name }, signal);
      const cut = budget.take(renderDescription(table));
      const text = cut.truncated
        ? `${cut.text}\n${truncationNotice({ shown: 'the start of the description', reason: 'the reply budget', next: 'query pragma_table_xinfo(?) with read_query for the columns' })}`
        : cut.text;
      const { sql: _sql, ...structured } = table;
      return toolResult(text, structured);
    },
  });

  const searchSchema = defineTool({
    name: 'search_schema',
    title: 'Search schema',
    description: 'Find tables, views, columns, indexes and triggers whose name (or index/trigger definition) contains a word, case-insensitively.',
    inputSchema: z.object({
      pattern: z.string().min(1).describe('Part of a name to look for, e.g. "email".'),
      limit: z.number().int().min(1).max(1_000).optional().describe(`Most matches to return (default ${DEFAULT_SEARCH_LIMIT}).`),
    }),
    outputSchema: z.object({
      matches: z.array(z.object({ table: z.string(), kind: z.string(), name: z.string(), detail: z.string() })),
      total: z.number().describe('All matches, including those past the limit.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async ({ pattern, limit }, { budget, signal }) => {
      const cap = limit ?? DEFAULT_SEARCH_LIMIT;
      const { matches, total } = await engine.run('searchSchema', { pattern, limit: cap }, signal);
      const body = matches.map((match) => (match.kind === 'column' ? `${match.table}.${match.name} (column, ${match.detail})` : `${match.name} (${match.kind} on ${match.table}): ${match.detail}`)).join('\n');
      const cut = budget.take(body || `Nothing in the schema matches "${pattern}".`);
      const shown = cut.truncated ? cut.text.split('\n').filter(Boolean).length : matches.length;
      const notice =
        shown < total
          ? `\n${truncationNotice({ shown: `${shown} of ${total} matches`, reason: cut.truncated ? 'the reply budget' : 'the limit', next: 'search for a longer pattern, or raise limit' })}`
          : '';
      return toolResult(`${cut.text}${notice}`, { matches: matches.slice(0, shown), total });
    },
  });

  return [listTables, describeTable, searchSchema];
}

