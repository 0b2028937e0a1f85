import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { InProcessServer, TempDir } from '@portico-mcp/shared/testing';
import { connectSqlite, Database, textOf } from './helpers.js';

let temp: TempDir;
let connection: InProcessServer;

beforeAll(async () => {
  temp = await makeTempDir('portico-sqlite-large-');
  const bigPath = join(temp.path, 'big.db');
  const db = new Database(bigPath);
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT)');
  const insert = db.prepare('INSERT INTO events (kind, payload) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 1_000_000; i++) insert.run(i % 7 === 0 ? 'click' : 'view', `payload number ${i}`);
  })();
  db.close();
  connection = await connectSqlite(['--db-path', bigPath, '--read-only']);
});

afterAll(async () => {
  await connection.close();
  await temp.cleanup();
});

describe('a million-row table', () => {
  it('answers a 100,000-row SELECT within the reply budget and pages on', async () => {
    const call = (args: Record<string, unknown>) => connection.client.callTool({ name: 'read_query', arguments: args });
    const query = 'SELECT * FROM events WHERE id <= 100000 ORDER BY id';
    const first = await call({ query });
    const text = textOf(first);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100_000);
    expect(JSON.stringify(first).length).toBeLessThan(200_000);
    const structured = first.structuredContent as { rowCount: number; truncated: boolean; next: { cursor: string } };
    expect(structured.truncated).toBe(true);
    expect(text).toContain('[Truncated: showing rows 1–');
    const second = await call({ query, cursor: structured.next.cursor });
    const next = structured.rowCount + 1;
    expect(textOf(second).split('\n')[2]).toBe(
      `${next} | ${(next - 1) % 7 === 0 ? 'click' : 'view'} | payload number ${next - 1}`,
    );
    const misused = await call({ query: 'SELECT 1', cursor: structured.next.cursor });
    expect(textOf(misused)).toMatch(/different query/);
  });
});
