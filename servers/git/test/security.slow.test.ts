import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { git, inProcessServer, makeRepo, text, tryGit, write } from './helpers.js';

let temp: TempDir;
let marker: string;
let script: string;

beforeAll(async () => {
  temp = await makeTempDir('portico-git-attack-');
  marker = path.join(temp.path, 'marker');
  script = path.join(temp.path, 'evil.sh');
  // Records that it ran, then behaves like `cat` so that filters and textconv still produce output.
  writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\n`);
  chmodSync(script, 0o755);
});
afterAll(() => temp.cleanup());
beforeEach(() => rmSync(marker, { force: true }));

/** A repository whose own config points a program-running key at the marker script. */
interface ConfigAttack {
  name: string;
  /** Arranges the repository (config, attributes, files) so that the naive git command runs the script. */
  arrange(repo: string): void;
  /** The plain git command a naive server would run. */
  naive: string[];
  /** The Portico tool call that must not run it. */
  tool: string;
  args: Record<string, unknown>;
}

const CONFIG_ATTACKS: ConfigAttack[] = [
  {
    name: 'core.fsmonitor runs a program on status',
    arrange: (repo) => git(repo, 'config', 'core.fsmonitor', script),
    naive: ['status'],
    tool: 'git_status',
    args: {},
  },
  {
    name: 'diff.external runs a program on diff',
    arrange: (repo) => {
      git(repo, 'config', 'diff.external', script);
      write(repo, 'a.txt', 'changed\n');
    },
    naive: ['diff'],
    tool: 'git_diff_unstaged',
    args: {},
  },
  {
    name: 'a textconv driver runs a program on show',
    arrange: (repo) => {
      git(repo, 'config', 'diff.evil.textconv', script);
      write(repo, '.gitattributes', '*.txt diff=evil\n');
      write(repo, 'a.txt', 'second version\n');
      git(repo, 'add', '--all');
      git(repo, 'commit', '--quiet', '--message', 'textconv');
    },
    naive: ['show', 'HEAD'],
    tool: 'git_show',
    args: { revision: 'HEAD' },
  },
  {
    name: 'a textconv driver runs a program on blame',
    arrange: (repo) => {
      git(repo, 'config', 'diff.evil.textconv', script);
      write(repo, '.gitattributes', '*.txt diff=evil\n');
      git(repo, 'add', '--all');
      git(repo, 'commit', '--quiet', '--message', 'attributes');
    },
    naive: ['blame', 'a.txt'],
    tool: 'git_blame',
    args: { path: 'a.txt' },
  },
  {
    name: 'a clean filter runs a program on diff',
    arrange: (repo) => {
      write(repo, '.gitattributes', '*.txt filter=evil\n');
      git(repo, 'add', '--all');
      git(repo, 'commit', '--quiet', '--message', 'attributes');
      git(repo, 'config', 'filter.evil.clean', script);
      write(repo, 'a.txt', 'changed\n');
    },
    naive: ['diff'],
    tool: 'git_diff_unstaged',
    args: {},
  },
  {
    name: 'a filter process runs a program on diff',
    arrange: (repo) => {
      write(repo, '.gitattributes', '*.txt filter=evil\n');
      git(repo, 'add', '--all');
      git(repo, 'commit', '--quiet', '--message', 'attributes');
      git(repo, 'config', 'filter.evil.process', script);
      write(repo, 'a.txt', 'changed\n');
    },
    naive: ['diff'],
    tool: 'git_diff_unstaged',
    args: {},
  },
  {
    name: 'a post-index-change hook runs when status refreshes the index',
    arrange: (repo) => {
      write(repo, '.git/hooks/post-index-change', `#!/bin/sh\nexec '${script}' </dev/null\n`);
      chmodSync(path.join(repo, '.git/hooks/post-index-change'), 0o755);
      // An old timestamp makes the index entry stale, so status refreshes and rewrites the index.
      utimesSync(path.join(repo, 'a.txt'), new Date('2001-01-01'), new Date('2001-01-01'));
    },
    naive: ['status'],
    tool: 'git_status',
    args: {},
  },
  {
    name: 'core.hooksPath points the hook directory at attacker scripts',
    arrange: (repo) => {
      const hooks = path.join(repo, 'evil-hooks');
      write(repo, 'evil-hooks/post-index-change', `#!/bin/sh\nexec '${script}' </dev/null\n`);
      chmodSync(path.join(hooks, 'post-index-change'), 0o755);
      git(repo, 'config', 'core.hooksPath', hooks);
      utimesSync(path.join(repo, 'a.txt'), new Date('2001-01-01'), new Date('2001-01-01'));
    },
    naive: ['status'],
    tool: 'git_status',
    args: {},
  },
  ...(['git_status', 'git_diff_unstaged'] as const).map((tool) => ({
    name: `a filter in a submodule's own config runs a program on ${tool === 'git_status' ? 'status' : 'diff'}`,
    arrange: (repo: string) => {
      // Status and diff look inside dirty submodules with a child git that reads the submodule's config.
      const source = makeRepo(`${repo}-submodule-source`, [{ 'f.txt': 'sub\n', '.gitattributes': '* filter=evil\n' }]);
      git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', source, 'sub');
      git(repo, 'commit', '--quiet', '--message', 'submodule');
      git(repo, 'config', '-f', '.git/modules/sub/config', 'filter.evil.clean', script);
      utimesSync(path.join(repo, 'sub', 'f.txt'), new Date('2001-01-01'), new Date('2001-01-01'));
    },
    naive: tool === 'git_status' ? ['status'] : ['diff'],
    tool,
    args: {},
  })),
  {
    name: 'log.showSignature with gpg.program runs a program on log',
    arrange: (repo) => {
      git(repo, 'config', 'log.showSignature', 'true');
      git(repo, 'config', 'gpg.program', script);
      const tree = git(repo, 'rev-parse', 'HEAD^{tree}').trim();
      const parent = git(repo, 'rev-parse', 'HEAD').trim();
      const body = `tree ${tree}\nparent ${parent}\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nsigned\n`;
      const file = write(repo, '../signed-commit.txt', body);
      const commit = git(repo, 'hash-object', '-t', 'commit', '-w', file).trim();
      git(repo, 'update-ref', 'refs/heads/main', commit);
    },
    naive: ['log', '-1'],
    tool: 'git_log',
    args: { max_count: 1 },
  },
];

