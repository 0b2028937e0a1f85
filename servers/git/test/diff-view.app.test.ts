import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openAppHost, spawnServer } from '@portico-mcp/shared/testing';
import type { AppHost, SpawnedServer, TempDir } from '@portico-mcp/shared/testing';
import { IDENTITY, git, makeRepo, write } from './helpers.js';

// The diff view in real headless Chromium, inside a host page that speaks the ext-apps bridge, against the
// built server over stdio and a real repository whose last commit renames a file, changes a binary file and a
// Latin-1 file, and rewrites a large one.
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const story = (words: string) => Array.from({ length: 30 }, (_, line) => `line ${line + 1} ${words}`).join('\n') + '\n';

let temp: TempDir;
let repo: string;
let server: SpawnedServer;

beforeAll(async () => {
  temp = await makeTempDir('portico-git-view-');
  repo = makeRepo(join(temp.path, 'repo'), [
    {
      'README.md': '# demo\nfirst\n',
      'docs/old-name.md': story('of the guide'),
      'logo.bin': Buffer.from([0, 1, 2, 3, 255, 0, 7]),
      'latin.txt': Buffer.from('caf\xe9 au lait\n', 'latin1'),
      'big.txt': Array.from({ length: 600 }, (_, line) => `old ${line}`).join('\n') + '\n',
    },
  ]);
  git(repo, 'mv', 'docs/old-name.md', 'docs/new-name.md');
  write(repo, 'docs/new-name.md', story('of the guide').replace('line 15 of the guide', 'line 15 of the new guide'));
  write(repo, 'logo.bin', Buffer.from([0, 9, 9, 9, 255, 0, 7, 8]));
  write(repo, 'latin.txt', Buffer.from('caf\xe9 au lait\nna\xefve cr\xe8me\n', 'latin1'));
  write(repo, 'big.txt', Array.from({ length: 600 }, (_, line) => `new ${line}`).join('\n') + '\n');
  write(repo, 'README.md', '# demo\nsecond\n');
  git(repo, 'add', '--all');
  git(repo, 'commit', '--quiet', '--message', 'rename, binary, Latin-1, large');
  server = await spawnServer({ entry, args: ['--repository', repo], env: IDENTITY });
});

afterAll(async () => {
  await server?.close();
  await temp?.cleanup();
});

const texts = (host: AppHost, selector: string) =>
  host.frame.evaluate<string[]>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => e.textContent.trim())`,
  );

describe('the git diff view', () => {
  it('lists a real commit’s files with counts, labels the rename, the binary file and the Latin-1 file, and shows the hunks', async () => {
    const host = await openAppHost({
      client: server.client,
      tool: 'git_show',
      arguments: { repo_path: repo, revision: 'HEAD' },
    });
    try {
      await host.frame.waitForSelector('ul.files li');
      expect(host.calls[0]).toEqual({
        name: 'git_diff_view',
        arguments: { repo_path: repo, source: 'show', revision: 'HEAD' },
      });
      const items = await texts(host, 'ul.files li');
      expect(items).toHaveLength(5);
      expect(items).toContain('docs/old-name.md → docs/new-name.md renamed+1 −1');
      expect(items).toContain('logo.bin binary');
      expect(items).toContain('latin.txt not UTF-8 (shown as Latin-1)+1 −0');
      expect(items).toContain('README.md +1 −1');
      expect(items).toContain('big.txt +600 −600');
      expect(await texts(host, 'section.file td.code.add')).toEqual(
        expect.arrayContaining(['+line 15 of the new guide', '+naïve crème', '+second']),
      );
      expect(await texts(host, 'section.file p.note')).toEqual(['Binary file: its content is not shown.']);
      expect(host.requests).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it('fetches a large file only when it is opened, through the app-only tool', async () => {
    const host = await openAppHost({
      client: server.client,
      tool: 'git_show',
      arguments: { repo_path: repo, revision: 'HEAD' },
    });
    try {
      await host.frame.waitForSelector('button[data-open]');
      expect(await texts(host, 'button[data-open]')).toEqual(['Show this large diff (1200 changed lines)']);
      await host.frame.click('button[data-open]');
      await host.frame.waitForFunction('document.querySelectorAll("td.code.add").length > 600');
      expect(host.calls.at(-1)).toEqual({
        name: 'git_diff_view',
        arguments: { repo_path: repo, source: 'show', revision: 'HEAD', file: 'big.txt' },
      });
    } finally {
      await host.close();
    }
  });

  it('shows a file side by side, removals beside the additions that replace them', async () => {
    const host = await openAppHost({
      client: server.client,
      tool: 'git_diff',
      arguments: { repo_path: repo, target: 'HEAD~1..HEAD', paths: ['README.md'] },
      theme: 'dark',
    });
    try {
      await host.frame.waitForSelector('table.diff.unified');
      await host.frame.click('button[data-layout="split"]');
      await host.frame.waitForSelector('table.diff.split');
      expect(await texts(host, 'table.split tr.pair td.code')).toEqual(['−first', '+second']);
    } finally {
      await host.close();
    }
  });

  it('tells staged from unstaged changes when the host names no tool', async () => {
    write(repo, 'README.md', '# demo\nstaged\n');
    git(repo, 'add', 'README.md');
    write(repo, 'README.md', '# demo\nunstaged\n');
    try {
      for (const [tool, line] of [
        ['git_diff_staged', '+staged'],
        ['git_diff_unstaged', '+unstaged'],
      ] as const) {
        const host = await openAppHost({ client: server.client, tool, arguments: { repo_path: repo } });
        try {
          await host.frame.waitForSelector('td.code.add');
          expect(await texts(host, 'td.code.add')).toEqual([line]);
        } finally {
          await host.close();
        }
      }
    } finally {
      git(repo, 'reset', '--quiet', '--hard');
    }
  });
});
