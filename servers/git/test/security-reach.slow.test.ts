import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { git, inProcessServer, makeRepo, text, tryGit, write } from './helpers.js';

// Attacks where repository content (config and every file under .git are attacker-controlled) makes git read
// or run something outside the repository. Each case first shows plain git reaching the secret or running the
// program, then shows the server refusing or not leaking it.

let temp: TempDir;
let secretFile: string;
let marker: string;
let script: string;
let otherRepo: string;
const SECRET = 'TOPSECRET-first-line';

beforeAll(async () => {
  temp = await makeTempDir('portico-git-reach-');
  secretFile = path.join(temp.path, 'outside', 'secret.txt');
  write(temp.path, 'outside/secret.txt', `${SECRET}\nsecond line\n`);
  marker = path.join(temp.path, 'marker');
  script = path.join(temp.path, 'evil.sh');
  writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\n`);
  chmodSync(script, 0o755);
  otherRepo = makeRepo(path.join(temp.path, 'other-repo'), [{ 'secret.txt': 'OTHER-REPO-SECRET\n' }]);
  git(otherRepo, 'commit', '--quiet', '--allow-empty', '--message', 'OTHER-REPO-COMMIT');
});
afterAll(() => temp.cleanup());
beforeEach(() => rmSync(marker, { force: true }));

let counter = 0;
/** A fresh allowed repository with two committed files. */
function victim(): string {
  return makeRepo(path.join(temp.path, `victim-${counter++}`), [{ 'a.txt': 'alpha\n', 'b.txt': 'beta\n' }]);
}

/** Plain git's output and error text together (what a server that echoes git would show). */
const naive = (repo: string, ...args: string[]) => tryGit(repo, ...args).out;

interface LeakAttack {
  name: string;
  arrange(repo: string): void;
  /** Plain git, run as a naive server would; its output must show the secret. */
  naive: string[];
  /** What in the naive output proves git reached the outside file or repository. */
  leaked: string;
  tool: string;
  args: Record<string, unknown>;
}

const outsideConfig = () =>
  write(temp.path, 'outside/leak.gitconfig', '[remote "leak"]\n\turl = https://OUTSIDE-CONFIG-VALUE.invalid/x\n');

const LEAK_ATTACKS: LeakAttack[] = [
  {
    name: 'blame.ignoreRevsFile naming an outside file makes blame quote its first line',
    arrange: (repo) => git(repo, 'config', 'blame.ignoreRevsFile', secretFile),
    naive: ['blame', 'a.txt'],
    leaked: SECRET,
    tool: 'git_blame',
    args: { path: 'a.txt' },
  },
  {
    name: 'include.path of an outside file brings its values into the repository config',
    arrange: (repo) => git(repo, 'config', 'include.path', outsideConfig()),
    naive: ['remote', '--verbose'],
    leaked: 'OUTSIDE-CONFIG-VALUE',
    tool: 'git_remotes',
    args: {},
  },
  {
    name: 'includeIf.onbranch:main.path of an outside file brings its values into the repository config',
    arrange: (repo) => git(repo, 'config', 'includeIf.onbranch:main.path', outsideConfig()),
    naive: ['remote', '--verbose'],
    leaked: 'OUTSIDE-CONFIG-VALUE',
    tool: 'git_remotes',
    args: {},
  },
  {
    name: 'a .git/config that is a symbolic link to an outside file is read as the repository config',
    arrange: (repo) => {
      const config = path.join(repo, '.git', 'config');
      write(
        temp.path,
        `outside/config-${counter}`,
        '[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote "leak"]\n\turl = https://OUTSIDE-CONFIG-VALUE.invalid/x\n',
      );
      rmSync(config);
      symlinkSync(path.join(temp.path, `outside/config-${counter}`), config);
    },
    naive: ['remote', '--verbose'],
    leaked: 'OUTSIDE-CONFIG-VALUE',
    tool: 'git_remotes',
    args: {},
  },
  {
    name: 'a .git/shallow that is a symbolic link to an outside file makes git quote its first line',
    arrange: (repo) => symlinkSync(secretFile, path.join(repo, '.git', 'shallow')),
    naive: ['log'],
    leaked: SECRET,
    tool: 'git_log',
    args: {},
  },
  {
    name: 'a .git/packed-refs that is a symbolic link to an outside file makes git quote its first line',
    arrange: (repo) => symlinkSync(secretFile, path.join(repo, '.git', 'packed-refs')),
    naive: ['branch', '--list'],
    // git skips what looks like a header and quotes the first line it cannot parse.
    leaked: 'second line',
    tool: 'git_branch',
    args: {},
  },
  {
    name: "a ref that is a symbolic link to another repository's branch, with alternates to its objects, shows its history",
    arrange: (repo) => {
      write(repo, '.git/objects/info/alternates', `${path.join(otherRepo, '.git', 'objects')}\n`);
      symlinkSync(
        path.join(otherRepo, '.git', 'refs', 'heads', 'main'),
        path.join(repo, '.git', 'refs', 'heads', 'leak'),
      );
    },
    naive: ['log', '--format=%s', 'leak'],
    leaked: 'OTHER-REPO-COMMIT',
    tool: 'git_log',
    args: { revision: 'leak' },
  },
  {
    name: "alternates to another repository's objects and a plain ref holding its commit show its files",
    arrange: (repo) => {
      write(repo, '.git/objects/info/alternates', `${path.join(otherRepo, '.git', 'objects')}\n`);
      write(repo, '.git/refs/heads/leak', `${git(otherRepo, 'rev-parse', 'HEAD').trim()}\n`);
    },
    naive: ['show', 'leak:secret.txt'],
    leaked: 'OTHER-REPO-SECRET',
    tool: 'git_show_file',
    args: { path: 'secret.txt', revision: 'leak' },
  },
  {
    name: "a relative alternates path that climbs to another repository's objects shows its files",
    arrange: (repo) => {
      write(
        repo,
        '.git/objects/info/alternates',
        `${path.relative(path.join(repo, '.git', 'objects'), path.join(otherRepo, '.git', 'objects'))}\n`,
      );
      write(repo, '.git/refs/heads/leak', `${git(otherRepo, 'rev-parse', 'HEAD').trim()}\n`);
    },
    naive: ['show', 'leak:secret.txt'],
    leaked: 'OTHER-REPO-SECRET',
    tool: 'git_show_file',
    args: { path: 'secret.txt', revision: 'leak' },
  },
  {
    name: "an objects/pack directory that is a symbolic link to another repository's packs shows its files",
    arrange: (repo) => {
      const packed = makeRepo(path.join(temp.path, `packed-${counter}`), [{ 'secret.txt': 'OTHER-REPO-SECRET\n' }]);
      git(packed, 'repack', '-a', '-d', '--quiet');
      const pack = path.join(repo, '.git', 'objects', 'pack');
      rmSync(pack, { recursive: true, force: true });
      symlinkSync(path.join(packed, '.git', 'objects', 'pack'), pack);
      write(repo, '.git/refs/heads/leak', `${git(packed, 'rev-parse', 'HEAD').trim()}\n`);
    },
    naive: ['show', 'leak:secret.txt'],
    leaked: 'OTHER-REPO-SECRET',
    tool: 'git_show_file',
    args: { path: 'secret.txt', revision: 'leak' },
  },
];

describe('repository content cannot make git read outside the repository', () => {
  it.each(LEAK_ATTACKS)('$name', async (attack) => {
    const repo = victim();
    attack.arrange(repo);
    // Without the guard: plain git reaches the outside file or repository.
    expect(naive(repo, ...attack.naive)).toContain(attack.leaked);

    const server = await inProcessServer([repo]);
    const result = await server.call(attack.tool, { repo_path: repo, ...attack.args });
    expect(text(result)).not.toContain(attack.leaked);
    expect(result.isError, text(result)).toBe(true);
    expect(text(result)).toMatch(/^(Access denied|The repository at)[^\n]*\.$/);
  });
});

interface InfluenceAttack {
  name: string;
  /** Points the repository's config at an outside file that changes what a read shows. */
  arrange(repo: string): void;
  naive: string[];
  /** True when the output shows the outside file's influence. */
  influenced(output: string): boolean;
  tool: string;
  args: Record<string, unknown>;
}

const INFLUENCE_ATTACKS: InfluenceAttack[] = [
  {
    name: 'core.excludesFile naming an outside file changes which files status lists',
    arrange: (repo) => {
      write(temp.path, 'outside/patterns', 'probe.txt\n');
      git(repo, 'config', 'core.excludesFile', path.join(temp.path, 'outside/patterns'));
      write(repo, 'probe.txt', 'untracked\n');
    },
    naive: ['status', '--porcelain'],
    influenced: (output) => !output.includes('probe.txt'),
    tool: 'git_status',
    args: {},
  },
  {
    name: 'core.attributesFile naming an outside file changes how diff shows a file',
    arrange: (repo) => {
      write(temp.path, 'outside/attributes', 'a.txt binary\n');
      git(repo, 'config', 'core.attributesFile', path.join(temp.path, 'outside/attributes'));
      write(repo, 'a.txt', 'changed\n');
    },
    naive: ['diff'],
    influenced: (output) => /Binary files/.test(output),
    tool: 'git_diff_unstaged',
    args: {},
  },
  {
    name: 'diff.orderFile naming an outside file reorders diff output',
    arrange: (repo) => {
      write(temp.path, 'outside/order', 'b.txt\na.txt\n');
      git(repo, 'config', 'diff.orderFile', path.join(temp.path, 'outside/order'));
      write(repo, 'a.txt', 'changed a\n');
      write(repo, 'b.txt', 'changed b\n');
    },
    naive: ['diff'],
    influenced: (output) => output.indexOf('b/b.txt') < output.indexOf('b/a.txt'),
    tool: 'git_diff_unstaged',
    args: {},
  },
  {
    name: 'mailmap.file naming an outside file rewrites the authors blame shows',
    arrange: (repo) => {
      write(temp.path, 'outside/mailmap', 'Leaked Mailmap Name <test@portico.invalid>\n');
      git(repo, 'config', 'mailmap.file', path.join(temp.path, 'outside/mailmap'));
    },
    naive: ['blame', '--porcelain', 'a.txt'],
    influenced: (output) => output.includes('Leaked Mailmap'),
    tool: 'git_blame',
    args: { path: 'a.txt' },
  },
];

describe('config keys that name files are pinned to the operator value on every call', () => {
  it.each(INFLUENCE_ATTACKS)('$name', async (attack) => {
    const repo = victim();
    attack.arrange(repo);
    expect(attack.influenced(naive(repo, ...attack.naive))).toBe(true);

    const server = await inProcessServer([repo]);
    const result = await server.call(attack.tool, { repo_path: repo, ...attack.args });
    expect(result.isError, text(result)).toBeFalsy();
    expect(attack.influenced(text(result))).toBe(false);
  });
});

describe("git's error text never reaches a reply", () => {
  it('a blame ignore-revs file inside the repository cannot make the reply quote its content', async () => {
    const repo = victim();
    write(repo, '.git-blame-ignore-revs', 'INSIDE-FILE-CONTENT\n');
    git(repo, 'config', 'blame.ignoreRevsFile', '.git-blame-ignore-revs');
    expect(naive(repo, 'blame', 'a.txt')).toContain('INSIDE-FILE-CONTENT');

    const server = await inProcessServer([repo]);
    const result = await server.call('git_blame', { repo_path: repo, path: 'a.txt' });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain('INSIDE-FILE-CONTENT');
    expect(text(result)).toMatch(/^git blame failed: [^\n]*\.$/);
  });

  it('a failed fetch does not quote the remote URL or the path it names', async () => {
    const repo = victim();
    // A path inside the allowed repository (one outside is refused before git runs), where nothing is.
    git(repo, 'remote', 'add', 'origin', path.join(repo, 'no-such-place', 'TOKEN-IN-PATH'));
    expect(naive(repo, 'fetch', 'origin')).toContain('TOKEN-IN-PATH');

    const server = await inProcessServer([repo], { allowRemote: true });
    const result = await server.call('git_fetch', { repo_path: repo });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain('TOKEN-IN-PATH');
    expect(text(result)).not.toContain(temp.path);
    expect(text(result)).toMatch(/^git fetch failed: [^\n]*\.$/);
  });

  it('a failed push does not quote the credentials in the remote URL', async () => {
    const repo = victim();
    git(repo, 'remote', 'add', 'origin', 'http://user:SECRET-TOKEN@127.0.0.1:9/repo.git');
    const server = await inProcessServer([repo], { allowRemote: true });
    const result = await server.call('git_push', { repo_path: repo, branch: 'main' });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain('SECRET-TOKEN');
  });
});

describe('repository config cannot choose a program or hooks directory for a write', () => {
  it('gpg.program set by the repository does not run on a signed commit', async () => {
    const repo = victim();
    git(repo, 'config', 'commit.gpgSign', 'true');
    git(repo, 'config', 'gpg.program', script);
    write(repo, 'c.txt', 'c\n');
    git(repo, 'add', 'c.txt');
    tryGit(repo, 'commit', '--message', 'naive');
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);

    const server = await inProcessServer([repo]);
    const result = await server.call('git_commit', { repo_path: repo, message: 'guarded' });
    expect(existsSync(marker)).toBe(false);
    // Signing now uses the operator's gpg (none is set up here), and the failure is one sentence.
    if (result.isError) expect(text(result)).toMatch(/^git commit failed: [^\n]*\.$/);
  });

  it('core.hooksPath pointing outside the repository does not run hooks from there on a commit', async () => {
    const repo = victim();
    const hooks = path.join(temp.path, 'outside', `hooks-${counter}`);
    write(hooks, 'pre-commit', `#!/bin/sh\nexec '${script}' </dev/null\n`);
    chmodSync(path.join(hooks, 'pre-commit'), 0o755);
    git(repo, 'config', 'core.hooksPath', hooks);
    write(repo, 'c.txt', 'c\n');
    git(repo, 'add', 'c.txt');
    git(repo, 'commit', '--quiet', '--message', 'naive');
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);

    write(repo, 'd.txt', 'd\n');
    const server = await inProcessServer([repo]);
    const result = await server.call('git_commit', { repo_path: repo, message: 'guarded', files: ['d.txt'] });
    expect(result.isError, text(result)).toBeFalsy();
    expect(existsSync(marker)).toBe(false);
  });
});

