import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { SpawnedServer } from '@portico-mcp/shared/testing';
import { startFakeGitHub } from './fake-api/index.js';
import type { FakeGitHub, Flavour } from './fake-api/index.js';
import { CALLS } from './calls.js';
import { TEST_TOKEN } from './helpers.js';
import { READ_TOOLS, REFERENCE_TOOLS } from './reference-tools.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const RUNS: Array<[string, (typeof ERAS)[number], Flavour]> = [
  ...ERAS.map((era): [string, (typeof ERAS)[number], Flavour] => [`${era} era, github.com`, era, 'dotcom']),
  ['legacy era, GitHub Enterprise Server', 'legacy', 'ghes'],
];

describe.each(RUNS)('the built server over stdio (%s)', (_label, era, flavour) => {
  let fake: FakeGitHub;
  let server: SpawnedServer;

  beforeAll(async () => {
    fake = await startFakeGitHub({ flavour, quiet: true });
    // GHES is reached the way an operator sets it up: GITHUB_HOST naming the host, the server adding /api/v3.
    const where: Record<string, string> =
      flavour === 'ghes' ? { GITHUB_HOST: fake.origin } : { GITHUB_API_URL: fake.url };
    server = await spawnServer({ entry, era, env: { ...where, GITHUB_PERSONAL_ACCESS_TOKEN: TEST_TOKEN } });
  });
  afterEach(() => {
    fake.assertNoViolations();
    fake.reset();
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it('lists the 26 reference tools', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...REFERENCE_TOOLS].sort());
  });

  it('answers every reference tool from the local API', async () => {
    for (const [tool, args] of CALLS) {
      const result = await server.client.callTool({ name: tool, arguments: args });
      expect(result.isError, `${tool}: ${resultText(result)}`).not.toBe(true);
    }
    if (flavour === 'ghes') expect(fake.requests.every((request) => request.rawPath.startsWith('/api/v3/'))).toBe(true);
  });

  it('answers an API failure with a tool error, never a JSON-RPC error', async () => {
    fake.override('issues/get', { status: 404, body: { message: 'Not Found', documentation_url: 'x', status: '404' } });
    const result = await server.client.callTool({
      name: 'get_issue',
      arguments: { owner: 'octocat', repo: 'Hello-World', issue_number: 404 },
    });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^GitHub found no issue #404 in octocat\/Hello-World \(404\)/);
  });

  it('never writes the token to stderr', () => {
    expect(server.stderr()).not.toContain(TEST_TOKEN);
  });
});

describe('the built server with --read-only', () => {
  it('registers only the tools that change nothing', async () => {
    const server = await spawnServer({ entry, args: ['--read-only'], env: { GITHUB_API_URL: 'http://127.0.0.1:9/' } });
    try {
      const { tools } = await server.client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([...READ_TOOLS].sort());
    } finally {
      await server.close();
    }
  });

  it('warns on stderr when started without a token', async () => {
    const server = await spawnServer({ entry, env: { GITHUB_API_URL: 'http://127.0.0.1:9/' } });
    try {
      await server.client.listTools();
      expect(server.stderr()).toMatch(/No GitHub token/);
    } finally {
      await server.close();
    }
  });
});
