import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, RefusedError, SandboxError } from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { assertGitDirContained, configFacts } from './confinement.js';
import { configPins, parseConfigListing, pinnedEnvironment } from './hardening.js';
import type { ConfigFacts, GitMode } from './hardening.js';
import { assertRemotesStayInside, promisorRemotes } from './remote-reach.js';
import { GitCommandError, runGit } from './runner.js';
import type { GitOutput } from './runner.js';

/** A repository that passed the confinement checks, with everything needed to run git in it. */
export interface Repository {
  /** The real path of the caller's `repo_path` (git runs here, so relative paths mean what the caller meant). */
  cwd: string;
  /** The real top level of the work tree; undefined for a bare repository. */
  topLevel: string | undefined;
  /** The real git directory (for a linked worktree: its private one). */
  gitDir: string;
  /** The real common git directory (objects, refs, config). */
  commonDir: string;
  /** The repository's config as read at the start of this call (never cached across calls). */
  config: ConfigFacts;
}

/** Per-call options of `RepositoryGit.run`. */
export interface RunOptions {
  mode: GitMode;
  signal: AbortSignal;
  maxBytes?: number;
  idleTimeoutMs?: number;
  input?: string;
}

/** The allowed repositories as this call sees them, and the means to open another one of them (a local remote). */
export interface AllowedRepositories {
  sandbox: Sandbox;
  open(repoPath: string, signal: AbortSignal): Promise<RepositoryGit>;
}

/** Runs git in one verified repository, always against its verified git dir and work tree. */
export class RepositoryGit {
  readonly repository: Repository;
  readonly #baseEnv: Readonly<Record<string, string>>;
  readonly #allowed: AllowedRepositories;
  #promisorsChecked: Promise<void> | undefined;

  constructor(repository: Repository, baseEnv: Readonly<Record<string, string>>, allowed: AllowedRepositories) {
    this.repository = repository;
    this.#baseEnv = baseEnv;
    this.#allowed = allowed;
  }

  /** The allowed repositories (operator's, narrowed by the client's roots) this repository was opened under. */
  get sandbox(): Sandbox {
    return this.#allowed.sandbox;
  }

  /** Opens another repository under the same checks, e.g. one a local remote names. */
  openLocal(repoPath: string, signal: AbortSignal): Promise<RepositoryGit> {
    return this.#allowed.open(repoPath, signal);
  }

