import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultBytes } from '@portico-mcp/shared/serve';
import { git, inProcessServer, makeHistory, makeRepo, text, write } from './helpers.js';
import type { InProcessServer } from './helpers.js';

let temp: TempDir;
let repo: string;
let bare: string;
let server: InProcessServer;

beforeAll(async () => {
  temp = await makeTempDir('portico-git-tools-');
  repo = makeRepo(path.join(temp.path, 'repo'), [
    { 'a.txt': 'one\ntwo\nthree\n', 'docs/guide.md': '# Guide\n' },
    { 'a.txt': 'one\n2\nthree\n' },
    { 'b.txt': 'bee\n' },
  ]);
  git(repo, 'branch', 'feature', 'HEAD~1');
  // A local remote is usable only when it is one of the allowed repositories too.
  bare = path.join(temp.path, 'remote.git');
  git(temp.path, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  server = await inProcessServer([repo, bare], { allowRemote: true });
});
afterAll(async () => {
  await server.close();
  await temp.cleanup();
});

const call = (name: string, args: Record<string, unknown> = {}, options?: { budget?: number }) =>
  server.call(name, { repo_path: repo, ...args }, options);

/** The subjects of git_log's commit lines (`<hash> <date> <author>: <subject>`), in order. */
const subjectsOf = (result: Awaited<ReturnType<typeof call>>) =>
  text(result)
    .split('\n')
    .map((line) => /^[0-9a-f]{12} \d{4}-\d\d-\d\d Portico Test: (.*)$/.exec(line)?.[1])
    .filter((subject): subject is string => subject !== undefined);

describe('reference tools, same names and arguments', () => {
  it('git_status reports staged, unstaged and untracked files like git status', async () => {
    write(repo, 'a.txt', 'one\n2\nthree\nfour\n');
    write(repo, 'new.txt', 'new\n');
    write(repo, 'b.txt', 'bee!\n');
    git(repo, 'add', 'b.txt');
    const result = await call('git_status');
    expect(text(result)).toContain('Repository status:\nOn branch main');
    expect(text(result)).toMatch(/Changes to be committed:\n\tmodified: +b\.txt/);
    expect(text(result)).toMatch(/Changes not staged for commit:\n\tmodified: +a\.txt/);
    expect(text(result)).toMatch(/Untracked files:\n\tnew\.txt/);
    expect(result.structuredContent).toMatchObject({
      branch: 'main',
      clean: false,
      staged: 1,
      unstaged: 1,
      untracked: 1,
    });
  });

  it('git_diff_unstaged and git_diff_staged honour context_lines', async () => {
    const unstaged = text(await call('git_diff_unstaged', { context_lines: 0 }));
    expect(unstaged).toMatch(/^Unstaged changes:\ndiff --git a\/a\.txt b\/a\.txt/);
    expect(unstaged).toContain('@@ -3,0 +4 @@');
    expect(unstaged).not.toContain('\n one\n');
    const staged = text(await call('git_diff_staged', { context_lines: 3 }));
    expect(staged).toMatch(/^Staged changes:\n/);
    expect(staged).toContain('-bee\n+bee!');
    expect(staged).not.toContain('a.txt');
  });

  it('git_diff compares the working tree with a target, and accepts A..B ranges', async () => {
    const withBranch = text(await call('git_diff', { target: 'feature' }));
    expect(withBranch).toMatch(/^Diff with feature:\n/);
    expect(withBranch).toContain('b.txt');
    const range = text(await call('git_diff', { target: 'feature..main', context_lines: 0 }));
    expect(range).toContain('+bee\n');
    expect(range).not.toContain('four');
  });

  it('git_reset unstages everything and leaves the working tree', async () => {
    expect(text(await call('git_reset'))).toBe('All staged changes reset');
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
    expect(readFileSync(path.join(repo, 'b.txt'), 'utf8')).toBe('bee!\n');
  });

  it('git_add stages files and git_commit records them with the given message', async () => {
    const added = await call('git_add', { files: ['a.txt', 'b.txt'] });
    expect(added.structuredContent).toMatchObject({ count: 2 });
    const committed = await call('git_commit', { message: 'update a and b' });
    expect(text(committed)).toMatch(/^Changes committed successfully with hash [0-9a-f]{40}$/);
    expect(git(repo, 'log', '-1', '--format=%s%n%H').trim()).toBe(
      `update a and b\n${(committed.structuredContent as { hash: string }).hash}`,
    );
  });

  it('git_commit with files stages and commits in one call, and refuses an empty commit', async () => {
    const result = await call('git_commit', { message: 'add new.txt', files: ['new.txt'] });
    expect(result.isError).toBeFalsy();
    expect(git(repo, 'show', '--name-only', '--format=%s', 'HEAD').trim()).toBe('add new.txt\n\nnew.txt');
    const empty = await call('git_commit', { message: 'nothing' });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/^Nothing is staged to commit/);
  });

  it("git_commit runs the repository's commit hooks", async () => {
    const hook = write(repo, '.git/hooks/commit-msg', '#!/bin/sh\nprintf "\\nHooked-By: commit-msg\\n" >> "$1"\n');
    chmodSync(hook, 0o755);
    write(repo, 'hooked.txt', 'x\n');
    await call('git_commit', { message: 'hooked', files: ['hooked.txt'] });
    expect(git(repo, 'log', '-1', '--format=%B')).toContain('Hooked-By: commit-msg');
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
  });

  it('git_log returns max_count commits, one line each, with a short summary in structure', async () => {
    const result = await call('git_log', { max_count: 2 });
    const structure = result.structuredContent as { count: number; truncated: boolean; next: { offset: number } };
    expect(subjectsOf(result)).toEqual(git(repo, 'log', '-2', '--format=%s').trim().split('\n'));
    expect(subjectsOf(result)[0]).toBe('hooked');
    expect(structure).toEqual({ count: 2, truncated: true, next: { offset: 2 } });
    expect(text(result).split('\n')[1]).toMatch(/^[0-9a-f]{12} \d{4}-\d\d-\d\d Portico Test: hooked$/);
    expect(text(result)).toContain(
      '[Truncated: showing commits 1–2 (max_count). To get more, call git_log again with offset: 2.]',
    );
    // The commits are told once, in text: the structure does not repeat them.
    expect(JSON.stringify(structure)).not.toContain('hooked');
    const next = await call('git_log', { max_count: 2, offset: structure.next.offset });
    expect(subjectsOf(next)).toEqual(git(repo, 'log', '-2', '--skip=2', '--format=%s').trim().split('\n'));
  });

  it('git_log filters by timestamps, path, author, grep, range and offset', async () => {
    const subjects = async (args: Record<string, unknown>) =>
      subjectsOf(await call('git_log', { max_count: 50, ...args }));
    expect(await subjects({ start_timestamp: '2099-01-01' })).toEqual([]);
    expect(await subjects({ end_timestamp: '1990-01-01' })).toEqual([]);
    expect((await subjects({ start_timestamp: '1 year ago' })).length).toBeGreaterThan(3);
    expect(await subjects({ paths: ['docs'] })).toEqual(['commit 1']);
    expect(await subjects({ grep: '^commit [23]$' })).toEqual(['commit 3', 'commit 2']);
    expect(await subjects({ author: 'nobody-by-this-name' })).toEqual([]);
    expect(await subjects({ revision: 'feature..main', grep: '^commit [0-9]' })).toEqual(['commit 3']);
    const total = Number(git(repo, 'rev-list', '--count', 'HEAD').trim());
    expect(await subjects({ offset: total - 1 })).toEqual(['commit 1']);
  });

  it('git_create_branch creates from a base, git_checkout switches, git_branch lists by type', async () => {
    expect(text(await call('git_create_branch', { branch_name: 'topic', base_branch: 'feature' }))).toBe(
      "Created branch 'topic' from 'feature'",
    );
    expect(git(repo, 'rev-parse', 'topic')).toBe(git(repo, 'rev-parse', 'feature'));
    const again = await call('git_create_branch', { branch_name: 'topic' });
    expect(again.isError).toBe(true);
    expect(text(await call('git_checkout', { branch_name: 'topic' }))).toBe("Switched to branch 'topic'");
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('topic');
    const local = await call('git_branch', { branch_type: 'local' });
    expect(text(local)).toContain('* topic');
    const withB = await call('git_branch', { branch_type: 'local', contains: 'feature' });
    expect(
      text(withB)
        .split('\n')
        .map((l) => l.trim())
        .sort(),
    ).toEqual(['* topic', 'feature', 'main']);
    const without = await call('git_branch', { branch_type: 'local', not_contains: 'main' });
    expect(
      text(without)
        .split('\n')
        .map((l) => l.trim())
        .sort(),
    ).toEqual(['* topic', 'feature']);
    await call('git_checkout', { branch_name: 'main' });
  });

  it('git_show shows the commit header, message and diff against the first parent', async () => {
    const result = await call('git_show', { revision: 'feature' });
    expect(text(result)).toMatch(
      /^Commit: [0-9a-f]{40}\nParents: [0-9a-f]{40}\nAuthor: Portico Test <test@portico.invalid>\nDate: /,
    );
    expect(text(result)).toContain('-two\n+2');
    expect(result.structuredContent).toMatchObject({ author: 'Portico Test <test@portico.invalid>', truncated: false });
    const missing = await call('git_show', { revision: 'no-such-branch' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/does not name a commit/);
  });
});

describe('beyond the reference', () => {
  it('git_blame shows who changed each line of a range', async () => {
    const result = await call('git_blame', { path: 'a.txt', start_line: 2, end_line: 3 });
    expect(text(result).split('\n')).toHaveLength(2);
    expect(text(result)).toMatch(/^[0-9a-f]{8} \(Portico Test +\d{4}-\d\d-\d\d +2\) 2$/m);
    expect(result.structuredContent).toMatchObject({ lines: 2, truncated: false });
  });

  it('git_show_file reads a file at a revision and pages a long one', async () => {
    expect(text(await call('git_show_file', { path: 'a.txt', revision: 'feature' }))).toBe('one\n2\nthree\n');
    write(repo, 'long.txt', Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n'));
    await call('git_commit', { message: 'long', files: ['long.txt'] });
    const first = await call('git_show_file', { path: 'long.txt' }, { budget: 5_000 });
    const page = first.structuredContent as { next: { offset: number }; truncated: boolean };
    expect(page.truncated).toBe(true);
    expect(text(first)).toContain(`call git_show_file again with offset: ${page.next.offset}.]`);
    const second = await call('git_show_file', { path: 'long.txt', offset: page.next.offset }, { budget: 5_000 });
    const firstLines = text(first)
      .split('\n')
      .filter((l) => l.startsWith('line '));
    expect(text(second).startsWith(`line ${firstLines.length}\n`)).toBe(true);
  });

  it('git_compare reports merge base, ahead/behind and base...head in each mode', async () => {
    const stat = await call('git_compare', { base: 'feature', head: 'main', mode: 'stat' });
    const ahead = Number(git(repo, 'rev-list', '--count', 'feature..main').trim());
    expect(ahead).toBeGreaterThan(3);
    expect(stat.structuredContent).toMatchObject({
      ahead,
      behind: 0,
      merge_base: git(repo, 'rev-parse', 'feature').trim(),
    });
    expect(text(stat)).toMatch(/b\.txt +\| +1 \+/);
    expect(text(stat)).not.toContain('diff --git');
    const names = await call('git_compare', { base: 'feature', head: 'main', mode: 'name_only' });
    expect(text(names).trim().split('\n').slice(-5)).toEqual(['a.txt', 'b.txt', 'hooked.txt', 'long.txt', 'new.txt']);
    const status = await call('git_compare', { base: 'feature', head: 'main', mode: 'name_status', paths: ['b.txt'] });
    expect(text(status)).toContain('A\tb.txt');
  });

  it('decodes non-UTF-8 diffs tolerantly and describes binary changes', async () => {
    write(repo, 'latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    write(repo, 'blob.bin', Buffer.from([0, 1, 2, 255, 0, 10]));
    await call('git_add', { files: ['latin1.txt', 'blob.bin'] });
    const result = await call('git_diff_staged');
    expect(text(result)).toContain('+caf\\xe9');
    expect(text(result)).toContain('Binary files /dev/null and b/blob.bin differ');
    expect(result.structuredContent).toMatchObject({ non_utf8: true });
    await call('git_commit', { message: 'binary and latin-1' });
    const file = await call('git_show_file', { path: 'blob.bin' });
    expect(text(file)).toMatch(/is a binary file of 6 B/);
  });

  it('pages a diff larger than the reply budget with offsets that continue exactly', async () => {
    write(repo, 'big.txt', Array.from({ length: 5000 }, (_, i) => `row ${i}`).join('\n'));
    await call('git_add', { files: ['big.txt'] });
    let offset = 0;
    let pages = 0;
    let all = '';
    for (;;) {
      const result = await call('git_diff_staged', { offset }, { budget: 20_000 });
      const page = result.structuredContent as { next?: { offset: number } };
      all += text(result)
        .replace(/^Staged changes:\n/, '')
        .replace(/\n?\[Truncated:[^\]]*\]$/, '\n')
        .replace(/\n\n$/, '\n');
      pages++;
      if (page.next === undefined) break;
      offset = page.next.offset;
    }
    expect(pages).toBeGreaterThan(2);
    expect(all.match(/^\+row \d+$/gm)).toHaveLength(5000);
    await call('git_reset');
  });

  it('lists tags and creates lightweight and annotated ones', async () => {
    expect((await call('git_create_tag', { tag_name: 'v1.0', message: 'First release' })).isError).toBeFalsy();
    expect((await call('git_create_tag', { tag_name: 'v0.9', revision: 'feature' })).isError).toBeFalsy();
    const tags = await call('git_tags');
    expect(text(tags)).toMatch(/^v1\.0 {2}[0-9a-f]{12} {2}\d{4}-\d\d-\d\d {2}annotated: First release$/m);
    expect(text(tags)).toMatch(/^v0\.9 {2}[0-9a-f]{12} {2}\d{4}-\d\d-\d\d {2}lightweight$/m);
    expect(tags.structuredContent).toEqual({ count: 2, truncated: false });
    expect((await call('git_create_tag', { tag_name: 'v1.0' })).isError).toBe(true);
  });

  it('stashes changes, lists them and pops them back', async () => {
    write(repo, 'a.txt', 'stashed change\n');
    expect((await call('git_stash_push', { message: 'wip' })).structuredContent).toEqual({
      created: true,
      truncated: false,
    });
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).not.toBe('stashed change\n');
    const list = await call('git_stash_list');
    expect(text(list)).toMatch(/^stash@\{0\}: On main: wip$/);
    await call('git_stash_pop');
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('stashed change\n');
    expect(text(await call('git_stash_list'))).toBe('No stashes.');
    git(repo, 'checkout', '--', 'a.txt');
  });

  it('fetches, pulls and pushes with local bare repositories, and lists remotes without credentials', async () => {
    git(repo, 'remote', 'add', 'origin', bare);
    git(repo, 'remote', 'add', 'mirror', 'https://user:s3cret@example.invalid/repo.git');
    const remotes = await call('git_remotes');
    expect(text(remotes)).not.toContain('s3cret');
    expect(text(remotes)).toContain('https://user:***@example.invalid/repo.git');
    git(repo, 'remote', 'remove', 'mirror');

    expect((await call('git_push', { set_upstream: true })).isError).toBeFalsy();
    expect(git(bare, 'rev-parse', 'refs/heads/main')).toBe(git(repo, 'rev-parse', 'main'));

    const clone = path.join(temp.path, 'clone');
    git(temp.path, 'clone', '--quiet', bare, clone);
    write(clone, 'from-clone.txt', 'hi\n');
    git(clone, 'add', 'from-clone.txt');
    git(clone, 'commit', '--quiet', '--message', 'from clone');
    git(clone, 'push', '--quiet', 'origin', 'main');

    expect((await call('git_fetch')).isError).toBeFalsy();
    expect(git(repo, 'rev-parse', 'origin/main')).toBe(git(clone, 'rev-parse', 'HEAD'));
    expect((await call('git_pull')).isError).toBeFalsy();
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(git(clone, 'rev-parse', 'HEAD'));
    const unknown = await call('git_fetch', { remote: 'nowhere' });
    expect(text(unknown)).toMatch(/is not configured/);
  });
});

describe('registration', () => {
  it('registers remote tools only with --allow-remote', async () => {
    const plain = await inProcessServer([repo]);
    expect([...plain.tools.keys()]).toContain('git_remotes');
    expect([...plain.tools.keys()]).not.toContain('git_push');
    await plain.close();
    expect([...server.tools.keys()]).toEqual(expect.arrayContaining(['git_fetch', 'git_pull', 'git_push']));
  });

  it('--read-only registers no tool that can change the repository', async () => {
    const readOnly = await inProcessServer([repo], { allowRemote: true, argv: ['--read-only'] });
    const names = [...readOnly.tools.keys()];
    await readOnly.close();
    expect(names).toContain('git_log');
    for (const write of [
      'git_commit',
      'git_add',
      'git_reset',
      'git_checkout',
      'git_create_branch',
      'git_create_tag',
      'git_stash_push',
      'git_stash_pop',
      'git_fetch',
      'git_pull',
      'git_push',
    ]) {
      expect(names).not.toContain(write);
    }
  });

  it('client roots narrow the allowed repositories to the roots the client shares (2025-era)', async () => {
    const other = makeRepo(path.join(temp.path, 'other'), [{ 'b.txt': 'b\n' }]);
    const both = await inProcessServer([repo, other]);
    const roots = [`file://${other}`];
    const shared = await both.call('git_status', { repo_path: other }, { roots });
    expect(shared.isError).toBeFalsy();
    const notShared = await both.call('git_status', { repo_path: repo }, { roots });
    expect(notShared.isError).toBe(true);
    expect(text(notShared)).toMatch(/^Access denied/);
    await both.close();
  });

  it('marks exactly the read tools read-only', () => {
    const readOnly = [...server.tools.values()]
      .filter((tool) => tool.annotations?.readOnlyHint)
      .map((tool) => tool.name)
      .sort();
    expect(readOnly).toEqual([
      'git_blame',
      'git_branch',
      'git_compare',
      'git_diff',
      'git_diff_staged',
      'git_diff_unstaged',
      'git_diff_view',
      'git_log',
      'git_remotes',
      'git_show',
      'git_show_file',
      'git_stash_list',
      'git_status',
      'git_tags',
    ]);
  });
});

describe('replies within the reply budget, cut with truncated and next', () => {
  const BUDGET = 1_500;
  let history: string;
  let small: InProcessServer;

  beforeAll(async () => {
    history = makeHistory(path.join(temp.path, 'history'), { commits: 40, lines: 300, branches: 80, tags: 30 });
    for (let i = 0; i < 80; i++) write(history, `untracked-${String(i).padStart(3, '0')}.txt`, 'x\n');
    small = await inProcessServer([history], { argv: ['--max-output-bytes', String(BUDGET)] });
  });
  afterAll(() => small.close());

  const callSmall = (name: string, args: Record<string, unknown> = {}) =>
    small.call(name, { repo_path: history, ...args });
  /** Everything a reply sends, text and structure, as the kernel counts it. */
  const within = (result: Awaited<ReturnType<typeof callSmall>>) =>
    expect(resultBytes(result)).toBeLessThanOrEqual(BUDGET);

  it('git_log stops at the budget before max_count and continues from next.offset', async () => {
    const seen: string[] = [];
    let offset = 0;
    for (let calls = 0; calls < 40; calls++) {
      const result = await callSmall('git_log', { max_count: 1000, offset });
      within(result);
      const lines = text(result)
        .split('\n')
        .filter((line) => /^[0-9a-f]{12} /.test(line));
      seen.push(...lines.map((line) => line.replace(/^.*: /, '')));
      const structure = result.structuredContent as { count: number; truncated: boolean; next?: { offset: number } };
      expect(structure.count).toBe(lines.length);
      if (!structure.truncated) break;
      expect(text(result)).toContain('(the reply budget). To get more, call git_log again with offset: ');
      offset = structure.next!.offset;
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `commit ${40 - i}`));
  });

  it('git_status keeps its counts whole when the listing is cut, and says how to shorten it', async () => {
    const result = await callSmall('git_status');
    within(result);
    expect(result.structuredContent).toMatchObject({ untracked: 80, clean: false, truncated: true });
    expect((result.structuredContent as { next?: unknown }).next).toBeUndefined();
    expect(text(result)).toMatch(
      /\[Truncated: showing \d+ of 80 entries \(the reply budget\)\. To get more, use git_diff_staged/,
    );
  });

  it('git_branch says how many branches it showed of how many', async () => {
    const result = await callSmall('git_branch');
    within(result);
    const shown = text(result)
      .split('\n')
      .filter((line) => / branch-\d{3}$| main$/.test(line)).length;
    expect(result.structuredContent).toMatchObject({ count: shown, current: 'main', truncated: true });
    expect(text(result)).toContain(
      `[Truncated: showing ${shown} of 81 branches (the reply budget). To get more, narrow with contains / not_contains or branch_type.]`,
    );
  });

  it('git_blame continues from next.start_line with the owners of the shown lines in structure', async () => {
    const first = await callSmall('git_blame', { path: 'big.txt' });
    within(first);
    const structure = first.structuredContent as {
      lines: number;
      truncated: boolean;
      next: { start_line: number };
      commits: Array<{ summary: string }>;
    };
    expect(structure.truncated).toBe(true);
    expect(structure.next.start_line).toBe(structure.lines + 1);
    expect(structure.commits.map((commit) => commit.summary)).toEqual(['commit 1']);
    const second = await callSmall('git_blame', { path: 'big.txt', start_line: structure.next.start_line });
    expect(text(second).split('\n')[0]).toMatch(
      new RegExp(
        `^[0-9a-f]{8} \\(Portico Test +\\d{4}-\\d\\d-\\d\\d +${structure.next.start_line}\\) line ${structure.next.start_line}$`,
      ),
    );
  });

  it('git_show and git_diff pages stay within the budget, structure and notice included, and continue exactly', async () => {
    const show = await callSmall('git_show', { revision: 'HEAD~39' });
    within(show);
    const page = show.structuredContent as {
      hash: string;
      parents: string[];
      author: string;
      truncated: boolean;
      next: { offset: number };
    };
    expect(page).toMatchObject({
      hash: git(history, 'rev-parse', 'HEAD~39').trim(),
      parents: [],
      author: 'Portico Test <test@portico.invalid>',
      truncated: true,
    });
    expect(text(show)).toContain(
      `To get more, call git_show again with offset: ${page.next.offset}, or pass paths to see fewer files.]`,
    );
    const rest = await callSmall('git_show', { revision: 'HEAD~39', offset: page.next.offset });
    within(rest);
    const raw = git(history, 'show', '--format=', 'HEAD~39');
    const lastShown = text(show)
      .split('\n')
      .filter((line) => /^\+line \d+$/.test(line))
      .at(-1)!;
    const firstNext = text(rest)
      .split('\n')
      .find((line) => /^\+line \d+$/.test(line))!;
    expect(Number(firstNext.slice(6))).toBe(Number(lastShown.slice(6)) + 1);
    expect(raw).toContain(`${lastShown}\n${firstNext}\n`);
  });

  it('git_tags pages with max_count and offset', async () => {
    const first = await callSmall('git_tags', { max_count: 5 });
    expect(first.structuredContent).toEqual({ count: 5, truncated: true, next: { offset: 5 } });
    expect(text(first)).toContain(
      '[Truncated: showing tags 1–5 (max_count). To get more, call git_tags again with offset: 5.]',
    );
    const names = async (offset: number) =>
      text(await callSmall('git_tags', { max_count: 5, offset }))
        .split('\n')
        .filter((line) => /^v\d+ /.test(line))
        .map((line) => line.split(' ')[0]);
    const firstNames = await names(0);
    const secondNames = await names(5);
    expect(secondNames).toHaveLength(5);
    expect(secondNames.filter((name) => firstNames.includes(name))).toEqual([]);
  });
});
