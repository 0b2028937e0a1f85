import * as z from 'zod';
import { definePrompt, defineResource } from '@portico-mcp/shared/serve';
import type { AnyPromptDefinition, ResourceDefinition } from '@portico-mcp/shared/serve';
import type { EngineRunner } from './engine/client.js';
import { INSIGHTS_TABLE } from './engine/engine.js';
import { renderDescription, rowsLabel } from './tools/schema.js';

/** The memo shows at most this many insights (the latest); the rest stay readable with read_query. */
const MEMO_LIMIT = 1_000;
/** resources/list names at most this many tables; every table stays readable by its URI. */
const LISTED_TABLES = 1_000;

/** The memo text: the insights recorded with append_insight, oldest first. */
export async function renderMemo(engine: EngineRunner, signal?: AbortSignal): Promise<string> {
  const { insights, total } = await engine.run('listInsights', { limit: MEMO_LIMIT }, signal);
  if (total === 0) return 'No business insights have been discovered yet. Record one with the append_insight tool.';
  const lines = [
    '📊 Business Intelligence Memo 📊',
    '',
    'Key Insights Discovered:',
    '',
    ...insights.map((entry) => `- ${entry.insight}`),
  ];
  if (total > insights.length)
    lines.push(
      '',
      `[Showing the latest ${insights.length} of ${total} insights; read the rest with read_query on ${INSIGHTS_TABLE}.]`,
    );
  lines.push('', `Summary:\nAnalysis has revealed ${total} key business ${total === 1 ? 'insight' : 'insights'}.`);
  return lines.join('\n');
}

/** The prompt of the reference server's demo, kept under its name and argument for drop-in use. */
export function demoPrompt(topic: string): string {
  return [
    `You are running a hands-on demo of this SQLite MCP server, on the topic "${topic}".`,
    '',
    'Work in steps and explain each one briefly to the user:',
    `1. Design a small schema (2–3 related tables) for a business scenario about ${topic}, and create each table with create_table.`,
    '2. Fill the tables with realistic sample data with write_query, binding values through params rather than writing them into the SQL text.',
    '3. Look around with list_tables, describe_table and search_schema.',
    '4. Answer three business questions with read_query (joins, aggregates, a CTE). Check one query with explain_query and add an index with write_query if it scans a large table.',
    '5. After each finding, record it with append_insight; the memo resource memo://insights collects them.',
    '6. Finish with a short summary of the insights and a suggestion for what to analyse next.',
    '',
    "Large results come a page at a time: pass the reply's next cursor only when you need more rows.",
  ].join('\n');
}

/** The memo, the whole schema, and one resource per table, read through the kernel's budget and error mapping. */
export function sqliteResources(engine: EngineRunner): ResourceDefinition[] {
  return [
    defineResource({
      name: 'insights-memo',
      uri: 'memo://insights',
      title: 'Business insights memo',
      description: 'Insights recorded with append_insight, kept in the database.',
      mimeType: 'text/plain',
      read: (_uri, _variables, { signal }) => renderMemo(engine, signal),
      continueHint: `read_query on ${INSIGHTS_TABLE}`,
    }),
    defineResource({
      name: 'schema',
      uri: 'sqlite://schema',
      title: 'Database schema',
      description: 'Every table and view with its CREATE statement and approximate row count.',
      mimeType: 'text/plain',
      read: async (_uri, _variables, { signal }) => {
        const tables = await engine.run('listTables', {}, signal);
        const parts: string[] = [];
        for (const table of tables) {
          const description = await engine.run('describeTable', { name: table.name }, signal);
          parts.push(
            `-- ${table.type} ${table.name}${table.approxRows === null ? '' : ` (${rowsLabel(table.approxRows)})`}\n${description.sql ?? ''};`,
          );
        }
        return parts.length === 0 ? '-- The database has no tables yet.' : parts.join('\n\n');
      },
      continueHint: 'read sqlite://table/{name} for one table',
    }),
    defineResource({
      name: 'table',
      uri: 'sqlite://table/{name}',
      title: 'Table',
      description: 'One table or view: CREATE statement, columns, indexes, foreign keys, approximate rows.',
      mimeType: 'text/plain',
      list: async ({ signal }) => {
        const tables = await engine.run('listTables', {}, signal);
        return tables.slice(0, LISTED_TABLES).map((table) => ({
          uri: `sqlite://table/${encodeURIComponent(table.name)}`,
          name: table.name,
          description: [table.type, rowsLabel(table.approxRows)].filter(Boolean).join(', '),
          mimeType: 'text/plain',
        }));
      },
      read: async (_uri, { name = '' }, { signal }) =>
        renderDescription(await engine.run('describeTable', { name }, signal)),
      continueHint: 'use describe_table',
    }),
  ];
}

/** The reference's mcp-demo prompt. */
export function sqlitePrompts(): AnyPromptDefinition[] {
  return [
    definePrompt({
      name: 'mcp-demo',
      title: 'SQLite demo',
      description: 'A guided demo: build a small database on a topic, query it and record insights in the memo.',
      argsSchema: z.object({
        topic: z.string().describe('The business topic to seed the database with, e.g. "a bakery chain".'),
      }),
      handler: ({ topic }) => ({
        description: `Demo template for ${topic}`,
        messages: [{ role: 'user', content: { type: 'text', text: demoPrompt(topic) } }],
      }),
    }),
  ];
}