  /** Runs `git <args>`; stdout is returned as bytes so that no encoding is assumed. */
  async run(args: readonly string[], options: RunOptions): Promise<GitOutput> {
    const repo = this.repository;
    if (options.mode === 'remote' && repo.config.remoteRefusal !== undefined) {
      const { key, reason } = repo.config.remoteRefusal;
      throw new RefusedError(
        `This repository sets ${key} in its git config, which ${reason}; fetch, pull and push are refused until that is removed.`,
      );
    }
    // Reads use no transport at all (GIT_ALLOW_PROTOCOL); writes and remote calls may fetch missing objects from
    // a partial clone's promisor remotes, which must not lead outside any more than the remote named in a call.
    if (options.mode !== 'read') {
      const promisors = promisorRemotes(repo.config.entries);
      if (promisors.length > 0)
        await (this.#promisorsChecked ??= assertRemotesStayInside(this, promisors, options.signal));
    }
    return runGit({
      args,
      // A repository discovered as bare stays bare: with --bare (and GIT_COMMON_DIR set) git takes no work tree
      // from core.bare/core.worktree, nor the git directory itself as one.
      globalOptions: repo.topLevel === undefined ? ['--bare'] : [],
      // Git runs at the top level, so paths (already made top-relative by workTreePath) mean one thing.
      cwd: repo.topLevel ?? repo.gitDir,
      // GIT_DIR, GIT_COMMON_DIR and GIT_WORK_TREE pin git to what was verified: no rediscovery through a `.git`
      // or `commondir` file that appears or changes later.
      env: { ...this.#baseEnv, ...pinnedEnvironment(options.mode), ...placeEnvironment(repo) },
      config: [...configPins(options.mode, repo.config), ...(repo.topLevel === undefined ? ['core.bare=true'] : [])],
      signal: options.signal,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
  }

  /** Runs git and decodes stdout as UTF-8 (for output made of names and hashes). */
  async text(args: readonly string[], options: RunOptions): Promise<string> {
    return (await this.run(args, options)).stdout.toString('utf8');
  }
}

/** The git environment variables that fix where git looks. */
function placeEnvironment(places: Pick<Repository, 'gitDir' | 'commonDir' | 'topLevel'>): Record<string, string> {
  return {
    GIT_DIR: places.gitDir,
    GIT_COMMON_DIR: places.commonDir,
    ...(places.topLevel !== undefined ? { GIT_WORK_TREE: places.topLevel } : {}),
  };
}

type Places = Pick<Repository, 'gitDir' | 'commonDir' | 'topLevel'>;

interface CachedFacts {
  facts: Places;
  expires: number;
}

/** How long where a repository's git dir is (not what its config says) is reused before git is asked again. */
const FACTS_TTL_MS = 5_000;

/**
 * Turns a caller's `repo_path` into a verified repository: the real path must be inside the allowed set, and so
 * must git's own answer for the work tree, the git dir and the common dir, so that a `.git` file pointing
 * elsewhere, a symlinked repository or worktree, or `..` cannot lead out.
 */
export class RepositoryResolver {
  readonly #baseEnv: Readonly<Record<string, string>>;
  readonly #facts = new Map<string, CachedFacts>();

  constructor(baseEnv: Readonly<Record<string, string>>) {
    this.#baseEnv = baseEnv;
  }

  /** Resolves and checks `repoPath` against `sandbox` (already narrowed by the client's roots). */
  async resolve(repoPath: string, sandbox: Sandbox, signal: AbortSignal): Promise<RepositoryGit> {
    const cwd = await sandbox.resolveInside(repoPath, { mustExist: true });
    if (!(await stat(cwd)).isDirectory()) {
      throw new InvalidArgumentError(
        `repo_path ${JSON.stringify(repoPath)} is a file; pass the directory of a git repository.`,
      );
    }
    const facts = await this.#factsFor(cwd, repoPath, signal);
    for (const place of [facts.topLevel, facts.gitDir, facts.commonDir]) {
      if (place !== undefined && !sandbox.isInside(place)) {
        throw new SandboxError(
          `Access denied: ${JSON.stringify(repoPath)} belongs to a git repository whose work tree or git directory is outside the allowed repositories; pass a repository the server was started with (${sandbox.roots.join(', ')}).`,
        );
      }
    }
    // What the git dir links to and what its config says are checked on every call: both can change at any time.
    const [, config] = await Promise.all([
      assertGitDirContained(facts, sandbox, repoPath),
      this.#config(facts, repoPath, sandbox, signal),
    ]);
    const allowed = {
      sandbox,
      open: (other: string, otherSignal: AbortSignal) => this.resolve(other, sandbox, otherSignal),
    };
    return new RepositoryGit({ cwd, ...facts, config }, this.#baseEnv, allowed);
  }

  async #config(places: Places, given: string, sandbox: Sandbox, signal: AbortSignal): Promise<ConfigFacts> {
    const cwd = places.topLevel ?? places.gitDir;
    const listing = await runGit({
      args: ['config', '--list', '--show-scope', '--show-origin', '--includes', '-z'],
      globalOptions: places.topLevel === undefined ? ['--bare'] : [],
      cwd,
      env: { ...this.#baseEnv, ...pinnedEnvironment('read'), ...placeEnvironment(places) },
      config: configPins('read'),
      signal,
    });
    return configFacts(parseConfigListing(listing.stdout.toString('utf8')), places, cwd, this.#baseEnv, given, sandbox);
  }

  async #factsFor(cwd: string, given: string, signal: AbortSignal): Promise<Places> {
    const now = Date.now();
    const cached = this.#facts.get(cwd);
    if (cached && cached.expires > now) return cached.facts;
    const facts = await this.#discover(cwd, given, signal);
    this.#facts.set(cwd, { facts, expires: now + FACTS_TTL_MS });
    if (this.#facts.size > 256) this.#facts.delete(this.#facts.keys().next().value!);
    return facts;
  }

  async #discover(cwd: string, given: string, signal: AbortSignal): Promise<Places> {
    // Discovery is the one step where git finds the repository itself; it runs with every read pin on.
    const discover = (args: string[]) =>
      runGit({
        args,
        cwd,
        env: { ...this.#baseEnv, ...pinnedEnvironment('read') },
        config: configPins('read'),
        signal,
      });
    const lines = (output: GitOutput) =>
      output.stdout
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0);
    let answer: string[];
    try {
      answer = lines(
        await discover([
          'rev-parse',
          '--path-format=absolute',
          '--absolute-git-dir',
          '--git-common-dir',
          '--is-bare-repository',
          '--show-toplevel',
        ]),
      );
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      if (/must be run in a work tree/.test(error.stderr)) {
        answer = lines(
          await discover([
            'rev-parse',
            '--path-format=absolute',
            '--absolute-git-dir',
            '--git-common-dir',
            '--is-bare-repository',
          ]),
        );
      } else if (/not a git repository/i.test(error.stderr)) {
        throw new NotFoundError(
          `${JSON.stringify(given)} is not inside a git repository; pass the path of a repository the server was started with.`,
        );
      } else {
        throw error;
      }
    }
    const [gitDirRaw, commonDirRaw, bare, topLevelRaw] = answer;
    if (gitDirRaw === undefined || commonDirRaw === undefined) {
      throw new NotFoundError(
        `${JSON.stringify(given)} is not inside a git repository; pass the path of a repository the server was started with.`,
      );
    }
    const gitDir = await realpath(gitDirRaw);
    const commonDir = await realpath(path.resolve(cwd, commonDirRaw));
    const topLevel = bare === 'true' || topLevelRaw === undefined ? undefined : await realpath(topLevelRaw);

    return { topLevel, gitDir, commonDir };
  }
}
