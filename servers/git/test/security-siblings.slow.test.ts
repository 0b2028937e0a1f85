import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import path from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { urlReach } from '../src/git/remote-reach.js';
import { git, gitEnv, inProcessServer, makeRepo, text, tryGit, write } from './helpers.js';

// Siblings of "reading another repository" and "a program runs": remotes that are local repositories outside
// the allowed ones, a bare repository turned into one with an outside work tree, file-valued keys of fetch and
// signing, merge drivers and editors named by repository config. Each case first shows plain git reaching the
// other repository / reading the file / running the program, then shows the server refusing it or not doing it.

let temp: TempDir;
let otherRepo: string;
let otherHead: string;
let secretFile: string;
let marker: string;
let script: string;
let tcp: Server;
let tlsUrl: string;
const SECRET = 'TOPSECRET-first-line';

beforeAll(async () => {
  temp = await makeTempDir('portico-git-siblings-');
  otherRepo = makeRepo(path.join(temp.path, 'other-repo'), [{ 'secret.txt': 'OTHER-REPO-SECRET\n' }]);
  git(otherRepo, 'commit', '--quiet', '--allow-empty', '--message', 'OTHER-REPO-COMMIT');
  otherHead = git(otherRepo, 'rev-parse', 'HEAD').trim();
  secretFile = write(temp.path, 'outside/secret.txt', `${SECRET}\nsecond line\n`);
  marker = path.join(temp.path, 'marker');
  script = path.join(temp.path, 'evil.sh');
  writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 0\n`);
  chmodSync(script, 0o755);
  // A TCP peer that hangs up on the TLS client hello: curl has set up TLS (and read its files) by then.
  tcp = createServer((socket) => socket.on('error', () => undefined).once('data', () => socket.destroy()));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  tlsUrl = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/repo.git`;
});
afterAll(async () => {
  await new Promise((resolve) => tcp.close(resolve));
  await temp.cleanup();
});
beforeEach(() => rmSync(marker, { force: true }));

