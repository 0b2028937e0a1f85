import { afterEach, describe, expect, it } from 'vitest';
import { UrlPolicy } from '@portico-mcp/shared/net';
import { startTestHttpServer } from '@portico-mcp/shared/testing';
import type { TestHttpServer } from '@portico-mcp/shared/testing';
import { HttpClient } from '../src/net/http-client.js';
import { productToken, RobotsGuard } from '../src/robots.js';

const UA = 'ModelContextProtocol/1.0 (Autonomous; +https://github.com/modelcontextprotocol/servers)';
const LIMITS = { timeoutMs: 5_000, connectTimeoutMs: 2_000 };
const servers: TestHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A site whose /robots.txt is answered by `robots`; counts robots.txt requests. */
async function siteWithRobots(robots: (count: number) => { status: number; body?: string; location?: string }) {
  let count = 0;
  const server = await startTestHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/robots.txt' || path.startsWith('/robots-hop')) {
      count++;
      const answer = path === '/robots.txt' ? robots(count) : robots(count);
      res.writeHead(answer.status, {
        'content-type': 'text/plain',
        ...(answer.location ? { location: answer.location } : {}),
      });
      return void res.end(answer.body ?? '');
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('page');
  });
  servers.push(server);
  return { server, robotsRequests: () => count };
}

function guard(allowHosts = ['127.0.0.1'], ttlMs = 60_000): RobotsGuard {
  return new RobotsGuard(new HttpClient(new UrlPolicy({ allowHosts })), ttlMs);
}

describe('robots.txt per RFC 9309', () => {
  it('refuses a path a Disallow rule covers and names the rule', async () => {
    const { server } = await siteWithRobots(() => ({ status: 200, body: 'User-agent: *\nDisallow: /private\n' }));
    const robots = guard();
    await expect(
      robots.assertAllowed(new URL(`${server.url}/private/page`), { userAgent: UA, limits: LIMITS }),
    ).rejects.toThrow(
      /robots\.txt .* does not allow user agent "ModelContextProtocol" .*rule "Disallow: \/private" on line 2/,
    );
    await expect(
      robots.assertAllowed(new URL(`${server.url}/public`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
  });

  it('matches the group of the User-Agent product token, case-insensitively, over the * group', async () => {
    const body = 'User-agent: *\nDisallow: /\n\nUser-agent: modelcontextprotocol\nAllow: /\nDisallow: /secret\n';
    const { server } = await siteWithRobots(() => ({ status: 200, body }));
    const robots = guard();
    await expect(
      robots.assertAllowed(new URL(`${server.url}/docs`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
    await expect(
      robots.assertAllowed(new URL(`${server.url}/secret`), { userAgent: UA, limits: LIMITS }),
    ).rejects.toThrow(/does not allow/);
    await expect(
      robots.assertAllowed(new URL(`${server.url}/docs`), { userAgent: 'OtherBot/2.0', limits: LIMITS }),
    ).rejects.toThrow(/user agent "OtherBot"/);
  });

  it('prefers the longest match, and Allow on a tie', async () => {
    const body = 'User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /x$\nAllow: /x$\n';
    const { server } = await siteWithRobots(() => ({ status: 200, body }));
    const robots = guard();
    await expect(
      robots.assertAllowed(new URL(`${server.url}/a/b/c`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
    await expect(robots.assertAllowed(new URL(`${server.url}/a/c`), { userAgent: UA, limits: LIMITS })).rejects.toThrow(
      /does not allow/,
    );
    await expect(
      robots.assertAllowed(new URL(`${server.url}/x`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
  });

  it.each([
    [404, 'allows everything'],
    [403, 'allows everything (4xx means unavailable, even 401/403)'],
    [410, 'allows everything'],
  ])('treats HTTP %i for robots.txt as unavailable and %s', async (status) => {
    const { server } = await siteWithRobots(() => ({ status, body: 'User-agent: *\nDisallow: /\n' }));
    await expect(
      guard().assertAllowed(new URL(`${server.url}/page`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
  });

  it.each([500, 503])('treats HTTP %i for robots.txt as unreachable and disallows the whole site', async (status) => {
    const { server } = await siteWithRobots(() => ({ status }));
    await expect(
      guard().assertAllowed(new URL(`${server.url}/page`), { userAgent: UA, limits: LIMITS }),
    ).rejects.toThrow(new RegExp(`could not be read \\(HTTP ${status}\\).*RFC 9309`));
  });

  it('disallows the site when robots.txt cannot be reached at all', async () => {
    const { server } = await siteWithRobots(() => ({ status: 200 }));
    const url = new URL(`${server.url}/page`);
    await server.close();
    await expect(guard().assertAllowed(url, { userAgent: UA, limits: LIMITS })).rejects.toThrow(
      /could not be read .*refused the connection/,
    );
  });

  it('follows up to five redirects to the robots.txt it then applies', async () => {
    const { server, robotsRequests } = await siteWithRobots((count) =>
      count <= 5
        ? { status: 301, location: `/robots-hop-${count}` }
        : { status: 200, body: 'User-agent: *\nDisallow: /blocked\n' },
    );
    await expect(
      guard().assertAllowed(new URL(`${server.url}/blocked`), { userAgent: UA, limits: LIMITS }),
    ).rejects.toThrow(/does not allow/);
    expect(robotsRequests()).toBe(6);
  });

  it('treats more than five redirects as unavailable (allow), as RFC 9309 permits', async () => {
    const { server } = await siteWithRobots((count) => ({ status: 302, location: `/robots-hop-${count}` }));
    await expect(
      guard().assertAllowed(new URL(`${server.url}/page`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
  });

  it('fetches robots.txt once per origin while the cache holds it', async () => {
    const { server, robotsRequests } = await siteWithRobots(() => ({
      status: 200,
      body: 'User-agent: *\nDisallow: /x\n',
    }));
    const robots = guard();
    for (const path of ['/a', '/b', '/c'])
      await robots.assertAllowed(new URL(`${server.url}${path}`), { userAgent: UA, limits: LIMITS });
    expect(robotsRequests()).toBe(1);
  });

  it('checks the robots.txt request itself against the URL policy', async () => {
    const { server, robotsRequests } = await siteWithRobots(() => ({ status: 200, body: 'User-agent: *\nAllow: /\n' }));
    // No --allow-hosts: the loopback origin is refused, so robots.txt is never requested.
    await expect(
      guard([]).verdictFor(new URL(`${server.url}/page`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toMatchObject({
      kind: 'unreachable',
      reason: expect.stringMatching(/loopback address/),
    });
    expect(robotsRequests()).toBe(0);
  });

  it('never counts /robots.txt itself as disallowed', async () => {
    const { server } = await siteWithRobots(() => ({ status: 200, body: 'User-agent: *\nDisallow: /\n' }));
    await expect(
      guard().assertAllowed(new URL(`${server.url}/robots.txt`), { userAgent: UA, limits: LIMITS }),
    ).resolves.toBeUndefined();
  });

  it('takes the product token from the start of the User-Agent', () => {
    expect(productToken(UA)).toBe('ModelContextProtocol');
    expect(productToken('my_bot-2/3.1 (+https://example.com)')).toBe('my_bot-');
    expect(productToken('(weird)')).toBe('*');
  });
});
