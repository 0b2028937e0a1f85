import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERAS, makeTempDir, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY, git, makeRepo, write } from './helpers.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REFERENCE_TOOLS = [
  'git_status',
  'git_diff_unstaged',
  'git_diff_staged',
  'git_diff',
  'git_commit',
  'git_add',
  'git_reset',
  'git_log',
  'git_create_branch',
  'git_checkout',
  'git_show',
  'git_branch',
];

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
      const properties = (name: string) =>
        Object.keys((byName.get(name)!.inputSchema as { properties: object }).properties);
      expect(properties('git_diff')).toEqual(expect.arrayContaining(['repo_path', 'target', 'context_lines']));
      expect(properties('git_log')).toEqual(
        expect.arrayContaining(['repo_path', 'max_count', 'start_timestamp', 'end_timestamp']),
      );
      expect(properties('git_create_branch')).toEqual(
        expect.arrayContaining(['repo_path', 'branch_name', 'base_branch']),
      );
      expect(properties('git_branch')).toEqual(
        expect.arrayContaining(['repo_path', 'branch_type', 'contains', 'not_contains']),
      );
      expect(properties('git_add')).toEqual(expect.arrayContaining(['repo_path', 'files']));
      expect(properties('git_commit')).toEqual(expect.arrayContaining(['repo_path', 'message']));
      for (const name of REFERENCE_TOOLS) expect(properties(name)).toContain('repo_path');
    } finally {
      await server.close();
    }
  });

  it('answers git_log with one line per commit and a summary, and git_status with its counts', async () => {
    const server = await spawnServer({ entry, era, args: ['--repository', repo], env: IDENTITY });
    try {
      const log = await server.client.callTool({ name: 'git_log', arguments: { repo_path: repo, max_count: 5 } });
      const expected = git(repo, 'log', '-5', '--format=%H').trim().split('\n');
      const shown = resultText(log)
        .split('\n')
        .slice(1)
        .map((line) => line.slice(0, 12));
      expect(shown).toEqual(expected.map((hash) => hash.slice(0, 12)));
      expect(resultText(log)).toMatch(/Portico Test: commit 2/);
      expect(log.structuredContent).toEqual({ count: expected.length, truncated: false });
      const status = await server.client.callTool({ name: 'git_status', arguments: { repo_path: repo } });
      expect(status.structuredContent).toMatchObject({ branch: 'main', truncated: false });
      const outside = await server.client.callTool({ name: 'git_status', arguments: { repo_path: other } });
      expect(outside.isError).toBe(true);
      expect(resultText(outside)).toMatch(/^Access denied/);
    } finally {
      await server.close();
    }
  });

  it('sends a diff cut to --max-output-bytes in one message, and the next page from next.offset', async () => {
    const big = makeRepo(path.join(temp.path, `big-${era}`), [{ 'big.txt': 'start\n' }]);
    write(big, 'big.txt', Array.from({ length: 4000 }, (_, i) => `row ${i}`).join('\n'));
    const server = await spawnServer({
      entry,
      era,
      args: ['--repository', big, '--max-output-bytes', '8000'],
      env: IDENTITY,
    });
    try {
      const first = await server.client.callTool({ name: 'git_diff_unstaged', arguments: { repo_path: big } });
      const page = first.structuredContent as { truncated: boolean; next: { offset: number } };
      expect(page.truncated).toBe(true);
      expect(Buffer.byteLength(resultText(first)) + Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(8000);
      expect(resultText(first)).toContain(
        `To get more, call git_diff_unstaged again with offset: ${page.next.offset}, or pass paths to see fewer files.]`,
      );
      const lastShown = /^\+row (\d+)$/m.exec(
        resultText(first)
          .split('\n')
          .filter((line) => line.startsWith('+row '))
          .at(-1) ?? '',
      )?.[1];
      const second = await server.client.callTool({
        name: 'git_diff_unstaged',
        arguments: { repo_path: big, offset: page.next.offset },
      });
      expect(resultText(second).split('\n')[1]).toBe(`+row ${Number(lastShown) + 1}`);
    } finally {
      await server.close();
    }
  });

  it('commits through the spawned server with the identity from its environment', async () => {
    const server = await spawnServer({ entry, era, args: ['--repository', repo], env: IDENTITY });
    try {
      write(repo, 'a.txt', `changed in the ${era} era\n`);
      const result = await server.client.callTool({
        name: 'git_commit',
        arguments: { repo_path: repo, message: `from ${era}`, files: ['a.txt'] },
      });
      expect(result.isError, resultText(result)).toBeFalsy();
      expect(git(repo, 'log', '-1', '--format=%an <%ae> %s').trim()).toBe(
        `Portico Test <test@portico.invalid> from ${era}`,
      );
      const again = await server.client.callTool({
        name: 'git_commit',
        arguments: { repo_path: repo, message: 'nothing staged' },
      });
      expect(again.isError).toBe(true);
      expect(resultText(again)).toMatch(/^Nothing is staged to commit/);
    } finally {
      await server.close();
    }
  });
});

describe('startup', () => {
  it('refuses to start without a repository', async () => {
    await expect(spawnServer({ entry, args: [] })).rejects.toThrow(/--repository/);
  });
});
