import { CancelledError, PolicyError, TimeoutError, UpstreamError } from '@portico-mcp/shared/errors';
import { simpleGit } from 'simple-git';
import type { SimpleGitOptions } from 'simple-git';
import { ALLOWED_GIT_VARIABLES } from './hardening.js';

/** One git invocation: argv after `git` (never a shell string), where and how to run it. */
export interface GitInvocation {
  args: readonly string[];
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

/** A git command that exited with a non-zero status. */
export class GitCommandError extends UpstreamError {
  readonly exitCode: number;
  readonly stderr: string;
  readonly stdout: string;
  constructor(exitCode: number, stderr: string, stdout: string, subcommand: string) {
    super(`git ${subcommand} failed: ${firstGitMessage(stderr) || firstGitMessage(stdout) || `exit status ${exitCode}`}.`);
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.stdout = stdout;
  }
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
    await git.raw([...invocation.args]);
  } catch (error) {
    const stderr = Buffer.concat(errChunks).toString('utf8');
    if (capped) return { stdout: Buffer.concat(chunks), stderr, truncated: true };
    if (invocation.signal.aborted) throw new CancelledError();
    const plugin = (error as { plugin?: string }).plugin;
    if (plugin === 'timeout') {
      throw new TimeoutError(`git ${subcommand} printed nothing for ${Math.round((invocation.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) / 1000)} s and was stopped; try a narrower request.`);
    }
    if (plugin === 'unsafe' || plugin === 'allowEnvironment') {
      throw new PolicyError(`git ${subcommand} was refused because an argument would change how git runs programs; pass plain names and paths.`, { cause: error });
    }
    if (exitCode !== 0) throw new GitCommandError(exitCode, stderr, Buffer.concat(chunks).subarray(0, MAX_STDERR_BYTES).toString('utf8'), subcommand);
    throw error;
  } finally {
    invocation.signal.removeEventListener('abort', forwardAbort);
  }
  return { stdout: Buffer.concat(chunks), stderr: Buffer.concat(errChunks).toString('utf8'), truncated: false };
}

/** The first `fatal:`/`error:` line git printed, without the prefix, cut to one short sentence. */
export function firstGitMessage(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const line = lines.find((candidate) => /^(fatal|error):/.test(candidate)) ?? lines[0] ?? '';
  const text = line.replace(/^(fatal|error):\s*/, '').replace(/\.$/, '');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