describe('repository configuration cannot make a read tool run a program', () => {
  it.each(CONFIG_ATTACKS)('$name', async (attack) => {
    const repo = makeRepo(path.join(temp.path, `config-${CONFIG_ATTACKS.indexOf(attack)}`), [
      { 'a.txt': 'first version\n' },
    ]);
    attack.arrange(repo);

    // Without the guard: plain git, as a naive server runs it, starts the program.
    tryGit(repo, ...attack.naive);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker, { force: true });
    // The naive run may have refreshed the index: make it stale again for the guarded run.
    for (const file of ['a.txt', 'sub/f.txt']) {
      if (existsSync(path.join(repo, file)))
        utimesSync(path.join(repo, file), new Date('2001-01-02'), new Date('2001-01-02'));
    }

    const server = await inProcessServer([repo]);
    const result = await server.call(attack.tool, { repo_path: repo, ...attack.args });
    expect(result.isError, text(result)).toBeFalsy();
    expect(existsSync(marker)).toBe(false);
  });
});

/** An argument a naive server would pass to git where git reads options. */
interface ArgumentAttack {
  name: string;
  tool: string;
  args: (ctx: { repo: string; outside: string }) => Record<string, unknown>;
  /** The naive git command and what proves that it bit. */
  naive: (ctx: { repo: string; outside: string }) => string[];
  bitten: (ctx: { repo: string; outside: string }) => boolean;
  remote?: boolean;
}

const written = (ctx: { outside: string }) => existsSync(path.join(ctx.outside, 'written'));

