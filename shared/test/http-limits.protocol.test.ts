import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultText, startHttpServerProcess } from '../src/testing/index.js';
import type { HttpServerProcess } from '../src/testing/index.js';

const entry = fileURLToPath(new URL('../dist-fixtures/kernel-server/index.js', import.meta.url));
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function initializeBody(name: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name, version: '0' } },
  });
}

async function connectClient(
  url: string,
  era: 'legacy' | 'modern',
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client(
    { name: `limits-${era}`, version: '0' },
    { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

async function echo(client: Client, text: string): Promise<string> {
  return resultText(await client.callTool({ name: 'echo', arguments: { text } }));
}

/** Opens a raw TCP connection to the endpoint's port and resolves once it is connected. */
function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends on a socket until it closes it. */
function untilClosed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

describe('Streamable HTTP session cap (--max-sessions 3)', () => {
  let http: HttpServerProcess;
  beforeAll(async () => {
    http = await startHttpServerProcess({ entry, args: ['--max-sessions', '3'] });
  });
  afterAll(() => http.stop());

  it('refuses a newcomer at the cap with 503 and Retry-After, and every live session keeps working', async () => {
    const live = await Promise.all([0, 1, 2].map(() => connectClient(http.url, 'legacy')));
    try {
      const refused = await fetch(http.url, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: initializeBody('newcomer'),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('10');
      expect(await refused.json()).toMatchObject({
        error: { message: 'The server is serving its maximum of 3 sessions; retry in 10 seconds.' },
      });
      expect(http.stderr()).toContain('at its --max-sessions cap');

      const answers = await Promise.all(live.map(({ client }, index) => echo(client, `still here ${index}`)));
      expect(answers).toEqual(['still here 0', 'still here 1', 'still here 2']);
      // 2026-07-28 requests hold no session, so the cap never applies to them.
      const modern = await connectClient(http.url, 'modern');
      expect(await echo(modern.client, 'stateless')).toBe('stateless');
      await modern.client.close();

      // A session that ends gives its place to the next client.
      await live[0]!.transport.terminateSession();
      await live[0]!.client.close();
      live.shift();
      const next = await connectClient(http.url, 'legacy');
      live.push(next);
      expect(await echo(next.client, 'my turn')).toBe('my turn');
    } finally {
      for (const { client, transport } of live) {
        await transport.terminateSession().catch(() => undefined);
        await client.close();
      }
    }
  });

  it('admits no more than the cap when many clients initialize at the same moment', async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        fetch(http.url, { method: 'POST', headers: JSON_HEADERS, body: initializeBody(`burst-${index}`) }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 503)).toHaveLength(9);
    await Promise.all(
      responses.map(async (response) => {
        await response.body?.cancel();
        const id = response.headers.get('mcp-session-id');
        if (id)
          await fetch(http.url, {
            method: 'DELETE',
            headers: { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
          });
      }),
    );
  });
});

describe('Streamable HTTP limits (--request-timeout 1s)', () => {
  let http: HttpServerProcess;
  beforeAll(async () => {
    http = await startHttpServerProcess({ entry, args: ['--request-timeout', '1s'] });
  });
  afterAll(() => http.stop());

  it('answers a body over the limit inside a session with 413 and a sentence', async () => {
    const { client, transport } = await connectClient(http.url, 'legacy');
    try {
      const response = await fetch(http.url, {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 9,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x'.repeat(5 * 1024 * 1024) } },
        }),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
        'Request body too large: the limit is 4194304 bytes; send large content in parts.',
      );
      // The session survives a refused request.
      expect(await echo(client, 'after 413')).toBe('after 413');
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it('answers malformed JSON with a JSON-RPC parse error', async () => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"jsonrpc": "2.0", "id": 1, "method": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: -32700, message: 'Parse error: the request body is not valid JSON.' },
    });
  });

  it('cuts off a request whose body trickles in with 408, while other clients are served meanwhile', async () => {
    const slow = await openSocket(http.url);
    const answer = untilClosed(slow);
    const { host } = new URL(http.url);
    slow.write(
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":`,
    );
    // One byte every 100 ms: never enough to finish inside the one-second request timeout.
    const trickle = setInterval(() => slow.writable && slow.write(' '), 100);
    try {
      const modern = await connectClient(http.url, 'modern');
      const legacy = await connectClient(http.url, 'legacy');
      for (let i = 0; i < 5; i++) {
        expect(await echo(modern.client, `modern ${i}`)).toBe(`modern ${i}`);
        expect(await echo(legacy.client, `legacy ${i}`)).toBe(`legacy ${i}`);
      }
      await legacy.transport.terminateSession();
      await Promise.all([modern.client.close(), legacy.client.close()]);
      expect(await answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
  });

  it('cuts off a client that never finishes its headers with 408', async () => {
    const slow = await openSocket(http.url);
    const answer = untilClosed(slow);
    slow.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => slow.writable && slow.write('X-Slow: 1\r\n'), 100);
    try {
      expect(await answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    } finally {
      clearInterval(trickle);
    }
  });

  it('serves clients while 300 idle connections are open, and closes the idle ones after the timeout', async () => {
    const idle = await Promise.all(Array.from({ length: 300 }, () => openSocket(http.url)));
    const closed = idle.map(untilClosed);
    const modern = await connectClient(http.url, 'modern');
    const legacy = await connectClient(http.url, 'legacy');
    try {
      expect(await echo(modern.client, 'through the flood')).toBe('through the flood');
      expect(await echo(legacy.client, 'through the flood')).toBe('through the flood');
      // Every idle socket is closed by the server: a flood cannot hold descriptors forever.
      expect((await Promise.all(closed)).length).toBe(300);
    } finally {
      await legacy.transport.terminateSession();
      await Promise.all([modern.client.close(), legacy.client.close()]);
      for (const socket of idle) socket.destroy();
    }
  });
});

describe('Streamable HTTP isolation between concurrent requests', () => {
  const token = 'isolation-token-0123456789abcdef';
  let http: HttpServerProcess;
  beforeAll(async () => {
    http = await startHttpServerProcess({ entry, env: { PORTICO_AUTH_TOKEN: token } });
  });
  afterAll(() => http.stop());

  async function authorizedClient(
    era: 'legacy' | 'modern',
    index: number,
  ): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client(
      { name: `isolation-${era}-${index}`, version: '0' },
      { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
    );
    const transport = new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    return { client, transport };
  }

  it("delivers each call's progress to that call only, and a cancelled call stops no other", async () => {
    // Fresh clients number their requests alike, so their progress tokens collide: a notification routed to
    // the wrong request would show up here as another call's total.
    const clients = await Promise.all([
      ...Array.from({ length: 6 }, (_, index) => authorizedClient('modern', index)),
      ...Array.from({ length: 6 }, (_, index) => authorizedClient('legacy', index)),
    ]);
    try {
      const cancel = new AbortController();
      const seen = clients.map(() => new Set<number | undefined>());
      const calls = clients.map(({ client }, index) =>
        client.callTool(
          { name: 'count', arguments: { to: index === 0 ? 1000 : 10 + index, delayMs: 5 } },
          { onprogress: (update) => seen[index]!.add(update.total), ...(index === 0 ? { signal: cancel.signal } : {}) },
        ),
      );
      calls[0]!.catch(() => undefined);
      await expect.poll(() => seen[0]!.size).toBeGreaterThan(0);
      cancel.abort();
      await expect(calls[0]).rejects.toThrow();
      const results = await Promise.all(calls.slice(1));
      expect(results.map(resultText)).toEqual(clients.slice(1).map((_, index) => `Counted to ${11 + index}.`));
      expect(seen.map((totals) => [...totals])).toEqual(clients.map((_, index) => [index === 0 ? 1000 : 10 + index]));
    } finally {
      for (const { client, transport } of clients) {
        if (transport.sessionId) await transport.terminateSession();
        await client.close();
      }
    }
  });

  it('checks the bearer token on every request, even on a connection a valid request just used', async () => {
    const { client, transport } = await authorizedClient('modern', 99);
    try {
      expect(await echo(client, 'authorized')).toBe('authorized');
      // fetch reuses the kept-alive connection of the call above.
      const response = await fetch(http.url, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: initializeBody('no-token'),
      });
      expect(response.status).toBe(401);
      await response.body?.cancel();
    } finally {
      if (transport.sessionId) await transport.terminateSession();
      await client.close();
    }
  });
});