describe('pins hold on every call, with no window after a change to the repository', () => {
  const filterArranged = (repo: string) => {
    write(repo, '.gitattributes', '*.txt filter=evil\n');
    git(repo, 'add', '--all');
    git(repo, 'commit', '--quiet', '--message', 'attributes');
    write(repo, 'a.txt', 'changed\n');
  };
  const stale = (repo: string) => utimesSync(path.join(repo, 'a.txt'), new Date('2001-01-02'), new Date('2001-01-02'));

  const WRITES = [
    {
      name: 'a filter added to .git/config right after a call',
      place: (repo: string) => git(repo, 'config', 'filter.evil.clean', script),
    },
    {
      name: 'a filter added to config.worktree right after a call',
      place: (repo: string) => {
        git(repo, 'config', 'extensions.worktreeConfig', 'true');
        git(repo, 'config', '--worktree', 'filter.evil.clean', script);
      },
    },
    {
      name: 'a filter added to an included config file right after a call',
      place: (repo: string) => write(repo, 'shared.gitconfig', `[filter "evil"]\n\tclean = ${script}\n`),
      before: (repo: string) => git(repo, 'config', 'include.path', '../shared.gitconfig'),
    },
  ];

  it.each(WRITES)('$name does not run on the next git_diff_unstaged', async (attack) => {
    const naiveRepo = victim();
    filterArranged(naiveRepo);
    attack.before?.(naiveRepo);
    attack.place(naiveRepo);
    tryGit(naiveRepo, 'diff');
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);

    const repo = victim();
    filterArranged(repo);
    attack.before?.(repo);
    const server = await inProcessServer([repo]);
    expect((await server.call('git_diff_unstaged', { repo_path: repo })).isError).toBeFalsy();
    attack.place(repo);
    stale(repo);
    const result = await server.call('git_diff_unstaged', { repo_path: repo });
    expect(result.isError, text(result)).toBeFalsy();
    expect(existsSync(marker)).toBe(false);
  });

  it('a .git/commondir written after a call cannot redirect git to another repository', async () => {
    const repo = victim();
    const server = await inProcessServer([repo]);
    expect((await server.call('git_log', { repo_path: repo })).isError).toBeFalsy();
    writeFileSync(path.join(repo, '.git', 'commondir'), `${path.join(otherRepo, '.git')}\n`);
    expect(naive(repo, 'log', '--format=%s')).toContain('OTHER-REPO-COMMIT');

    const result = await server.call('git_log', { repo_path: repo });
    expect(text(result)).not.toContain('OTHER-REPO-COMMIT');
  });

  it('a symbolic link placed in .git right after a call is refused on the next call', async () => {
    const repo = victim();
    const server = await inProcessServer([repo]);
    expect((await server.call('git_log', { repo_path: repo })).isError).toBeFalsy();
    symlinkSync(secretFile, path.join(repo, '.git', 'shallow'));
    expect(naive(repo, 'log')).toContain(SECRET);

    const result = await server.call('git_log', { repo_path: repo });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain(SECRET);
  });
});

