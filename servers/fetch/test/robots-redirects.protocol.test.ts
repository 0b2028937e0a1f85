// Attack cases for robots.txt on redirects: RFC 9309 rules apply to every URL fetched, per origin, so a
// redirect from an allowed page must not carry the tool to a disallowed one.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultText, spawnServer, startTestHttpServer } from '@portico-mcp/shared/testing';
import type { SpawnedServer, TestHttpServer } from '@portico-mcp/shared/testing';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const SECRET = 'members-only roster text';

interface RobotsSite extends Omit<TestHttpServer, 'hits' | 'resetHits'> {
  hits(path: string): number;
}

async function robotsSite(
  robots: { status: number; body: string },
  routes: Record<string, { status: number; location?: string; body?: string }>,
): Promise<RobotsSite> {
  const counts = new Map<string, number>();
  const server = await startTestHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/robots.txt') {
      res.writeHead(robots.status, { 'content-type': 'text/plain' });
      return void res.end(robots.body);
    }
    const route = routes[path] ?? { status: 200, body: `<p>page ${path}</p>` };
    res.writeHead(route.status, {
      'content-type': 'text/html',
      ...(route.location ? { location: route.location } : {}),
    });
    res.end(route.body ?? '');
  });
  return { ...server, hits: (path) => counts.get(path) ?? 0 };
}

async function call(server: SpawnedServer, url: string) {
  const result = await server.client.callTool({ name: 'fetch', arguments: { url } });
  return { text: resultText(result), isError: result.isError === true };
}

describe('robots.txt on every redirect hop', () => {
  let other: RobotsSite;
  let down: RobotsSite;
  let site: RobotsSite;
  let strict: SpawnedServer;
  let ignoring: SpawnedServer;
  beforeAll(async () => {
    other = await robotsSite(
      { status: 200, body: 'User-agent: *\nDisallow: /members\n' },
      { '/members/list': { status: 200, body: `<p>${SECRET}</p>` } },
    );
    down = await robotsSite({ status: 503, body: 'down' }, {});
    site = await robotsSite(
      { status: 200, body: 'User-agent: *\nDisallow: /members\n' },
      {
        '/go': { status: 302, location: '/members/list' },
        '/chain': { status: 301, location: '/go' },
        '/cross': { status: 302, location: `${other.url}/members/list` },
        '/to-down': { status: 302, location: `${down.url}/page` },
        '/to-allowed': { status: 302, location: '/public' },
        '/members/list': { status: 200, body: `<p>${SECRET}</p>` },
      },
    );
    strict = await spawnServer({ entry, args: ['--allow-hosts', '127.0.0.1'] });
    ignoring = await spawnServer({ entry, args: ['--allow-hosts', '127.0.0.1', '--ignore-robots-txt'] });
  });
  afterAll(async () => {
    await Promise.all([strict.close(), ignoring.close(), site.close(), other.close(), down.close()]);
  });

  it.each([
    ['/go', 'a redirect to a disallowed path on the same origin'],
    ['/chain', 'a chain whose second hop goes to a disallowed path'],
  ])('refuses %s (%s) before requesting the disallowed page', async (path) => {
    // Without the per-hop check the redirect reaches the disallowed page.
    const unguarded = await call(ignoring, `${site.url}${path}`);
    expect(unguarded.text).toContain(SECRET);
    const before = site.hits('/members/list');
    const result = await call(strict, `${site.url}${path}`);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      new RegExp(
        `redirected to a page robots\\.txt does not let this server fetch\\. Refused ${site.url}/members/list: the site's robots\\.txt .*"Disallow: /members"`,
      ),
    );
    expect(result.text).not.toContain(SECRET);
    expect(site.hits('/members/list')).toBe(before);
  });

  it("checks a cross-origin redirect against the target origin's own robots.txt", async () => {
    const unguarded = await call(ignoring, `${site.url}/cross`);
    expect(unguarded.text).toContain(SECRET);
    const before = other.hits('/members/list');
    const result = await call(strict, `${site.url}/cross`);
    expect(result.isError).toBe(true);
    expect(result.text).toContain(`Refused ${other.url}/members/list: the site's robots.txt (${other.url}/robots.txt)`);
    expect(other.hits('/members/list')).toBe(before);
  });

  it('refuses a redirect to an origin whose robots.txt answers 5xx (unreachable means disallowed)', async () => {
    const result = await call(strict, `${site.url}/to-down`);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/could not be read \(HTTP 503\)/);
    expect(down.hits('/page')).toBe(0);
  });

  it('follows a redirect to an allowed path', async () => {
    const result = await call(strict, `${site.url}/to-allowed`);
    expect(result.isError).toBe(false);
    expect(result.text).toContain('page /public');
  });

  it('does not hand the tool a document the prompt fetched through a redirect to a disallowed page', async () => {
    const prompt = await strict.client.getPrompt({ name: 'fetch', arguments: { url: `${site.url}/go?via-prompt` } });
    expect(prompt.messages[0]?.content).toMatchObject({ text: expect.stringContaining(SECRET) });
    const result = await call(strict, `${site.url}/go?via-prompt`);
    expect(result.isError).toBe(true);
    expect(result.text).toContain('redirected to a page robots.txt does not let this server fetch');
    expect(result.text).not.toContain(SECRET);
  });
});
