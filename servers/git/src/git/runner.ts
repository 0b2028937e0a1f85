import { CancelledError, RefusedArgumentError, TimeoutError, UpstreamError } from '@portico-mcp/shared/errors';
import { simpleGit } from 'simple-git';
import type { SimpleGitOptions } from 'simple-git';
import { ALLOWED_GIT_VARIABLES } from './hardening.js';

/** One git invocation: argv after `git` (never a shell string), where and how to run it. */
export interface GitInvocation {
  args: readonly string[];
  /** Options for git itself, placed before the subcommand (`--bare`). */
  globalOptions?: readonly string[];
  cwd: string;
  /** The complete child environment (the runner adds nothing). */
  env: Readonly<Record<string, string>>;
  /** `key=value` pairs passed as `-c` before the subcommand. */
  config: readonly string[];
  signal: AbortSignal;
  /** Stop reading (and end git) once stdout exceeds this many bytes; the result says it was truncated. */
  maxBytes?: number;
  /** End git when it has printed nothing for this long. */
  idleTimeoutMs?: number;
  /** Bytes fed to git's standard input. */
  input?: string;
}

/** What git printed, and whether stdout was cut at `maxBytes`. */
export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  truncated: boolean;
}

/**
 * A git command that exited with a non-zero status. Its message is one of the server's own sentences, chosen
 * by what git reported: git's text quotes file content (`bad shallow line: …`, `invalid object name: …`),
 * paths outside the repository and remote URLs, so it never reaches a reply. `stderr` keeps it for the tools
 * that recognise a condition, and for the server log.
 */
export class GitCommandError extends UpstreamError {
  readonly exitCode: number;
  readonly stderr: string;
  readonly stdout: string;
  constructor(exitCode: number, stderr: string, stdout: string, subcommand: string) {
    super(describeGitFailure(subcommand, `${stderr}\n${stdout}`, exitCode));
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.stdout = stdout;
  }
}

/** Conditions git reports, each answered with a fixed sentence (the first that matches wins). */
const FAILURES: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /dubious ownership|safe\.directory/i,
    'git refuses this repository because another user owns it; the operator can add it to safe.directory',
  ],
  [
    /index\.lock|unable to create '.*\.lock'|\.lock': File exists/i,
    'another git process is working in this repository (a lock file exists); try again when it has finished',
  ],
  [
    /would be overwritten by (checkout|merge)|your local changes to the following files/i,
    'local changes would be overwritten; commit or stash them first',
  ],
  [
    /CONFLICT|needs merge|you need to resolve your current index first|unmerged/i,
    'the change conflicts with the working tree; resolve the conflicts (git_status lists them) and try again',
  ],
  [
    /not possible to fast-forward|diverging branches/i,
    'the branches have diverged, so a fast-forward is not possible; pull with ff_only set to false to merge',
  ],
  [
    /\[rejected\]|non-fast-forward|fetch first|updates were rejected/i,
    'the remote has commits the local branch does not have; pull first, then push again',
  ],
  [
    /authentication failed|could not read (username|password)|permission denied \(|terminal prompts disabled|invalid credentials/i,
    'the remote refused the credentials, or none were available; set up a credential helper or SSH key for it outside the server',
  ],
  [
    /could not resolve host|could not read from remote repository|unable to access|connection (refused|timed out)|does not appear to be a git repository|repository .* not found/i,
    'the remote could not be reached or is not a git repository; check the remote URL (git_remotes lists it)',
  ],
  [
    /please tell me who you are|empty ident|unable to auto-detect email/i,
    'git has no author identity; set user.name and user.email in the git config (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL for the server)',
  ],
  [
    /failed to sign|gpg failed|error: gpg|ssh-keygen|signingkey needs to be set/i,
    'signing failed; check the signing setup (user.signingKey, gpg.format) outside the server',
  ],
  [/hook/i, 'a hook of the repository refused the operation'],
  [
    /pathspec .* did not match|did not match any file/i,
    'a path given does not match any file git knows; check the paths',
  ],
  [
    /bad config|invalid config|bad numeric config|config file .* (could not|cannot)|unable to parse .*config|fatal: .*\.gitconfig/i,
    "git could not read the repository's configuration; check its config files",
  ],
  [
    /shallow|packed-refs|grafts|alternate|corrupt|inflate|loose object|unable to read|object file .* is empty|bad object|broken|invalid (sha1|object|ref)|is not a valid|fatal: bad|reference broken/i,
    'git found data in the repository it cannot use (a revision or object that does not exist, or a damaged file); check the revision, or run git fsck in the repository',
  ],
  [
    /unknown revision|bad revision|ambiguous argument|needed a single revision|invalid object name|not a valid object name|no such ref|does not have any commits/i,
    'a revision the command needed does not exist in this repository; check the branch, tag or hash (git_log and git_branch list them)',
  ],
  [/no such path|does not exist|no such file/i, 'a path the command needed does not exist; check the path'],
];

