import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, resultText, spawnServer, startHttpServerProcess, waitFor } from '../src/testing/index.js';
import type { SpawnedServer } from '../src/testing/index.js';

const entry = fileURLToPath(new URL('../dist-fixtures/kernel-server/index.js', import.meta.url));

describe.each(ERAS)('the kernel over stdio, %s era', (era) => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ entry, era, args: ['--max-output-bytes', '20000'] });
  });
  afterAll(() => server.close());

  it('negotiates the expected protocol version', () => {
    expect(server.protocolVersion).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
  });

  it('lists every tool with title, described fields and truthful annotations', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.slice(0, 6).map((tool) => tool.name)).toEqual([
      'echo',
      'add_note',
      'big_output',
      'fail',
      'count',
      'client_roots',
    ]);
    const echo = tools.find((tool) => tool.name === 'echo')!;
    expect(echo.title).toBe('Echo');
    expect(echo.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect((echo.inputSchema.properties as Record<string, { description?: string }>).text!.description).toBe(
      'Text to return.',
    );
    expect(echo.outputSchema).toBeDefined();
    expect(tools.find((tool) => tool.name === 'add_note')!.annotations?.readOnlyHint).toBe(false);
  });

  it('returns text and small structured content', async () => {
    const result = await server.client.callTool({ name: 'echo', arguments: { text: 'héllo' } });
    expect(resultText(result)).toBe('héllo');
    expect(result.structuredContent).toEqual({ length: 5 });
    expect(result.isError).toBeFalsy();
  });

  it('answers an expected failure with isError and its one sentence', async () => {
    const result = await server.client.callTool({ name: 'fail', arguments: { expected: true } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe('The value must be positive; pass a number above zero.');
  });

  it('answers an unexpected failure without its message or stack, and logs it to stderr', async () => {
    const result = await server.client.callTool({ name: 'fail', arguments: { expected: false } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).not.toContain('/srv/internal');
    expect(resultText(result)).toMatch(/internal error/);
    await expect.poll(() => server.stderr()).toContain('secret internal detail');
  });

  it('rejects arguments that do not fit the schema as a tool error', async () => {
    const result = await server.client.callTool({ name: 'echo', arguments: { text: 42 } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/text/);
  });

  it('cuts a reply that ignores the budget, and says so', async () => {
    const result = await server.client.callTool({
      name: 'big_output',
      arguments: { bytes: 12_000_000, respectBudget: false },
    });
    const text = resultText(result);
    expect(text.length).toBeLessThan(22_000);
    expect(text).toMatch(/\[Truncated: showing the first 20\.0 KB of 12\.0 MB \(the reply budget\)/);
  });

  it('gives a tool the operator budget so it can cut with its own notice', async () => {
    const result = await server.client.callTool({ name: 'big_output', arguments: { bytes: 50_000 } });
    expect(result.structuredContent).toEqual({ truncated: true });
    expect(resultText(result)).toMatch(/To get more, call again with a smaller bytes/);
  });

  it('reports progress when the client sends a progress token', async () => {
    const updates: number[] = [];
    const result = await server.client.callTool(
      { name: 'count', arguments: { to: 10, delayMs: 20 } },
      { onprogress: (p) => updates.push(p.progress) },
    );
    expect(resultText(result)).toBe('Counted to 10.');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.every((value) => value >= 1 && value <= 10)).toBe(true);
  });

  it('stops work when the client cancels the request', async () => {
    const controller = new AbortController();
    const call = server.client.callTool(
      { name: 'count', arguments: { to: 1000, delayMs: 10 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 150);
    await expect(call).rejects.toThrow();
    await expect.poll(() => server.stderr(), { timeout: 5_000 }).toMatch(/"msg":"count cancelled","reached":\d+/);
    const reached = Number(/"msg":"count cancelled","reached":(\d+)/.exec(server.stderr())![1]);
    expect(reached).toBeLessThan(1000);
  });

  it('refuses a request larger than a stdio message may be, and the session survives', async () => {
    const call = server.client.callTool({ name: 'echo', arguments: { text: 'x'.repeat(11 * 1024 * 1024) } });
    await expect(call).rejects.toThrow(/larger than the 10\.0 MiB a stdio message may be/);
    expect(resultText(await server.client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toBe(
      'still here',
    );
  });
});

describe('stdout', () => {
  it('carries nothing but protocol messages, while logs go to stderr', async () => {
    // A raw process, not the SDK client, so that any stray byte on stdout would be seen rather than skipped.
    const messages = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'count', arguments: { to: 3, delayMs: 1 } } },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'fail', arguments: { expected: false } } },
    ];
    const result = await runToExit(['--log-level', 'debug'], {
      stdin: `${messages.map((message) => JSON.stringify(message)).join('\n')}\n`,
      waitForIds: [1, 2, 3],
    });
    const lines = result.stdout.split('\n').filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(
      lines
        .map((line) => (JSON.parse(line) as { id?: number }).id)
        .filter((id) => id !== undefined)
        .sort(),
    ).toEqual([1, 2, 3]);
    // The log records went to stderr; the client hears of the unexpected failure only as a protocol log
    // notification that names the error's kind, never the internal detail its message carries.
    expect(result.stderr).toMatch(/"msg":"ready"/);
    expect(result.stderr).toMatch(/tool failed unexpectedly.*secret internal detail at \/srv\/internal\/path\.ts:42/);
    expect(result.stdout).not.toMatch(/"msg":/);
    expect(result.stdout).not.toContain('/srv/internal/path.ts');
  });
});

describe('log notifications', () => {
  it('reach a 2025-era client that set a level', async () => {
    const server = await spawnServer({ entry, era: 'legacy' });
    try {
      const messages: unknown[] = [];
      server.client.setNotificationHandler('notifications/message', (notification) => {
        messages.push(notification.params);
      });
      await server.client.setLoggingLevel('info');
      await server.client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 } });
      await expect.poll(() => messages.length).toBeGreaterThan(0);
      expect(messages).toContainEqual(
        expect.objectContaining({ level: 'info', data: expect.objectContaining({ message: 'count finished' }) }),
      );
    } finally {
      await server.close();
    }
  });
});

