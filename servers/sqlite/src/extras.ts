import { ResourceTemplate } from '@modelcontextprotocol/server';
import type { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { cutText, truncationNotice } from '@portico-mcp/shared/output';
import type { EngineRunner } from './engine/client.js';
import { INSIGHTS_TABLE } from './engine/engine.js';
import { renderDescription, rowsLabel } from './tools/schema.js';

/** Resources carry at most this much text, like a tool reply. */
const RESOURCE_BUDGET = 100_000;
const MEMO_LIMIT = 1_000;

function bounded(text: string, next: string): string {
  const cut = cutText(text, RESOURCE_BUDGET);
  return cut.truncated ? `${cut.text}\n${truncationNotice({ shown: 'the start', reason: 'the resource size limit', next })}` : text;
}

/** The memo text: the insights recorded with append_insight, oldest first. */
export async function renderMemo(engine: EngineRunner): Promise<string> {
  const { insights, total } = await engine.run('listInsights', { limit: MEMO_LIMIT });
  if (total === 0) return 'No business insights have been discovered yet. Record one with the append_insight tool.';
  const lines = ['📊 Business Intelligence Memo 📊', '', 'Key Insights Discovered:', '', ...insights.map((entry) => `- ${entry.insight}`)];
  if (total > insights.length) lines.push('', `[Showing the latest ${insights.length} of ${total} insights; read the rest with read_query on ${INSIGHTS_TABLE}.]`);
  lines.push('', `Summary:\nAnalysis has revealed ${total} key business ${total === 1 ? 'insight' : 'insights'}.`);
  return bounded(lines.join('\n'), `read_query on ${INSIGHTS_TABLE}`);
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
    'Large results come a page at a time: follow nextCursor only when you need more rows.',
  ].join('\n');
}

/** Registers the memo and schema resources and the mcp-demo prompt on one server instance. */
export function registerExtras(server: McpServer, engine: EngineRunner): void {
  server.registerResource(
    'insights-memo',
    'memo://insights',
    { title: 'Business insights memo', description: 'Insights recorded with append_insight, kept in the database.', mimeType: 'text/plain' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: await renderMemo(engine) }] }),
  );

  server.registerResource(
    'schema',
    'sqlite://schema',
    { title: 'Database schema', description: 'Every table and view with its CREATE statement and approximate row count.', mimeType: 'text/plain' },
    async (uri) => {
      const tables = await engine.run('listTables', {});
      const parts: string[] = [];
      for (const table of tables) {
        const description = await engine.run('describeTable', { name: table.name });
        parts.push(`-- ${table.type} ${table.name}${table.approxRows === null ? '' : ` (${rowsLabel(table.approxRows)})`}\n${description.sql ?? ''};`);
      }
      const text = parts.length === 0 ? '-- The database has no tables yet.' : parts.join('\n\n');
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: bounded(text, 'read sqlite://table/{name} for one table') }] };
    },
  );

  server.registerResource(
    'table',
    new ResourceTemplate('sqlite://table/{name}', {
      list: async () => {
        const tables = await engine.run('listTables', {});
        return {
          resources: tables.slice(0, 1_000).map((table) => ({
            uri: `sqlite://table/${encodeURIComponent(table.name)}`,
            name: table.name,
            description: [table.type, rowsLabel(table.approxRows)].filter(Boolean).join(', '),
            mimeType: 'text/plain',
          })),
        };
      },
    }),
    { title: 'Table', description: 'One table or view: CREATE statement, columns, indexes, foreign keys, approximate rows.', mimeType: 'text/plain' },
    async (uri, variables) => {
      const raw = variables.name;
      const name = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
      const description = await engine.run('describeTable', { name });
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: bounded(renderDescription(description), 'use describe_table') }] };
    },
  );

  server.registerPrompt(
    'mcp-demo',
    {
      title: 'SQLite demo',
      description: 'A guided demo: build a small database on a topic, query it and record insights in the memo.',
      argsSchema: z.object({ topic: z.string().describe('The business topic to seed the database with, e.g. "a bakery chain".') }),
    },
    ({ topic }) => ({ messages: [{ role: 'user', content: { type: 'text', text: demoPrompt(topic) } }] }),
  );
}