/** The one sentence a git failure becomes: what went wrong and what to do, never git's own words. */
export function describeGitFailure(subcommand: string, output: string, exitCode: number): string {
  for (const [pattern, sentence] of FAILURES) if (pattern.test(output)) return `git ${subcommand} failed: ${sentence}.`;
  return `git ${subcommand} failed (exit status ${exitCode}); check the arguments, or run the same git command in the repository to see why.`;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const MAX_STDERR_BYTES = 64 * 1024;

// simple-git scans argv and env for settings that can run programs and refuses them unless allowed. The pins
// we set ourselves use some of those keys (to turn them off); caller strings never reach those positions.
const UNSAFE_OPT_INS: SimpleGitOptions['unsafe'] = {
  allowUnsafeFsMonitor: true,
  allowUnsafeHooksPath: true,
  allowUnsafeFilter: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafeAskPass: true,
  // The signing, ssh, proxy and credential pins set the operator's own value (or git's default) over the repository's.
  allowUnsafeGpgProgram: true,
  allowUnsafeSshCommand: true,
  allowUnsafeGitProxy: true,
  allowUnsafeCredentialHelper: true,
  // Repository-defined merge drivers are pinned to git's own merge; the editor is pinned to a no-op.
  allowUnsafeMergeDriver: true,
  allowUnsafeEditor: true,
};

/** Runs git through simple-git with an argv array, a fixed environment, a byte cap and cancellation. */
export async function runGit(invocation: GitInvocation): Promise<GitOutput> {
  if (invocation.signal.aborted) throw new CancelledError();
  const controller = new AbortController();
  const forwardAbort = () => controller.abort();
  invocation.signal.addEventListener('abort', forwardAbort, { once: true });

  const chunks: Buffer[] = [];
  let size = 0;
  let capped = false;
  const errChunks: Buffer[] = [];
  let errSize = 0;
  let exitCode = 0;

  const git = simpleGit({
    baseDir: invocation.cwd,
    config: [...invocation.config],
    abort: controller.signal,
    timeout: { block: invocation.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS },
    allowEnvironment: ALLOWED_GIT_VARIABLES,
    unsafe: UNSAFE_OPT_INS,
    trimmed: false,
    maxConcurrentProcesses: 1,
    // simple-git only fails a task that also wrote to stderr; every non-zero exit is a failure here.
    errors: (error, result) => {
      exitCode = result.exitCode;
      if (error !== undefined || result.exitCode === 0) return error;
      return new Error(`exit status ${result.exitCode}`);
    },
    ...(invocation.input !== undefined ? { input: () => invocation.input } : {}),
  });
  git.env({ ...invocation.env });
  git.outputHandler((_command, stdout, stderr) => {
    stdout.on('data', (chunk: Buffer) => {
      if (capped) return;
      chunks.push(chunk);
      size += chunk.length;
      if (invocation.maxBytes !== undefined && size > invocation.maxBytes) {
        capped = true;
        controller.abort();
      }
    });
    stderr.on('data', (chunk: Buffer) => {
      if (errSize >= MAX_STDERR_BYTES) return;
      errChunks.push(chunk);
      errSize += chunk.length;
    });
  });

  const subcommand = invocation.args[0] ?? '';
  try {
    await git.raw([...(invocation.globalOptions ?? []), ...invocation.args]);
  } catch (error) {
    const stderr = Buffer.concat(errChunks).toString('utf8');
    if (capped) return { stdout: Buffer.concat(chunks), stderr, truncated: true };
    if (invocation.signal.aborted) throw new CancelledError();
    const plugin = (error as { plugin?: string }).plugin;
    if (plugin === 'timeout') {
      throw new TimeoutError(
        `git ${subcommand} printed nothing for ${Math.round((invocation.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) / 1000)} s and was stopped; try a narrower request.`,
      );
    }
    if (plugin === 'unsafe' || plugin === 'allowEnvironment') {
      throw new RefusedArgumentError(
        `git ${subcommand} was refused because an argument would change how git runs programs; pass plain names and paths.`,
        { cause: error },
      );
    }
    if (exitCode !== 0)
      throw new GitCommandError(
        exitCode,
        stderr,
        Buffer.concat(chunks).subarray(0, MAX_STDERR_BYTES).toString('utf8'),
        subcommand,
      );
    throw error;
  } finally {
    invocation.signal.removeEventListener('abort', forwardAbort);
  }
  return { stdout: Buffer.concat(chunks), stderr: Buffer.concat(errChunks).toString('utf8'), truncated: false };
}