describe('client roots', () => {
  it('are asked of a 2025-era client that offers them, and asked again after it says they changed', async () => {
    const server = await spawnServer({ entry, era: 'legacy', capabilities: { roots: { listChanged: true } } });
    try {
      let roots = ['file:///tmp/first'];
      server.client.setRequestHandler('roots/list', () => ({ roots: roots.map((uri) => ({ uri })) }));
      expect(resultText(await server.client.callTool({ name: 'client_roots', arguments: {} }))).toBe(
        'file:///tmp/first',
      );
      roots = ['file:///tmp/second', 'file:///tmp/third'];
      await server.client.sendRootsListChanged();
      await expect
        .poll(async () => resultText(await server.client.callTool({ name: 'client_roots', arguments: {} })))
        .toBe('file:///tmp/second\nfile:///tmp/third');
    } finally {
      await server.close();
    }
  });

  it.each(ERAS)('are absent when the %s-era client offers none', async (era) => {
    const server = await spawnServer({ entry, era });
    try {
      expect(resultText(await server.client.callTool({ name: 'client_roots', arguments: {} }))).toBe(
        'The client offers no roots.',
      );
    } finally {
      await server.close();
    }
  });
});

describe('tool filtering', () => {
  it('registers no write tool under --read-only', async () => {
    const server = await spawnServer({ entry, args: ['--read-only'] });
    try {
      const names = (await server.client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('echo');
      expect(names).not.toContain('add_note');
      const call = await server.client
        .callTool({ name: 'add_note', arguments: { note: 'x' } })
        .catch((error: Error) => error);
      expect(call instanceof Error ? call.message : resultText(call)).toMatch(/add_note/);
    } finally {
      await server.close();
    }
  });

  it('registers only --tools, minus --exclude-tools', async () => {
    const server = await spawnServer({ entry, args: ['--tools', 'echo,fail,count', '--exclude-tools', 'fail'] });
    try {
      expect((await server.client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo', 'count']);
    } finally {
      await server.close();
    }
  });
});

/** Runs the fixture to its exit; with `waitForIds`, stdin is held open until the answers to those requests arrive. */
function runToExit(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; waitForIds?: number[] } = {},
) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = spawn(process.execPath, [entry, ...args], {
        env: { PATH: process.env.PATH ?? '', ...options.env },
      });
      let stdout = '';
      let stderr = '';
      const waiting = new Set(options.waitForIds ?? []);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        for (const id of [...waiting])
          if (stdout.includes(`"id":${id},`) || stdout.includes(`"id":${id}}`)) waiting.delete(id);
        if (options.waitForIds && waiting.size === 0) child.stdin.end();
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
      if (options.stdin !== undefined) {
        if (options.waitForIds) child.stdin.write(options.stdin);
        else child.stdin.end(options.stdin);
      }
    },
  );
}