const ARGUMENT_ATTACKS: ArgumentAttack[] = [
  {
    name: 'git_diff target "--output=<file>" writes a file anywhere',
    tool: 'git_diff',
    args: ({ outside }) => ({ target: `--output=${path.join(outside, 'written')}` }),
    naive: ({ outside }) => ['diff', `--output=${path.join(outside, 'written')}`],
    bitten: written,
  },
  {
    name: 'git_show revision "--output=<file>" writes a file anywhere',
    tool: 'git_show',
    args: ({ outside }) => ({ revision: `--output=${path.join(outside, 'written')}` }),
    naive: ({ outside }) => ['show', `--output=${path.join(outside, 'written')}`],
    bitten: written,
  },
  {
    name: 'git_log revision "--output=<file>" writes a file anywhere',
    tool: 'git_log',
    args: ({ outside }) => ({ revision: `--output=${path.join(outside, 'written')}` }),
    naive: ({ outside }) => ['log', `--output=${path.join(outside, 'written')}`],
    bitten: written,
  },
  {
    name: 'git_compare base "--output=<file>" writes a file anywhere',
    tool: 'git_compare',
    args: ({ outside }) => ({ base: `--output=${path.join(outside, 'written')}`, mode: 'patch' }),
    naive: ({ outside }) => ['diff', `--output=${path.join(outside, 'written')}`, 'HEAD'],
    bitten: written,
  },
  {
    name: 'git_create_branch branch_name "--delete" with base "side" deletes a branch',
    tool: 'git_create_branch',
    args: () => ({ branch_name: '--delete', base_branch: 'side' }),
    naive: () => ['branch', '--delete', 'side'],
    bitten: ({ repo }) => !tryGit(repo, 'rev-parse', '--verify', 'refs/heads/side').ok,
  },
  {
    name: 'git_checkout branch_name "--orphan=evil" detaches history',
    tool: 'git_checkout',
    args: () => ({ branch_name: '--orphan=evil' }),
    naive: () => ['checkout', '--orphan=evil'],
    bitten: ({ repo }) => git(repo, 'symbolic-ref', 'HEAD').trim() === 'refs/heads/evil',
  },
  {
    name: 'git_branch contains "-D" with a branch name deletes that branch',
    tool: 'git_branch',
    args: () => ({ branch_type: 'local', contains: '-D' }),
    naive: () => ['branch', '-D', 'side'],
    bitten: ({ repo }) => !tryGit(repo, 'rev-parse', '--verify', 'refs/heads/side').ok,
  },
  {
    name: 'git_create_tag tag_name "-d" with revision "v1" deletes a tag',
    tool: 'git_create_tag',
    args: () => ({ tag_name: '-d', revision: 'v1' }),
    naive: () => ['tag', '-d', 'v1'],
    bitten: ({ repo }) => !tryGit(repo, 'rev-parse', '--verify', 'refs/tags/v1').ok,
  },
  {
    name: 'git_fetch remote "--upload-pack=<program>" runs a program',
    tool: 'git_fetch',
    remote: true,
    args: ({ outside }) => ({ remote: `--upload-pack=touch ${path.join(outside, 'written')};git-upload-pack` }),
    naive: ({ outside }) => ['fetch', `--upload-pack=touch ${path.join(outside, 'written')};git-upload-pack`, 'origin'],
    bitten: written,
  },
  {
    name: 'git_push remote "--receive-pack=<program>" runs a program',
    tool: 'git_push',
    remote: true,
    args: ({ outside }) => ({ remote: `--receive-pack=touch ${path.join(outside, 'written')};git-receive-pack` }),
    naive: ({ outside }) => [
      'push',
      `--receive-pack=touch ${path.join(outside, 'written')};git-receive-pack`,
      'origin',
      'main',
    ],
    bitten: written,
  },
  {
    name: 'git_log author "-c core.fsmonitor=<program>" stays a pattern, never config',
    tool: 'git_log',
    args: ({ outside }) => ({ author: `-c core.fsmonitor=touch ${path.join(outside, 'written')}` }),
    naive: ({ outside }) => ['-c', `core.fsmonitor=touch ${path.join(outside, 'written')}`, 'status'],
    bitten: written,
  },
];

describe('no caller string reaches a place where git reads options', () => {
  it.each(ARGUMENT_ATTACKS)('$name', async (attack) => {
    const index = ARGUMENT_ATTACKS.indexOf(attack);
    const outside = path.join(temp.path, `outside-arg-${index}`);
    const makeVictim = (name: string) => {
      const repo = makeRepo(path.join(temp.path, `${name}-${index}`), [{ 'a.txt': 'one\n' }, { 'a.txt': 'two\n' }]);
      git(repo, 'branch', 'side');
      git(repo, 'tag', 'v1');
      const bare = path.join(temp.path, `${name}-${index}.git`);
      git(temp.path, 'init', '--quiet', '--bare', bare);
      git(repo, 'remote', 'add', 'origin', bare);
      return repo;
    };
    mkdirSync(outside, { recursive: true });

    const naiveRepo = makeVictim('naive');
    tryGit(naiveRepo, ...attack.naive({ repo: naiveRepo, outside }));
    expect(attack.bitten({ repo: naiveRepo, outside })).toBe(true);
    rmSync(path.join(outside, 'written'), { force: true });

    const repo = makeVictim('guarded');
    const server = await inProcessServer([repo], { allowRemote: attack.remote === true });
    const result = await server.call(attack.tool, { repo_path: repo, ...attack.args({ repo, outside }) });
    expect(attack.bitten({ repo, outside })).toBe(false);
    // Either refused with a sentence, or (for a value that is only ever a value) harmless.
    if (result.isError) expect(text(result)).toMatch(/\.$/);
  });
});

