import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, resultText, startHttpServerProcess } from '@portico-mcp/shared/testing';
import type { HttpServerProcess, TempDir } from '@portico-mcp/shared/testing';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const SESSIONS = 300;
const MODERN_CLIENTS = 50;
const FILES = 20;

interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

async function connectClient(url: string, era: 'legacy' | 'modern', index: number): Promise<Connected> {
  const client = new Client(
    { name: `load-${era}-${index}`, version: '0' },
    { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

/** The calls every client makes: a read of its own file and a listing, each checked against the tree on disk. */
async function work(dir: string, { client }: Connected, index: number): Promise<void> {
  const name = `file-${index % FILES}.txt`;
  const read = await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, name) } });
  if (read.isError || !resultText(read).includes(`contents of ${name}`))
    throw new Error(`read ${name} failed: ${resultText(read)}`);
  const listing = await client.callTool({ name: 'list_directory', arguments: { path: dir } });
  if (listing.isError || !resultText(listing).includes(name))
    throw new Error(`list_directory failed: ${resultText(listing)}`);
}

describe(`the filesystem server over --http under load (${SESSIONS} 2025-era sessions, ${MODERN_CLIENTS} 2026-07-28 clients)`, () => {
  let dir: TempDir;
  let http: HttpServerProcess;
  const sessions: Connected[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('portico-load-');
    for (let i = 0; i < FILES; i++) await writeFile(join(dir.path, `file-${i}.txt`), `contents of file-${i}.txt\n`);
    // The cap is exactly the crowd, so that the last test can find the server full.
    http = await startHttpServerProcess({ entry, args: ['--max-sessions', String(SESSIONS), dir.path] });
  });

  afterAll(async () => {
    await Promise.all(sessions.map(({ client }) => client.close()));
    await http.stop();
    await dir.cleanup();
  });

  it('serves every call of 300 concurrent sessions and 50 concurrent stateless clients, with no failure', async () => {
    const legacy = Promise.all(
      Array.from({ length: SESSIONS }, (_, index) => connectClient(http.url, 'legacy', index)),
    );
    const modern = Promise.all(
      Array.from({ length: MODERN_CLIENTS }, (_, index) => connectClient(http.url, 'modern', index)),
    );
    sessions.push(...(await legacy));
    const stateless = await modern;
    try {
      // Everyone at once; the next test calls again on every session, which proves none was dropped.
      const outcomes = await Promise.allSettled([
        ...sessions.map((connected, index) => work(dir.path, connected, index)),
        ...stateless.map((connected, index) => work(dir.path, connected, index)),
      ]);
      const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failures.map((failure) => String(failure.reason))).toEqual([]);
      expect(new Set(sessions.map(({ transport }) => transport.sessionId)).size).toBe(SESSIONS);
    } finally {
      await Promise.all(stateless.map(({ client }) => client.close()));
    }
  }, 180_000);

  it('answers a newcomer at the cap with 503 and Retry-After, while every live session keeps working', async () => {
    expect(sessions).toHaveLength(SESSIONS);
    const newcomer = new Client({ name: 'newcomer', version: '0' }, { versionNegotiation: { mode: 'legacy' } });
    await expect(newcomer.connect(new StreamableHTTPClientTransport(new URL(http.url)))).rejects.toThrow(
      /503|maximum of 300 sessions/,
    );
    const raw = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      }),
    });
    expect(raw.status).toBe(503);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    await raw.body?.cancel();
    expect(http.stderr()).toContain('at its --max-sessions cap');

    const outcomes = await Promise.allSettled(sessions.map((connected, index) => work(dir.path, connected, index)));
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  }, 180_000);
});
