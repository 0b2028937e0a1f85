// Remote serving (deploy/README.md): replicas of a server over Streamable HTTP behind a load balancer that
// knows nothing of MCP. A 2026-07-28 client is stateless, so plain round robin must be enough for it.
import { writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, resultText, startHttpServerProcess } from '../../shared/src/testing/index.js';
import type { HttpServerProcess, TempDir } from '../../shared/src/testing/index.js';

const entry = fileURLToPath(new URL('../../servers/filesystem/dist/index.js', import.meta.url));
const TOKEN = 'replica-test-token-0123456789abcdef';

/** A round-robin HTTP proxy on 127.0.0.1, counting the MCP requests each upstream answered. */
async function startRoundRobin(upstreams: URL[]): Promise<{ url: string; served: number[]; close(): Promise<void> }> {
  const served = upstreams.map(() => 0);
  let next = 0;
  const server: Server = createServer((req, res) => {
    const index = next++ % upstreams.length;
    if (req.url?.startsWith('/mcp')) served[index]! += 1;
    const upstream = upstreams[index]!;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.once('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    served,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('two replicas behind a round-robin load balancer', () => {
  let dir: TempDir;
  let replicas: HttpServerProcess[];
  let balancer: Awaited<ReturnType<typeof startRoundRobin>>;
  beforeAll(async () => {
    dir = await makeTempDir('portico-replicas-');
    writeFileSync(join(dir.path, 'shared.txt'), 'the same volume behind every replica\n');
    replicas = await Promise.all(
      [0, 1].map(() => startHttpServerProcess({ entry, args: [dir.path], env: { PORTICO_AUTH_TOKEN: TOKEN } })),
    );
    balancer = await startRoundRobin(replicas.map((replica) => new URL(replica.url)));
  });
  afterAll(async () => {
    await balancer?.close();
    for (const replica of replicas ?? []) expect(await replica.stop()).toBe(0);
    await dir?.cleanup();
  });

  it('serves a 2026-07-28 client across both replicas, each request on whichever replica it lands', async () => {
    const client = new Client({ name: 'replica-test', version: '0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(balancer.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    try {
      expect(client.getNegotiatedProtocolVersion?.()).toBe('2026-07-28');
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('read_text_file');
      for (let i = 0; i < 4; i++) {
        const result = await client.callTool({
          name: 'read_text_file',
          arguments: { path: join(dir.path, 'shared.txt') },
        });
        expect(result.isError ?? false).toBe(false);
        expect(resultText(result)).toBe('the same volume behind every replica\n');
      }
    } finally {
      await client.close();
    }
    expect(balancer.served.every((count) => count >= 2)).toBe(true);
  });

  it("answers each replica's /healthz probe without the token", async () => {
    for (const replica of replicas) {
      const response = await fetch(replica.url.replace(/\/mcp$/, '/healthz'));
      expect([response.status, await response.text()]).toEqual([200, 'ok\n']);
    }
  });
});
