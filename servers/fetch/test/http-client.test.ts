import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UrlPolicy } from '@portico-mcp/shared/net';
import { HttpClient } from '../src/net/http-client.js';
import type { RequestLimits } from '../src/net/http-client.js';
import { startSite } from './fixtures/site.js';
import type { Site } from './fixtures/site.js';
import { startTestProxy } from './fixtures/proxy.js';

const LIMITS: RequestLimits = { timeoutMs: 10_000, connectTimeoutMs: 5_000, maxBytes: 1_000_000, maxRedirects: 5 };
const OPTIONS = { userAgent: 'PorticoTest/1.0', accept: '*/*', limits: LIMITS };
let site: Site;
const client = new HttpClient(new UrlPolicy({ allowHosts: ['127.0.0.1'] }));

beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site.close();
});

describe('HttpClient limits', () => {
  it('stops a chunked download without Content-Length at the byte cap', async () => {
    await expect(client.get(`${site.url}/stream-big`, OPTIONS)).rejects.toThrow(
      /is larger than the 1,000,000-byte download limit; the operator can raise --max-download-bytes/,
    );
  });

  it('counts bytes after decompression, so a gzip bomb stops at the cap', async () => {
    await expect(client.get(`${site.url}/gzip-bomb`, OPTIONS)).rejects.toThrow(/download limit/);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    await expect(
      client.get(`${site.url}/huge`, { ...OPTIONS, limits: { ...LIMITS, maxBytes: 10_000 } }),
    ).rejects.toThrow(/is \d{3},\d{3} bytes, over the 10,000-byte download limit/);
  });

  it('keeps the first bytes instead of failing when asked to truncate', async () => {
    const response = await client.get(`${site.url}/stream-big`, {
      ...OPTIONS,
      limits: { ...LIMITS, maxBytes: 100_000, truncateAtMaxBytes: true },
    });
    expect(response).toMatchObject({ truncated: true, status: 200 });
    expect(response.body.length).toBe(100_000);
  });

  it('ends a response that trickles past the whole-request time limit', async () => {
    await expect(
      client.get(`${site.url}/slow-body`, { ...OPTIONS, limits: { ...LIMITS, timeoutMs: 700 } }),
    ).rejects.toThrow(/did not answer in full within 0\.7 s/);
  });

  it('ends a request whose server never answers at the time limit', async () => {
    await expect(client.get(`${site.url}/hang`, { ...OPTIONS, limits: { ...LIMITS, timeoutMs: 500 } })).rejects.toThrow(
      /within 0\.5 s/,
    );
  });

  it('reports cancellation by the caller as such', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(client.get(`${site.url}/hang`, { ...OPTIONS, signal: controller.signal })).rejects.toThrow(
      /cancelled by the client/,
    );
  });

  it('follows a redirect chain within the limit and reports the final URL', async () => {
    const response = await client.get(`${site.url}/redirect/4`, OPTIONS);
    expect(response.url.href).toBe(`${site.url}/article`);
    expect(response.redirects).toBe(5);
  });

  it('stops a redirect chain over the limit', async () => {
    await expect(client.get(`${site.url}/redirect/5`, OPTIONS)).rejects.toThrow(/redirected more than 5 times/);
  });

  it('returns HTTP error statuses to the caller instead of throwing', async () => {
    const response = await client.get(`${site.url}/status/500`, OPTIONS);
    expect(response.status).toBe(500);
  });
});

describe('HttpClient connect timeout', () => {
  // A listener whose process never accepts: once its backlog is full, new connections hang in SYN-SENT.
  let blocked: ChildProcess;
  let port: number;
  const fillers: net.Socket[] = [];
  beforeAll(async () => {
    blocked = spawn(
      process.execPath,
      // It prints its port, then blocks its event loop (so it accepts nothing) right after saying so.
      [
        '-e',
        "const s=require('net').createServer();s.listen(0,'127.0.0.1',1,()=>{process.stdout.write(s.address().port+'\\n');setTimeout(()=>{process.stdout.write('blocked\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,60000)},0)})",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    await new Promise<void>((resolve) =>
      blocked.stdout!.on('data', (data) => {
        output += String(data);
        if (output.includes('blocked\n')) resolve();
      }),
    );
    port = Number(output.split('\n')[0]);
    for (let i = 0; i < 4; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => undefined));
    // The first filler completes its handshake into the (unaccepted) backlog; the later ones fill it.
    await new Promise((resolve) => fillers[0]!.once('connect', resolve));
  });
  afterAll(() => {
    for (const socket of fillers) socket.destroy();
    blocked.kill('SIGKILL');
  });

  it('gives up on a connection that is not established within the connect timeout', async () => {
    await expect(
      client.get(`http://127.0.0.1:${port}/`, {
        ...OPTIONS,
        limits: { ...LIMITS, connectTimeoutMs: 400, timeoutMs: 10_000 },
      }),
    ).rejects.toThrow(new RegExp(`Could not connect to 127\\.0\\.0\\.1:${port} within 0\\.4 s`));
  });
});

describe('HttpClient through a proxy', () => {
  it('sends http:// requests to the proxy in absolute form', async () => {
    const proxy = await startTestProxy();
    try {
      const proxied = new HttpClient(new UrlPolicy({ allowHosts: ['127.0.0.1'] }), new URL(proxy.url));
      const response = await proxied.get(`${site.url}/text`, OPTIONS);
      expect(response.body.toString()).toBe('line one\nline two\n');
      expect(proxy.requests).toEqual([`GET ${site.url}/text`]);
    } finally {
      await proxy.close();
    }
  });

  it('still refuses a loopback target by name, before the proxy is asked', async () => {
    const proxy = await startTestProxy();
    try {
      const proxied = new HttpClient(new UrlPolicy(), new URL(proxy.url));
      await expect(proxied.get(`${site.url}/text`, OPTIONS)).rejects.toThrow(/loopback address/);
      expect(proxy.requests).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('reports a proxy that refuses a CONNECT tunnel for an https:// target', async () => {
    const proxy = await startTestProxy({ refuseConnect: true });
    try {
      const proxied = new HttpClient(new UrlPolicy({ allowHosts: ['127.0.0.1'] }), new URL(proxy.url));
      await expect(proxied.get('https://127.0.0.1:9/', OPTIONS)).rejects.toThrow(
        /proxy refused to open a tunnel to 127\.0\.0\.1:9 \(HTTP 403\)/,
      );
      expect(proxy.requests).toEqual(['CONNECT 127.0.0.1:9']);
    } finally {
      await proxy.close();
    }
  });
});