describe('process lifecycle', () => {
  it('prints --help and --version to stdout and exits 0', async () => {
    const help = await runToExit(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--max-output-bytes');
    const version = await runToExit(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.0.0\n' });
  });

  it('exits 2 with one sentence on a bad flag, and starts nothing', async () => {
    const result = await runToExit(['--log-level', 'loud']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--log-level must be one of/);
    expect(result.stdout).toBe('');
  });

  it('exits cleanly when the host closes stdin', async () => {
    const result = await runToExit([], { stdin: '' });
    expect(result.code).toBe(0);
  });

  it('stops running tools when it shuts down', async () => {
    const server = await spawnServer({ entry });
    let progressed = false;
    const call = server.client
      .callTool({ name: 'count', arguments: { to: 10_000, delayMs: 5 } }, { onprogress: () => (progressed = true) })
      .catch((error: Error) => error);
    // The tool is running once it reports progress: then SIGTERM must stop it, not merely refuse it.
    await waitFor(() => (progressed ? true : undefined));
    const pid = (server.client as unknown as { _transport?: { pid?: number } })._transport?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGTERM');
    await call;
    await expect.poll(() => server.stderr(), { timeout: 5_000 }).toMatch(/"msg":"count cancelled","reached":\d+/);
    await server.close();
  });

  it('exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [entry], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => (stderr.includes('"msg":"ready"') ? true : undefined));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

function startHttp(args: string[] = [], env: Record<string, string> = {}) {
  return startHttpServerProcess({ entry, args, env });
}

describe('Streamable HTTP', () => {
  let http: Awaited<ReturnType<typeof startHttp>>;
  beforeAll(async () => {
    http = await startHttp();
  });
  afterAll(async () => {
    expect(await http.stop()).toBe(0);
  });

  it('binds 127.0.0.1 by default', () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it.each(ERAS)('serves the %s era', async (era) => {
    const client = new Client(
      { name: 'http-test', version: '0' },
      { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    try {
      expect(client.getNegotiatedProtocolVersion?.()).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
      const result = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
      expect(resultText(result)).toBe('over http');
    } finally {
      await client.close();
    }
  });

  it('gives a 2025-era client a session that carries log notifications', async () => {
    const client = new Client({ name: 'http-test', version: '0' });
    const transport = new StreamableHTTPClientTransport(new URL(http.url));
    await client.connect(transport);
    try {
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const messages: unknown[] = [];
      client.setNotificationHandler('notifications/message', (notification) => {
        messages.push(notification.params);
      });
      await client.setLoggingLevel('info');
      await client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 } });
      await expect
        .poll(() => messages)
        .toContainEqual(expect.objectContaining({ data: expect.objectContaining({ message: 'count finished' }) }));
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it("keeps one session's log records from the other sessions' clients", async () => {
    const open = async () => {
      const client = new Client({ name: 'http-test', version: '0' });
      const transport = new StreamableHTTPClientTransport(new URL(http.url));
      await client.connect(transport);
      const messages: Array<{ data?: { message?: string } }> = [];
      client.setNotificationHandler('notifications/message', (notification) => {
        messages.push(notification.params as { data?: { message?: string } });
      });
      await client.setLoggingLevel('debug');
      return { client, transport, said: () => messages.map((message) => message.data?.message) };
    };
    const alice = await open();
    const bob = await open();
    try {
      await alice.client.callTool({ name: 'fail', arguments: { expected: false } });
      await expect.poll(alice.said).toContain('tool failed unexpectedly');
      // Bob's own record comes after Alice's failure was logged: had that been sent to every session, it
      // would have reached Bob's stream first.
      await bob.client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 } });
      await expect.poll(bob.said).toContain('count finished');
      expect(bob.said()).not.toContain('tool failed unexpectedly');
      expect(alice.said()).not.toContain('count finished');
    } finally {
      for (const { client, transport } of [alice, bob]) {
        await transport.terminateSession();
        await client.close();
      }
    }
  });

  it('answers 404 for an unknown session id', async () => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: {
        'mcp-session-id': 'no-such-session',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(404);
  });

  it('refuses a body over the size limit before parsing it', async () => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'x'.repeat(5 * 1024 * 1024) } },
      }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    // fetch() cannot set Host, so speak HTTP directly, as a rebinding browser page effectively does.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const target = new URL(http.url);
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            host: 'evil.example',
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(403);
  });

  it('refuses a foreign Origin header', async () => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(403);
  });

  it('answers 404 off the /mcp path', async () => {
    expect((await fetch(http.url.replace(/\/mcp$/, '/other'))).status).toBe(404);
  });
});

describe('Streamable HTTP with a bearer token', () => {
  const token = 'test-token-0123456789abcdef';
  let http: Awaited<ReturnType<typeof startHttp>>;
  beforeAll(async () => {
    http = await startHttp([], { PORTICO_AUTH_TOKEN: token });
  });
  afterAll(async () => {
    await http.stop();
  });

  it('refuses a request without the token, with a Bearer challenge', async () => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a wrong token', async () => {
    const client = new Client({ name: 'http-test', version: '0' });
    const transport = new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: 'Bearer wrong-token-0123456789' } },
    });
    await expect(client.connect(transport)).rejects.toThrow();
  });

  it('answers GET /healthz without the token and whatever the Host, as a load balancer probes a replica', async () => {
    const url = new URL(http.url.replace(/\/mcp$/, '/healthz'));
    // fetch() cannot set Host; a kubelet probing the pod's IP sends a name the endpoint would refuse on /mcp.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { headers: { host: '10.1.2.3:3000' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.once('error', reject);
      req.end();
    });
    expect(answer).toEqual({ status: 200, body: 'ok\n' });
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it.each(ERAS)('serves the %s era with the right token', async (era) => {
    const client = new Client(
      { name: 'http-test', version: '0' },
      { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      expect(resultText(await client.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('ok');
    } finally {
      await client.close();
    }
  });
});