let counter = 0;
/** A fresh allowed repository with two committed files. */
function victim(name = 'victim'): string {
  return makeRepo(path.join(temp.path, `${name}-${counter++}`), [{ 'a.txt': 'alpha\n', 'b.txt': 'beta\n' }]);
}
/** A fresh empty bare repository (a push target). */
function bareRepo(name: string): string {
  const bare = path.join(temp.path, `${name}-${counter++}.git`);
  git(temp.path, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  return bare;
}
/** Whether the object is in the repository (asked without letting a partial clone fetch it). */
const hasObject = (repo: string, oid: string) => {
  try {
    execFileSync('git', ['cat-file', '-e', `${oid}^{commit}`], {
      cwd: repo,
      env: gitEnv({ GIT_NO_LAZY_FETCH: '1' }),
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
};
const hasBranch = (repo: string, branch: string) =>
  tryGit(repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`).ok;

interface RemoteAttack {
  name: string;
  /** Configures the victim's remote; returns what `bitten` checks (the other repository, a push target, a marker). */
  arrange(repo: string): string;
  tool: 'git_fetch' | 'git_pull' | 'git_push';
  args?: Record<string, unknown>;
  /** Plain git, as a naive server would run it. */
  naive(repo: string): void;
  bitten(repo: string, target: string): boolean;
  /** Further repositories the operator allowed (they are not the problem; where they lead is). */
  alsoAllowed?: (repo: string) => string[];
}

const fetched = (repo: string) => hasObject(repo, otherHead);
const plain =
  (...args: string[]) =>
  (repo: string) =>
    void tryGit(repo, ...args);

const REMOTE_ATTACKS: RemoteAttack[] = [
  {
    name: 'a remote URL that is an absolute path to another repository',
    arrange: (repo) => (git(repo, 'remote', 'add', 'origin', otherRepo), otherRepo),
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a file:// URL of another repository',
    arrange: (repo) => (git(repo, 'remote', 'add', 'origin', `file://${otherRepo}`), otherRepo),
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a file:// URL of another repository spelled with percent-escapes',
    arrange: (repo) => {
      const escaped = [...otherRepo].map((char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
      git(repo, 'remote', 'add', 'origin', `file://${escaped}`);
      return otherRepo;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a relative path that climbs to another repository',
    arrange: (repo) => (git(repo, 'remote', 'add', 'origin', path.relative(repo, otherRepo)), otherRepo),
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a relative path through a symbolic link in the work tree',
    arrange: (repo) => {
      symlinkSync(otherRepo, path.join(repo, 'vendor-mirror'));
      git(repo, 'remote', 'add', 'origin', 'vendor-mirror');
      return otherRepo;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a path whose "<path>.git" sibling, which git also tries, is a link to another repository',
    arrange: (repo) => {
      symlinkSync(otherRepo, path.join(repo, 'mirror.git'));
      git(repo, 'remote', 'add', 'origin', path.join(repo, 'mirror'));
      return otherRepo;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a network-looking URL that url.<base>.insteadOf rewrites to another repository',
    arrange: (repo) => {
      git(repo, 'config', `url.${otherRepo}.insteadOf`, 'https://example.invalid/repo.git');
      git(repo, 'remote', 'add', 'origin', 'https://example.invalid/repo.git');
      return otherRepo;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a remote whose name is a path and that has no URL, so git takes the name as the URL',
    arrange: (repo) => {
      git(repo, 'config', `remote.${path.relative(repo, otherRepo)}.fetch`, '+refs/heads/*:refs/remotes/other/*');
      return otherRepo;
    },
    tool: 'git_fetch',
    args: { remote: '../other-repo' },
    naive: plain('fetch', '../other-repo'),
    bitten: fetched,
  },
  {
    name: 'a remote defined by a legacy .git/remotes file',
    arrange: (repo) => {
      git(repo, 'config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*');
      write(repo, '.git/remotes/origin', `URL: ${otherRepo}\nPull: refs/heads/main:refs/remotes/origin/main\n`);
      return otherRepo;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'a remote defined by a legacy .git/branches file',
    arrange: (repo) => {
      git(repo, 'config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*');
      write(repo, '.git/branches/origin', `${otherRepo}#main\n`);
      return otherRepo;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'an allowed directory whose .git file leads to another repository',
    arrange: (repo) => {
      const relay = path.join(`${repo}-relay`);
      mkdirSync(relay, { recursive: true });
      writeFileSync(path.join(relay, '.git'), `gitdir: ${path.join(otherRepo, '.git')}\n`);
      git(repo, 'remote', 'add', 'origin', relay);
      return otherRepo;
    },
    alsoAllowed: (repo) => [`${repo}-relay`],
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: fetched,
  },
  {
    name: 'git_pull from a remote that is a path to another repository',
    arrange: (repo) => (git(repo, 'remote', 'add', 'origin', otherRepo), otherRepo),
    tool: 'git_pull',
    args: { branch: 'main' },
    naive: plain('pull', '--ff-only', 'origin', 'main'),
    bitten: fetched,
  },
  {
    name: 'git_push to a pushurl that is another repository',
    arrange: (repo) => {
      const target = bareRepo('push-target');
      git(repo, 'remote', 'add', 'origin', 'https://example.invalid/repo.git');
      git(repo, 'config', 'remote.origin.pushurl', target);
      return target;
    },
    tool: 'git_push',
    args: { branch: 'main' },
    naive: plain('push', 'origin', 'main'),
    bitten: (_repo, target) => hasBranch(target, 'main'),
  },
  {
    name: 'git_push to a URL that url.<base>.pushInsteadOf rewrites to another repository',
    arrange: (repo) => {
      const target = bareRepo('push-target');
      git(repo, 'config', `url.${target}.pushInsteadOf`, 'https://example.invalid/');
      git(repo, 'remote', 'add', 'origin', 'https://example.invalid/');
      return target;
    },
    tool: 'git_push',
    args: { branch: 'main' },
    naive: plain('push', 'origin', 'main'),
    bitten: (_repo, target) => hasBranch(target, 'main'),
  },
  {
    name: 'an ext:: URL (with protocol.ext.allow=always in the repository config) runs a command',
    arrange: (repo) => {
      git(repo, 'config', 'protocol.ext.allow', 'always');
      git(repo, 'remote', 'add', 'origin', `ext::sh -c touch% ${marker}`);
      return marker;
    },
    tool: 'git_fetch',
    naive: plain('fetch', 'origin'),
    bitten: () => existsSync(marker),
  },
  {
    name: 'remote.<name>.vcs in the repository config runs git-remote-<vcs>',
    arrange: (repo) => {
      const bin = path.join(temp.path, 'helper-bin');
      write(bin, 'git-remote-evil', `#!/bin/sh\ntouch '${marker}'\n`);
      chmodSync(path.join(bin, 'git-remote-evil'), 0o755);
      git(repo, 'remote', 'add', 'origin', 'https://example.invalid/repo.git');
      git(repo, 'config', 'remote.origin.vcs', 'evil');
      return marker;
    },
    tool: 'git_fetch',
    // The helper is found on PATH, as one installed by anything else would be.
    naive: (repo) => {
      try {
        execFileSync('git', ['fetch', 'origin'], {
          cwd: repo,
          env: gitEnv({ PATH: `${path.join(temp.path, 'helper-bin')}:${process.env.PATH}` }),
          stdio: 'ignore',
        });
      } catch {
        // The helper speaks no protocol; it has run by then.
      }
    },
    bitten: () => existsSync(marker),
  },
];

describe('under --allow-remote, a remote cannot be a local repository outside the allowed ones', () => {
  it.each(REMOTE_ATTACKS)('$name', async (attack) => {
    const naiveRepo = victim();
    const naiveTarget = attack.arrange(naiveRepo);
    attack.naive(naiveRepo);
    expect(attack.bitten(naiveRepo, naiveTarget)).toBe(true);
    rmSync(marker, { force: true });

    const repo = victim();
    const target = attack.arrange(repo);
    const server = await inProcessServer([repo, ...(attack.alsoAllowed?.(repo) ?? [])], { allowRemote: true });
    const result = await server.call(attack.tool, { repo_path: repo, ...attack.args });
    expect(result.isError, text(result)).toBe(true);
    expect(text(result)).toMatch(/^The remote "[^"]+" [^\n]*\.$/);
    expect(text(result)).not.toContain(otherRepo);
    expect(attack.bitten(repo, target)).toBe(false);
    await server.close();
  });

  it('remote URLs over network transports are left to git (that is what --allow-remote allows)', async () => {
    for (const url of [
      'https://example.com/r.git',
      'http://127.0.0.1:9/r',
      'ssh://git@example.com/r.git',
      'git@example.com:r.git',
      'git://example.com/r',
      'persistent-https::https://example.com/r',
    ]) {
      expect(urlReach(url), url).toEqual({ kind: 'network' });
    }
    for (const url of ['/srv/r', 'r', './r:x', 'file:///srv/r', 'file://host/srv/r', 'hg::/srv/r'])
      expect(urlReach(url).kind, url).toBe('local');
    for (const url of ['ext::sh -c x', 'fd::3', '::x', 'ext://x']) expect(urlReach(url).kind, url).toBe('command');

    const repo = victim();
    git(repo, 'remote', 'add', 'origin', 'http://127.0.0.1:9/repo.git');
    const server = await inProcessServer([repo], { allowRemote: true });
    const result = await server.call('git_fetch', { repo_path: repo });
    expect(result.isError).toBe(true);
    // Git ran and failed to connect: the server's own sentence for that, not a refusal.
    expect(text(result)).toMatch(/^git fetch failed: the remote could not be reached/);
    await server.close();
  });

  it('a local remote that is an allowed repository, reached through a relative path, still works', async () => {
    const repo = victim();
    const source = victim('source');
    git(repo, 'remote', 'add', 'origin', path.relative(repo, source));
    const server = await inProcessServer([repo, source], { allowRemote: true });
    const result = await server.call('git_fetch', { repo_path: repo });
    expect(result.isError, text(result)).toBeFalsy();
    expect(git(repo, 'rev-parse', 'origin/main').trim()).toBe(git(source, 'rev-parse', 'HEAD').trim());
    await server.close();
  });
});

/** A repository that is a partial clone whose promisor remote is another repository, with a ref to its commit. */
function promisorVictim(): string {
  const repo = victim();
  git(repo, 'config', 'core.repositoryFormatVersion', '1');
  git(repo, 'config', 'extensions.partialClone', 'lender');
  git(repo, 'config', 'remote.lender.url', otherRepo);
  git(repo, 'config', 'remote.lender.promisor', 'true');
  // Written as a file: `git update-ref` would itself fetch the missing commit.
  write(repo, '.git/refs/heads/leak', `${otherHead}\n`);
  return repo;
}

describe('a partial clone cannot fetch missing objects from another repository behind a call', () => {
  it('a read does not fetch from a promisor remote that is another repository', async () => {
    expect(tryGit(promisorVictim(), 'log', '--format=%s', 'leak').out).toContain('OTHER-REPO-COMMIT');

    const repo = promisorVictim();
    const server = await inProcessServer([repo]);
    const result = await server.call('git_log', { repo_path: repo, revision: 'leak' });
    expect(text(result)).not.toContain('OTHER-REPO-COMMIT');
    expect(hasObject(repo, otherHead)).toBe(false);
    await server.close();
  });

  it('a write is refused while a promisor remote is another repository', async () => {
    const naiveRepo = promisorVictim();
    tryGit(naiveRepo, 'checkout', '--quiet', 'leak');
    expect(existsSync(path.join(naiveRepo, 'secret.txt'))).toBe(true);

    const repo = promisorVictim();
    const server = await inProcessServer([repo]);
    const result = await server.call('git_checkout', { repo_path: repo, branch_name: 'leak' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^The remote "lender" names a local repository outside the allowed ones/);
    expect(existsSync(path.join(repo, 'secret.txt'))).toBe(false);
    expect(hasObject(repo, otherHead)).toBe(false);
    await server.close();
  });
});

describe('the work tree is what discovery found, on every call', () => {
  let outsideTree: string;
  beforeAll(() => {
    outsideTree = path.join(temp.path, 'outside-tree');
    write(outsideTree, 'outside-secret.txt', 'OUTSIDE-WORK-TREE\n');
  });

  it('a bare repository flipped to core.bare=false with core.worktree outside, after a call, is refused', async () => {
    const bare = bareRepo('bare');
    git(otherRepo, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
    const server = await inProcessServer([bare]);
    expect((await server.call('git_log', { repo_path: bare })).isError).toBeFalsy();
    git(bare, 'config', 'core.bare', 'false');
    git(bare, 'config', 'core.worktree', outsideTree);
    expect(git(bare, 'status', '--porcelain')).toContain('outside-secret.txt');

    const result = await server.call('git_status', { repo_path: bare });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain('outside-secret.txt');
    expect(text(result)).toMatch(
      /^The repository at [^\n]* has core\.worktree pointing outside the allowed repositories; [^\n]*\.$/,
    );
    await server.close();
  });

  it('a bare repository is never given its own git directory as a work tree', async () => {
    const bare = bareRepo('bare');
    git(otherRepo, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
    const server = await inProcessServer([bare]);
    expect((await server.call('git_log', { repo_path: bare })).isError).toBeFalsy();
    git(bare, 'config', 'core.bare', 'false');
    // With the environment the server sets (GIT_DIR and GIT_COMMON_DIR) and nothing more, git treats the git
    // directory itself as the work tree and lists its files.
    const env = gitEnv({ GIT_DIR: bare, GIT_COMMON_DIR: bare });
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: bare, env, encoding: 'utf8' })).toContain('config');

    const status = await server.call('git_status', { repo_path: bare });
    expect(text(status)).not.toMatch(/\bconfig\b|\bHEAD\b/);
    const log = await server.call('git_log', { repo_path: bare });
    expect(log.isError, text(log)).toBeFalsy();
    expect(text(log)).toContain('OTHER-REPO-COMMIT');
    await server.close();
  });

  it('a core.worktree pointing outside, set after a call, is refused for a repository with a work tree', async () => {
    const repo = victim();
    const server = await inProcessServer([repo]);
    expect((await server.call('git_status', { repo_path: repo })).isError).toBeFalsy();
    git(repo, 'config', 'core.worktree', outsideTree);
    expect(git(repo, 'status', '--porcelain')).toContain('outside-secret.txt');

    const result = await server.call('git_status', { repo_path: repo });
    expect(result.isError).toBe(true);
    expect(text(result)).not.toContain('outside-secret.txt');
    await server.close();
  });
});

interface FileKeyAttack {
  name: string;
  arrange(repo: string): void;
  /** Plain git's output that shows it read the outside file. */
  naive(repo: string): string | Promise<string>;
  read: string | RegExp;
  tool: string;
  args: Record<string, unknown>;
  alsoAllowed?: (repo: string) => string[];
  refusal: RegExp;
}

/** Plain git fetch with curl's trace; asynchronous, so that the TLS peer in this process can answer. */
const curlVerbose = async (repo: string) => {
  try {
    await promisify(execFile)('git', ['fetch', 'origin'], {
      cwd: repo,
      env: gitEnv({ GIT_CURL_VERBOSE: '1' }),
      encoding: 'utf8',
    });
    return '';
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? '');
  }
};
const caFile = () => {
  const bundle = readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
  const first = bundle.slice(
    bundle.indexOf('-----BEGIN CERTIFICATE-----'),
    bundle.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length,
  );
  return write(temp.path, 'outside/ca-dir/ca.pem', `${first}\n`);
};
const TLS_REFUSAL =
  /^This repository sets http\.[^\n]* in its git config, which names a TLS file that fetch and push would read; [^\n]*\.$/;

const FILE_KEY_ATTACKS: FileKeyAttack[] = [
  {
    name: 'http.sslCAInfo naming an outside file makes fetch read it',
    arrange: (repo) => {
      git(repo, 'remote', 'add', 'origin', tlsUrl);
      git(repo, 'config', 'http.sslCAInfo', caFile());
    },
    naive: curlVerbose,
    read: /found 1 certificates in .*outside\/ca-dir\/ca\.pem/,
    tool: 'git_fetch',
    args: {},
    refusal: TLS_REFUSAL,
  },
  {
    name: 'http.<url>.sslCAInfo naming an outside file makes fetch read it',
    arrange: (repo) => {
      git(repo, 'remote', 'add', 'origin', tlsUrl);
      git(repo, 'config', `http.${new URL(tlsUrl).origin}.sslCAInfo`, caFile());
    },
    naive: curlVerbose,
    read: /found 1 certificates in .*outside\/ca-dir\/ca\.pem/,
    tool: 'git_fetch',
    args: {},
    refusal: TLS_REFUSAL,
  },
  {
    name: 'http.sslCAPath naming an outside directory makes fetch read it',
    arrange: (repo) => {
      git(repo, 'remote', 'add', 'origin', tlsUrl);
      git(repo, 'config', 'http.sslCAPath', path.dirname(caFile()));
    },
    naive: curlVerbose,
    read: /found 1 certificates in .*outside\/ca-dir/,
    tool: 'git_fetch',
    args: {},
    refusal: TLS_REFUSAL,
  },
  {
    name: 'http.sslCert naming an outside file makes fetch read it as a client certificate',
    arrange: (repo) => {
      git(repo, 'remote', 'add', 'origin', tlsUrl);
      git(repo, 'config', 'http.sslCert', secretFile);
    },
    naive: curlVerbose,
    read: 'error reading X.509 key or certificate file',
    tool: 'git_fetch',
    args: {},
    refusal: TLS_REFUSAL,
  },
  {
    name: 'fetch.fsck.skipList naming an outside file makes fetch quote its first line',
    arrange: (repo) => {
      const source = `${repo}-source.git`;
      git(temp.path, 'clone', '--quiet', '--bare', otherRepo, source);
      git(repo, 'remote', 'add', 'origin', source);
      git(repo, 'config', 'fetch.fsckObjects', 'true');
      git(repo, 'config', 'fetch.fsck.skipList', secretFile);
    },
    alsoAllowed: (repo) => [`${repo}-source.git`],
    naive: (repo) => tryGit(repo, 'fetch', 'origin').out,
    read: SECRET,
    tool: 'git_fetch',
    args: {},
    refusal:
      /^This repository sets fetch\.fsck\.skiplist in its git config, which names a file that fetch would read; [^\n]*\.$/,
  },
];

describe('file-valued keys of fetch cannot be set by the repository', () => {
  it.each(FILE_KEY_ATTACKS)('$name', async (attack) => {
    const naiveRepo = victim();
    attack.arrange(naiveRepo);
    const naiveOut = await attack.naive(naiveRepo);
    if (typeof attack.read === 'string') expect(naiveOut).toContain(attack.read);
    else expect(naiveOut).toMatch(attack.read);

    const repo = victim();
    attack.arrange(repo);
    const server = await inProcessServer([repo, ...(attack.alsoAllowed?.(repo) ?? [])], { allowRemote: true });
    const result = await server.call(attack.tool, { repo_path: repo, ...attack.args });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(attack.refusal);
    expect(text(result)).not.toContain(SECRET);
    expect(hasObject(repo, otherHead)).toBe(false);
    await server.close();
  });

  it("the operator's own http.sslCAInfo is used, and the repository's is then ignored", async () => {
    const home = path.join(temp.path, `home-${counter++}`);
    write(home, '.gitconfig', `[http]\n\tsslCAInfo = ${caFile()}\n`);
    const repo = victim();
    git(repo, 'remote', 'add', 'origin', tlsUrl);
    git(repo, 'config', 'http.sslCAInfo', secretFile);
    const server = await inProcessServer([repo], {
      allowRemote: true,
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
    });
    const result = await server.call('git_fetch', { repo_path: repo });
    // Git ran (and could not complete TLS with a peer that hangs up), instead of being refused.
    expect(text(result)).toMatch(/^git fetch failed: /);
    await server.close();
  });
});

describe('signing and editors named by the repository do not read files or run programs', () => {
  it('user.signingKey naming an outside ssh key is not used to sign a commit', async () => {
    const keyFile = path.join(temp.path, 'outside', `ssh-key-${counter++}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const arrange = (repo: string) => {
      git(repo, 'config', 'gpg.format', 'ssh');
      git(repo, 'config', 'user.signingKey', keyFile);
      git(repo, 'config', 'commit.gpgSign', 'true');
      write(repo, 'c.txt', 'c\n');
      git(repo, 'add', 'c.txt');
    };
    const naiveRepo = victim();
    arrange(naiveRepo);
    git(naiveRepo, 'commit', '--quiet', '--message', 'naive');
    expect(git(naiveRepo, 'cat-file', 'commit', 'HEAD')).toContain('BEGIN SSH SIGNATURE');

    const repo = victim();
    arrange(repo);
    const before = git(repo, 'rev-parse', 'HEAD');
    const server = await inProcessServer([repo]);
    const result = await server.call('git_commit', { repo_path: repo, message: 'guarded' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^git commit failed: signing failed[^\n]*\.$/);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before);
    await server.close();
  });

  it('an ssh signing key inside the repository is still used', async () => {
    const repo = victim();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(repo, '.git', 'signing-key')]);
    git(repo, 'config', 'gpg.format', 'ssh');
    git(repo, 'config', 'user.signingKey', path.join(repo, '.git', 'signing-key'));
    git(repo, 'config', 'commit.gpgSign', 'true');
    write(repo, 'c.txt', 'c\n');
    const server = await inProcessServer([repo]);
    const result = await server.call('git_commit', { repo_path: repo, message: 'signed', files: ['c.txt'] });
    expect(result.isError, text(result)).toBeFalsy();
    expect(git(repo, 'cat-file', 'commit', 'HEAD')).toContain('BEGIN SSH SIGNATURE');
    await server.close();
  });

  it('core.editor with tag.gpgSign does not run a program on git_create_tag', async () => {
    const arrange = (repo: string) => {
      git(repo, 'config', 'tag.gpgSign', 'true');
      git(repo, 'config', 'core.editor', script);
    };
    const naiveRepo = victim();
    arrange(naiveRepo);
    tryGit(naiveRepo, 'tag', 'v1');
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);

    const repo = victim();
    arrange(repo);
    const server = await inProcessServer([repo]);
    await server.call('git_create_tag', { repo_path: repo, tag_name: 'v1', revision: 'HEAD' });
    expect(existsSync(marker)).toBe(false);
    await server.close();
  });

  it('mailmap.blob naming a blob of the repository itself is honoured', async () => {
    const repo = victim();
    write(repo, 'people.mailmap', 'Mapped Name <test@portico.invalid>\n');
    git(repo, 'add', 'people.mailmap');
    git(repo, 'commit', '--quiet', '--message', 'mailmap');
    git(repo, 'config', 'mailmap.blob', 'HEAD:people.mailmap');
    const server = await inProcessServer([repo]);
    const result = await server.call('git_blame', { repo_path: repo, path: 'a.txt' });
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toContain('Mapped Name');
    await server.close();
  });
});

describe('merge drivers named by repository config do not run', () => {
  /** A repository with a stash whose pop needs a real three-way merge of f.txt, which names the driver "evil". */
  function stashVictim(): string {
    const repo = makeRepo(path.join(temp.path, `merge-${counter++}`), [
      { 'f.txt': '1\n2\n3\n4\n5\n', '.gitattributes': 'f.txt merge=evil\n' },
    ]);
    write(repo, 'f.txt', '1\nSTASHED\n3\n4\n5\n');
    git(repo, 'stash', '--quiet');
    write(repo, 'f.txt', '1\n2\n3\n4\nCOMMITTED\n');
    git(repo, 'commit', '--quiet', '--all', '--message', 'meanwhile');
    return repo;
  }

  it('merge.<driver>.driver in the repository config does not run on git_stash_pop, and the file is merged as git does', async () => {
    const naiveRepo = stashVictim();
    git(naiveRepo, 'config', 'merge.evil.driver', `${script} %O %A %B`);
    tryGit(naiveRepo, 'stash', 'pop');
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);

    const repo = stashVictim();
    git(repo, 'config', 'merge.evil.driver', `${script} %O %A %B`);
    const server = await inProcessServer([repo]);
    const result = await server.call('git_stash_pop', { repo_path: repo });
    expect(result.isError, text(result)).toBeFalsy();
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(path.join(repo, 'f.txt'), 'utf8')).toBe('1\nSTASHED\n3\n4\nCOMMITTED\n');
    await server.close();
  });

  it("a merge driver defined in the operator's own config still runs", async () => {
    const home = path.join(temp.path, `home-${counter++}`);
    write(home, '.gitconfig', `[merge "evil"]\n\tdriver = ${script} %O %A %B\n`);
    const repo = stashVictim();
    const server = await inProcessServer([repo], { env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') } });
    const result = await server.call('git_stash_pop', { repo_path: repo });
    expect(result.isError, text(result)).toBeFalsy();
    expect(existsSync(marker)).toBe(true);
    await server.close();
  });
});
