// HTTPS end to end: the built server fetches from a real node:https site on 127.0.0.1 whose self-signed
// certificate (fixtures/tls) it trusts only through NODE_EXTRA_CA_CERTS, directly and through a CONNECT proxy,
// under the same URL policy as plain HTTP.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { SpawnedServer } from '@portico-mcp/shared/testing';
import { startTestProxy } from './fixtures/proxy.js';
import type { TestProxy } from './fixtures/proxy.js';
import { startTlsSite, TLS_CERT_PATH, TLS_SECRET } from './fixtures/tls-site.js';
import type { TlsSite } from './fixtures/tls-site.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const TRUST_CERT = { NODE_EXTRA_CA_CERTS: TLS_CERT_PATH };

interface Structured {
  finalUrl: string;
  status: number;
  kind: string;
  title?: string;
}

type CallResult = { text: string; isError: boolean; structured: Structured };

async function call(server: SpawnedServer, args: Record<string, unknown>): Promise<CallResult> {
  const result = await server.client.callTool({ name: 'fetch', arguments: args });
  return {
    text: resultText(result),
    isError: result.isError === true,
    structured: result.structuredContent as Structured,
  };
}

/** Regex-escapes a URL for use inside an expected message. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let site: TlsSite;
beforeAll(async () => {
  site = await startTlsSite();
});
afterAll(async () => {
  await site.close();
});

describe.each(ERAS)('fetch over HTTPS (%s era)', (era) => {
  let byAddress: SpawnedServer;
  let byName: SpawnedServer;
  beforeAll(async () => {
    byAddress = await spawnServer({ entry, era, args: ['--allow-hosts', '127.0.0.1'], env: TRUST_CERT });
    byName = await spawnServer({ entry, era, args: ['--allow-hosts', 'localhost'], env: TRUST_CERT });
  });
  afterAll(async () => {
    await Promise.all([byAddress.close(), byName.close()]);
  });

  it('fetches an https:// page on an allowed address and converts it to markdown', async () => {
    const before = site.hits('/article');
    const result = await call(byAddress, { url: `${site.url}/article`, max_length: 100_000 });
    expect(result.isError).toBe(false);
    expect(result.text.startsWith('[Untrusted web content')).toBe(true);
    expect(result.text).toContain(`Contents of ${site.url}/article:\n# Caching at the Edge\n`);
    expect(result.text).toContain('| Region | p50 (ms) | p99 (ms) |');
    expect(result.structured).toMatchObject({
      finalUrl: `${site.url}/article`,
      status: 200,
      kind: 'html',
      title: 'Caching at the Edge',
    });
    expect(site.hits('/article')).toBe(before + 1);
  });

  it("fetches an https:// page by host name, verified against the certificate's DNS name", async () => {
    const url = `https://localhost:${site.port}/article`;
    const result = await call(byName, { url });
    expect(result.isError).toBe(false);
    expect(result.text).toContain(`Contents of ${url}:\n# Caching at the Edge\n`);
  });

  it('follows an https redirect to an allowed location', async () => {
    const result = await call(byAddress, { url: `${site.url}/to?u=%2Farticle` });
    expect(result.isError).toBe(false);
    expect(result.structured.finalUrl).toBe(`${site.url}/article`);
    expect(result.text).toContain('# Caching at the Edge');
  });

  it('refuses an https redirect to a loopback name that is not allowed, on the hop and without connecting to it', async () => {
    const target = `https://secret.localhost:${site.port}/secret`;
    const url = `https://localhost:${site.port}/to?u=${encodeURIComponent(target)}`;
    const redirects = site.hits('/to');
    const before = site.hits('/secret');
    const result = await call(byName, { url });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      new RegExp(
        `^${literal(url)} redirected to a refused location\\. Refused ${literal(target)}: secret\\.localhost resolves to 127\\.0\\.0\\.1, which is a loopback address; an operator can allow it with --allow-hosts secret\\.localhost\\.$`,
      ),
    );
    expect(result.text).not.toContain(TLS_SECRET);
    expect(site.hits('/to')).toBe(redirects + 1);
    expect(site.hits('/secret')).toBe(before);
  });
});

describe('HTTPS under the default policy', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ entry, env: TRUST_CERT });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses an https:// loopback URL without --allow-hosts, with the policy sentence, before any request', async () => {
    const before = { article: site.hits('/article'), robots: site.hits('/robots.txt') };
    const result = await call(server, { url: `${site.url}/article` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      new RegExp(
        `^Refused ${literal(site.url)}/article: 127\\.0\\.0\\.1 is a loopback address; an operator can allow it with --allow-hosts 127\\.0\\.0\\.1\\.$`,
      ),
    );
    expect(site.hits('/article')).toBe(before.article);
    expect(site.hits('/robots.txt')).toBe(before.robots);
  });
});

describe('HTTPS certificate verification', () => {
  let proxy: TestProxy;
  let untrusting: SpawnedServer;
  let untrustingProxied: SpawnedServer;
  beforeAll(async () => {
    proxy = await startTestProxy();
    // Same flags as above, but the self-signed certificate is not added to the trusted CAs.
    untrusting = await spawnServer({ entry, args: ['--allow-hosts', '127.0.0.1', '--ignore-robots-txt'] });
    untrustingProxied = await spawnServer({
      entry,
      args: ['--allow-hosts', '127.0.0.1', '--ignore-robots-txt', '--proxy-url', proxy.url],
    });
  });
  afterAll(async () => {
    await Promise.all([untrusting.close(), untrustingProxied.close()]);
    await proxy.close();
  });

  const untrusted = (): RegExp =>
    new RegExp(
      `^The TLS certificate of 127\\.0\\.0\\.1:${site.port} could not be verified \\([A-Z_]*CERT[A-Z_]*\\); the page cannot be fetched securely\\.$`,
    );

  it('refuses a certificate the server does not trust, and says so', async () => {
    const before = site.hits('/article');
    const result = await call(untrusting, { url: `${site.url}/article` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(untrusted());
    expect(site.hits('/article')).toBe(before);
  });

  it('verifies the target certificate inside a CONNECT tunnel too', async () => {
    const before = site.hits('/article');
    const result = await call(untrustingProxied, { url: `${site.url}/article` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(untrusted());
    expect(proxy.requests).toEqual([`CONNECT 127.0.0.1:${site.port}`]);
    expect(site.hits('/article')).toBe(before);
  });
});

describe.each(ERAS)('HTTPS through a CONNECT proxy (%s era)', (era) => {
  let proxy: TestProxy;
  let server: SpawnedServer;
  beforeAll(async () => {
    proxy = await startTestProxy();
    server = await spawnServer({
      entry,
      era,
      args: ['--allow-hosts', '127.0.0.1', '--proxy-url', proxy.url],
      env: TRUST_CERT,
    });
  });
  afterAll(async () => {
    await server.close();
    await proxy.close();
  });

  it('tunnels an https:// fetch through the proxy with CONNECT and verifies the target certificate end to end', async () => {
    const before = site.hits('/article');
    const result = await call(server, { url: `${site.url}/article`, max_length: 100_000 });
    expect(result.isError).toBe(false);
    expect(result.text).toContain(`Contents of ${site.url}/article:\n# Caching at the Edge\n`);
    expect(result.structured).toMatchObject({ finalUrl: `${site.url}/article`, status: 200 });
    expect(site.hits('/article')).toBe(before + 1);
    // robots.txt and the page each open a tunnel; the proxy never sees a request in the clear.
    expect(proxy.requests.filter((line) => line === `CONNECT 127.0.0.1:${site.port}`).length).toBeGreaterThanOrEqual(1);
    expect(proxy.requests.every((line) => line === `CONNECT 127.0.0.1:${site.port}`)).toBe(true);
  });

  it('still refuses a loopback target the policy does not allow, before asking the proxy', async () => {
    const seen = proxy.requests.length;
    const result = await call(server, { url: `https://[::1]:${site.port}/secret` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Refused https:\/\/\[::1\]:\d+\/secret: ::1 is a loopback address/);
    expect(proxy.requests.length).toBe(seen);
  });
});