describe('links and alternates that stay inside are still usable', () => {
  it('alternates into another allowed repository work', async () => {
    const repo = victim();
    write(repo, '.git/objects/info/alternates', `${path.join(otherRepo, '.git', 'objects')}\n`);
    write(repo, '.git/refs/heads/borrowed', `${git(otherRepo, 'rev-parse', 'HEAD').trim()}\n`);
    const server = await inProcessServer([repo, otherRepo]);
    const result = await server.call('git_show_file', { repo_path: repo, path: 'secret.txt', revision: 'borrowed' });
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toContain('OTHER-REPO-SECRET');
  });

  it('a hooks path inside the work tree (as husky sets it) still runs on a commit', async () => {
    const repo = victim();
    write(repo, '.husky/pre-commit', `#!/bin/sh\nexec '${script}' </dev/null\n`);
    chmodSync(path.join(repo, '.husky/pre-commit'), 0o755);
    git(repo, 'config', 'core.hooksPath', '.husky');
    write(repo, 'c.txt', 'c\n');
    const server = await inProcessServer([repo]);
    const result = await server.call('git_commit', { repo_path: repo, message: 'with husky', files: ['c.txt'] });
    expect(result.isError, text(result)).toBeFalsy();
    expect(existsSync(marker)).toBe(true);
  });

  it('an include of a file inside the repository is followed', async () => {
    const repo = victim();
    write(repo, 'project.gitconfig', '[remote "shared"]\n\turl = https://example.invalid/shared.git\n');
    git(repo, 'config', 'include.path', '../project.gitconfig');
    mkdirSync(path.join(repo, 'sub'), { recursive: true });
    const server = await inProcessServer([repo]);
    const result = await server.call('git_remotes', { repo_path: repo });
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toContain('https://example.invalid/shared.git');
  });
});