describe('repo_path and file paths cannot leave the allowed repositories', () => {
  let allowed: string;
  let outsideRepo: string;

  beforeAll(() => {
    allowed = path.join(temp.path, 'allowed');
    outsideRepo = makeRepo(path.join(temp.path, 'secret-repo'), [{ 'secret.txt': 'SECRET\n' }]);
    git(outsideRepo, 'commit', '--quiet', '--allow-empty', '--message', 'SECRET-COMMIT');
    makeRepo(path.join(allowed, 'repo'), [{ 'a.txt': 'allowed\n' }]);
    // A `.git` file pointing at a repository outside.
    mkdirSync(path.join(allowed, 'gitfile'), { recursive: true });
    writeFileSync(path.join(allowed, 'gitfile', '.git'), `gitdir: ${path.join(outsideRepo, '.git')}\n`);
    // A symbolic link to a repository outside.
    symlinkSync(outsideRepo, path.join(allowed, 'link'));
    // A plain directory inside a repository that is outside (the operator allowed only the subdirectory).
    mkdirSync(path.join(outsideRepo, 'sub'), { recursive: true });
    // A linked worktree inside the allowed directory whose git dir lives in the outside repository.
    git(outsideRepo, 'worktree', 'add', '--quiet', path.join(allowed, 'worktree'));
  });

  const REPO_PATH_ATTACKS = [
    {
      name: 'a nested .git file pointing at another repository',
      repoPath: () => path.join(allowed, 'gitfile'),
      roots: () => [allowed],
    },
    {
      name: 'a symbolic link to a repository outside',
      repoPath: () => path.join(allowed, 'link'),
      roots: () => [allowed],
    },
    {
      name: 'a path that climbs out with ..',
      repoPath: () => path.join(allowed, 'repo', '..', '..', 'secret-repo'),
      roots: () => [allowed],
    },
    { name: 'a relative path that climbs out', repoPath: () => '../secret-repo', roots: () => [allowed] },
    {
      name: 'an allowed directory whose repository is outside',
      repoPath: () => path.join(outsideRepo, 'sub'),
      roots: () => [path.join(outsideRepo, 'sub')],
    },
    {
      name: 'a linked worktree whose git dir is outside',
      repoPath: () => path.join(allowed, 'worktree'),
      roots: () => [allowed],
    },
  ];

  it.each(REPO_PATH_ATTACKS)('refuses $name', async (attack) => {
    const naive = tryGit(path.resolve(attack.roots()[0]!, attack.repoPath()), 'log', '--format=%s');
    expect(naive.out).toContain('SECRET-COMMIT');

    const server = await inProcessServer(attack.roots());
    const result = await server.call('git_log', { repo_path: attack.repoPath() });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Access denied/);
    expect(text(result)).not.toContain('SECRET-COMMIT');
  });

  const ADD_ATTACKS = [
    { name: 'a relative path that climbs out of the work tree', file: () => '../../secret-repo/secret.txt' },
    { name: 'an absolute path outside', file: () => path.join(outsideRepo, 'secret.txt') },
    { name: 'a path into the git directory', file: () => '.git/config' },
  ];

  it.each(ADD_ATTACKS)('git_add refuses $name', async (attack) => {
    const repo = path.join(allowed, 'repo');
    // The path names a real file that the caller must not reach.
    expect(existsSync(path.resolve(repo, attack.file()))).toBe(true);
    const server = await inProcessServer([allowed]);
    const result = await server.call('git_add', { repo_path: repo, files: [attack.file()] });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Access denied/);
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
  });

  it('git_add takes pathspec magic literally instead of reaching other files', async () => {
    const repo = path.join(allowed, 'repo');
    write(repo, 'b.txt', 'b\n');
    // Without literal pathspecs `:(glob)*` would stage every file.
    expect(tryGit(repo, 'add', '--dry-run', ':(glob)*').out).toContain("add 'b.txt'");
    const server = await inProcessServer([allowed]);
    const result = await server.call('git_add', { repo_path: repo, files: [':(glob)*'] });
    expect(result.isError).toBe(true);
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');
    rmSync(path.join(repo, 'b.txt'));
  });

  it('client roots narrow the allowed repositories but never widen them', async () => {
    const server = await inProcessServer([path.join(allowed, 'repo')]);
    const inside = await server.call(
      'git_log',
      { repo_path: path.join(allowed, 'repo') },
      { roots: [`file://${path.join(allowed, 'repo')}`] },
    );
    expect(inside.isError).toBeFalsy();
    const elsewhere = await server.call(
      'git_log',
      { repo_path: path.join(allowed, 'repo') },
      { roots: [`file://${outsideRepo}`] },
    );
    expect(elsewhere.isError).toBe(true);
    const widened = await server.call('git_log', { repo_path: outsideRepo }, { roots: [`file://${outsideRepo}`] });
    expect(widened.isError).toBe(true);
    expect(text(widened)).not.toContain('SECRET-COMMIT');
  });
});
