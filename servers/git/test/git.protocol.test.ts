import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERAS, makeTempDir, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY, git, makeRepo, write } from './helpers.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REFERENCE_TOOLS = ['git_status', 'git_diff_unstaged', 'git_diff_staged', 'git_diff', 'git_commit', 'git_add', 'git_reset', 'git_log', 'git_create_branch', 'git_checkout', 'git_show', 'git_branch'];

let temp: TempDir;
let repo: string;
let other: string;

beforeAll(async () => {
  temp = await makeTempDir('portico-git-protocol-');
  repo = makeRepo(path.join(temp.path, 'repo'), [{ 'a.txt': 'one\n' }, { 'a.txt': 'two\n' }]);
  other = makeRepo(path.join(temp.path, 'other'), [{ 'b.txt': 'b\n' }]);
});
afterAll(() => temp.cleanup());

describe.each(ERAS)('over stdio, %s era', (era) => {
  it('offers every reference tool with the reference argument names', async () => {
    const server = await spawnServer({ entry, era, args: ['--repository', repo], env: IDENTITY });
    try {
      const { tools } = await server.client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      for (const name of REFERENCE_TOOLS) expect(byName.has(name), name).toBe(true);
      const properties = (name: string) => Object.keys((byName.get(name)!.inputSchema as { properties: object }).properties);
      expect(properties('git_diff')).toEqual(expect.arrayContaining(['repo_path', 'target', 'context_lines']));
      expect(properties('git_log')).toEqual(expect.arrayContaining(['repo_path', 'max_count', 'start_timestamp', 'end_timestamp']));
      expect(properties('git_create_branch')).toEqual(expect.arrayContaining(['repo_path', 'branch_name', 'base_branch']));
      expect(properties('git_branch')).toEqual(expect.arrayContaining(['repo_path', 'branch_type', 'contains', 'not_contains']));
      expect(properties('git_add')).toEqual(expect.arrayContaining(['repo_path', 'files']));
      expect(properties('git_commit')).toEqual(expect.arrayContaining(['repo_path', 'message']));
      for (const name of REFERENCE_TOOLS) expect(properties(name)).toContain('repo_path');
    } finally {
      await server.close();
    }
  });

  it('answers git_log with structured commits and git_status with a summary', async () => {
    const server = await spawnServer({ entry, era, args: ['--repository', repo], env: IDENTITY });
    try {
      const log = await server.client.callTool({ name: 'git_log', arguments: { repo_path: repo, max_count: 5 } });
      const expected = git(repo, 'log', '-5', '--format=%H').trim().split('\n');
      expect((log.structuredContent as { commits: Array<{ hash: string }> }).commits.map((c) => c.hash)).toEqual(expected);
      expect(resultText(log)).toMatch(/Portico Test: commit 2/);
      const status = await server.client.callTool({ name: 'git_status', arguments: { repo_path: repo } });
      expect(status.structuredContent).toMatchObject({ branch: 'main' });
      const outside = await server.client.callTool({ name: 'git_status', arguments: { repo_path: other } });
      expect(outside.isError).toBe(true);
      expect(resultText(outside)).toMatch(/^Access denied/);
    } finally {
      await server.close();
    }
  });

  it('commits through the spawned server with the identity from its environment', async () => {
    const server = await spawnServer({ entry, era, args: ['--repository', repo], env: IDENTITY });
    try {
      write(repo, 'a.txt', `changed in the ${era} era\n`);
      const result = await server.client.callTool({ name: 'git_commit', arguments: { repo_path: repo, message: `from ${era}`, files: ['a.txt'] } });
      expect(result.isError, resultText(result)).toBeFalsy();
      expect(git(repo, 'log', '-1', '--format=%an <%ae> %s').trim()).toBe(`Portico Test <test@portico.invalid> from ${era}`);
      const again = await server.client.callTool({ name: 'git_commit', arguments: { repo_path: repo, message: 'nothing staged' } });
      expect(again.isError).toBe(true);
      expect(resultText(again)).toMatch(/^Nothing is staged to commit/);
    } finally {
      await server.close();
    }
  });
});

describe('flags', () => {
  it('--read-only registers no tool that can change the repository', async () => {
    const server = await spawnServer({ entry, args: ['--repository', repo, '--read-only', '--allow-remote'], env: IDENTITY });
    try {
      const names = (await server.client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain('git_log');
      for (const write of ['git_commit', 'git_add', 'git_reset', 'git_checkout', 'git_create_branch', 'git_create_tag', 'git_stash_push', 'git_stash_pop', 'git_fetch', 'git_pull', 'git_push']) {
        expect(names).not.toContain(write);
      }
    } finally {
      await server.close();
    }
  });

  it('refuses to start without a repository', async () => {
    await expect(spawnServer({ entry, args: [] })).rejects.toThrow(/--repository/);
  });
});

describe('client roots (2025-era stdio)', () => {
  it('narrow the allowed repositories to the roots the client shares', async () => {
    const server = await spawnServer({ entry, era: 'legacy', args: ['--repository', repo, '--repository', other], env: IDENTITY, capabilities: { roots: { listChanged: true } } });
    try {
      server.client.setRequestHandler('roots/list', () => ({ roots: [{ uri: `file://${other}` }] }));
      const shared = await server.client.callTool({ name: 'git_status', arguments: { repo_path: other } });
      expect(shared.isError).toBeFalsy();
      const notShared = await server.client.callTool({ name: 'git_status', arguments: { repo_path: repo } });
      expect(notShared.isError).toBe(true);
      expect(git(repo, 'status', '--porcelain')).toBe('');
    } finally {
      await server.close();
    }
  });
});
