import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, makeTempDir, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { makeDatabase } from './helpers.js';

// MCP Apps as the protocol shows them: the results view is declared on its tools and served as a ui://
// resource in both eras, for every client (tool lists do not vary per connection); --no-apps takes it away.
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const VIEW = 'ui://sqlite/results.html';

let temp: TempDir;
let dbPath: string;

beforeAll(async () => {
  temp = await makeTempDir('portico-sqlite-apps-');
  dbPath = join(temp.path, 'apps.db');
  makeDatabase(dbPath);
});

afterAll(async () => {
  await temp.cleanup();
});

describe.each(ERAS)('MCP Apps (%s era)', (era) => {
  it('declares the results view on read_query and describe_table, hides read_query_page from the model, and serves the view as one HTML file', async () => {
    const server = await spawnServer({ entry, args: ['--db-path', dbPath], era });
    try {
      const tools = (await server.client.listTools()).tools;
      const meta = (name: string) => tools.find((tool) => tool.name === name)?._meta;
      expect(meta('read_query')).toEqual({ ui: { resourceUri: VIEW }, 'ui/resourceUri': VIEW });
      expect(meta('describe_table')).toEqual({ ui: { resourceUri: VIEW }, 'ui/resourceUri': VIEW });
      expect(meta('read_query_page')).toEqual({
        ui: { resourceUri: VIEW, visibility: ['app'] },
        'ui/resourceUri': VIEW,
      });
      expect(meta('write_query')).toBeUndefined();

      const listed = (await server.client.listResources()).resources.find((resource) => resource.uri === VIEW);
      expect(listed).toMatchObject({ name: 'results_view', mimeType: 'text/html;profile=mcp-app' });
      const read = await server.client.readResource({ uri: VIEW });
      const html = read.contents[0] as { text: string; mimeType: string };
      expect(html.mimeType).toBe('text/html;profile=mcp-app');
      expect(html.text).toMatch(/^<!doctype html>/);
      // Self-contained: no script, style or image is loaded from anywhere.
      expect(html.text).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    } finally {
      await server.close();
    }
  });

  it('gives a client without the extension the same text and structure as before', async () => {
    const server = await spawnServer({ entry, args: ['--db-path', dbPath], era });
    try {
      const read = await server.client.callTool({
        name: 'read_query',
        arguments: { query: 'SELECT name, price FROM items ORDER BY id' },
      });
      expect(resultText(read)).toBe('name | price\n--- | ---\napple | 1.5\npear | 2.25\nplum | NULL\n(3 rows)');
      expect(read.structuredContent).toEqual({
        columns: ['name', 'price'],
        rows: [
          ['apple', 1.5],
          ['pear', 2.25],
          ['plum', null],
        ],
        rowCount: 3,
        offset: 0,
        truncated: false,
      });
      expect(read._meta?.ui).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('pages with read_query_page from the cursor read_query returned, as cells with declared types', async () => {
    const server = await spawnServer({ entry, args: ['--db-path', dbPath], era });
    try {
      const query = 'SELECT id, name, price FROM items ORDER BY id';
      const first = await server.client.callTool({ name: 'read_query', arguments: { query, max_rows: 1 } });
      const cursor = (first.structuredContent as { next: { cursor: string } }).next.cursor;
      const page = await server.client.callTool({ name: 'read_query_page', arguments: { query, cursor, max_rows: 1 } });
      expect(page.structuredContent).toMatchObject({
        columns: ['id', 'name', 'price'],
        types: ['INTEGER', 'TEXT', 'REAL'],
        rows: [[2, 'pear', 2.25]],
        offset: 1,
        truncated: true,
      });
      const next = (page.structuredContent as { next: { cursor: string } }).next.cursor;
      // The pager's cursor is read_query's: the model could continue from it too.
      const rest = await server.client.callTool({ name: 'read_query', arguments: { query, cursor: next } });
      expect(resultText(rest)).toContain('3 | plum | NULL');
      const wrong = await server.client.callTool({ name: 'read_query_page', arguments: { query: 'SELECT 1', cursor } });
      expect(wrong.isError).toBe(true);
      expect(resultText(wrong)).toMatch(/^This cursor belongs to a different query/);
    } finally {
      await server.close();
    }
  });

  it('offers no view, no app-only tool and no _meta.ui with --no-apps', async () => {
    const server = await spawnServer({ entry, args: ['--db-path', dbPath, '--no-apps'], era });
    try {
      const tools = (await server.client.listTools()).tools;
      expect(tools.map((tool) => tool.name)).not.toContain('read_query_page');
      expect(tools.filter((tool) => tool._meta !== undefined)).toEqual([]);
      expect((await server.client.listResources()).resources.map((resource) => resource.uri)).not.toContain(VIEW);
    } finally {
      await server.close();
    }
  });
});
