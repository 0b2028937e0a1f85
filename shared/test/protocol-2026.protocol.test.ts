import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, spawnServer, startHttpServerProcess } from '../src/testing/index.js';
import type { HttpServerProcess } from '../src/testing/index.js';

// What the conformance suite's 2026-07-28 requirement set checks of the kernel, proved here on the kernel's own
// tools so that a regression shows in `npm test`, not only in `pnpm conformance`.
const entry = fileURLToPath(new URL('../dist-fixtures/kernel-server/index.js', import.meta.url));

/** The per-request `_meta` key by which a 2026-07-28 request asks for log notifications. */
const LOG_LEVEL = 'io.modelcontextprotocol/logLevel';

type Connected = { client: Client; close: () => Promise<void> };

function collectLogs(client: Client): unknown[] {
  const messages: unknown[] = [];
  client.setNotificationHandler('notifications/message', (notification) => {
    messages.push(notification.params);
  });
  return messages;
}

describe.each(['stdio', 'http'] as const)('log notifications on 2026-07-28 over %s', (transport) => {
  let http: HttpServerProcess | undefined;
  beforeAll(async () => {
    if (transport === 'http') http = await startHttpServerProcess({ entry, args: [], env: {} });
  });
  afterAll(async () => {
    if (http) expect(await http.stop()).toBe(0);
  });

  async function connect(): Promise<Connected> {
    if (transport === 'stdio') {
      const server = await spawnServer({ entry, era: 'modern' });
      return { client: server.client, close: () => server.close() };
    }
    const client = new Client({ name: 'log-test', version: '0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(http!.url)));
    return { client, close: () => client.close() };
  }

  // A log sent during a call travels ahead of the call's result on the same stream, so once the result is in,
  // every log of that call has arrived too.
  it('reach no client whose request set no log level', async () => {
    const { client, close } = await connect();
    try {
      const messages = collectLogs(client);
      await client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 } });
      expect(messages).toEqual([]);
    } finally {
      await close();
    }
  });

  it('reach a client whose request set a level, at that level and above only', async () => {
    const { client, close } = await connect();
    try {
      const messages = collectLogs(client);
      const count = (level: string) =>
        client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 }, _meta: { [LOG_LEVEL]: level } });
      await count('info');
      expect(messages).toContainEqual(
        expect.objectContaining({ level: 'info', data: expect.objectContaining({ message: 'count finished' }) }),
      );
      messages.length = 0;
      await count('error');
      expect(messages).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe.each(ERAS)('list capabilities, %s era', (era) => {
  it('say the tool, resource and prompt lists never change, since no change is ever announced', async () => {
    const server = await spawnServer({ entry, era, args: ['--conformance'] });
    try {
      const capabilities = server.client.getServerCapabilities();
      expect(capabilities?.tools).toEqual({ listChanged: false });
      expect(capabilities?.resources).toMatchObject({ listChanged: false });
      expect(capabilities?.prompts).toEqual({ listChanged: false });
    } finally {
      await server.close();
    }
  });
});
