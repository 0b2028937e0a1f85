import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, resultText, startHttpServerProcess, waitFor } from '@portico-mcp/shared/testing';
import type { Era } from '@portico-mcp/shared/testing';
import { chromiumChildren } from './helpers.js';
import { startSite } from './site.js';
import type { TestSite } from './site.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const DEFAULT_TOOLS = [
  'browser_navigate',
  'browser_snapshot',
  'browser_click',
  'browser_type',
  'browser_select_option',
  'browser_hover',
  'browser_press_key',
  'browser_wait_for',
  'browser_back',
  'browser_screenshot',
  'browser_read',
  'browser_console_messages',
  'browser_tabs',
  'browser_close',
  'browser_handle_dialog',
  'browser_save_state',
];

let site: TestSite;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site.close());

/** Spawns the built server as a host does, keeping its pid and exit. */
async function spawnBrowser(era: Era, args: string[] = []) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry, '--allow-hosts', '127.0.0.1,localhost', ...args],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client(
    { name: 'portico-test', version: '0.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
  );
  await client.connect(transport);
  const pid = transport.pid!;
  return {
    client,
    pid,
    stderr: () => stderr,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      resultText(await client.callTool({ name, arguments: args })),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once every pid is gone; polls the process table, since a process that is not our child sends us no event. */
async function gone(pids: number[], timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    left = left.filter(alive);
  }
  return left;
}

describe.each(ERAS)('the built server over stdio (%s era)', (era) => {
  it('lists the default tools, drives a page, and leaves no Chromium behind when stdin closes', async () => {
    const server = await spawnBrowser(era);
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...DEFAULT_TOOLS].sort());
    // Launched lazily: no browser before the first tool call.
    expect(chromiumChildren(server.pid)).toEqual([]);
    expect(await server.call('browser_navigate', { url: `${site.url}/form` })).toContain('e1 form');
    const typed = await server.call('browser_type', { selector: '#name', text: 'Ada' });
    expect(typed).toContain('tx Name = Ada');
    const children = chromiumChildren(server.pid);
    expect(children.length).toBeGreaterThan(0);
    await server.client.close();
    expect(await gone([server.pid, ...children])).toEqual([]);
  });
});

describe('the browser never outlives the server', () => {
  it.each(['SIGTERM', 'SIGKILL'] as const)('leaves no Chromium behind when the server gets %s', async (signal) => {
    const server = await spawnBrowser('legacy');
    await server.call('browser_navigate', { url: `${site.url}/` });
    const children = chromiumChildren(server.pid);
    expect(children.length).toBeGreaterThan(0);
    process.kill(server.pid, signal);
    expect(await gone([server.pid, ...children])).toEqual([]);
    await server.client.close().catch(() => undefined);
  });
});

describe('over HTTP', () => {
  it('gives each client its own browser context, so clients never share cookies, storage or tabs', async () => {
    const http = await startHttpServerProcess({
      entry,
      args: ['--allow-hosts', '127.0.0.1,localhost', '--log-level', 'debug'],
    });
    const clients: Client[] = [];
    const transports: StreamableHTTPClientTransport[] = [];
    try {
      const connect = async () => {
        const client = new Client({ name: 'portico-test', version: '0.0.0' });
        const transport = new StreamableHTTPClientTransport(new URL(http.url));
        await client.connect(transport);
        clients.push(client);
        transports.push(transport);
        return async (name: string, args: Record<string, unknown> = {}) =>
          resultText(await client.callTool({ name, arguments: args }));
      };
      const alice = await connect();
      const bob = await connect();
      await alice('browser_navigate', { url: `${site.url}/state` });
      await alice('browser_tabs', { action: 'new', url: `${site.url}/` });
      expect(await alice('browser_navigate', { url: `${site.url}/state-check` })).toContain(
        '"cookie session=abc123 theme dark"',
      );
      expect(await bob('browser_navigate', { url: `${site.url}/state-check` })).toContain('"cookie theme null"');
      const bobTabs = await bob('browser_tabs', { action: 'list' });
      expect(bobTabs.split('\n').filter((line) => /^[* ] \d+: /.test(line))).toHaveLength(1);
      // A client that ends its session has its browser context (tabs, cookies) closed with it.
      await transports[0]!.terminateSession();
      await waitFor(
        () => (http.stderr().includes('its browser context is closed') ? true : undefined),
        10_000,
        'the context to close',
      );
      expect(await bob('browser_snapshot')).toContain('"cookie theme null"');
    } finally {
      for (const client of clients) await client.close().catch(() => undefined);
      expect(await http.stop()).toBe(0);
    }
  });
});
