import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import type { Reply } from '@portico-mcp/shared/output';
import type { ToolContext } from '@portico-mcp/shared/serve';
import type { RepositoryGit } from '../git/repository.js';
import type { GitOutput } from '../git/runner.js';
import type { GitMode } from '../git/hardening.js';
import { pageOf } from '../git/text.js';

/** What `pagedGitOutput` added to the reply. */
export interface GitPage {
  /** Whether git printed nothing at all. */
  empty: boolean;
  /** Whether some bytes were not UTF-8 (shown as `\xNN`). */
  nonUtf8: boolean;
}

/**
 * Runs a git command whose output can be long, reading only as much as one page can hold: its output is
 * capped at `offset` plus the reply's remaining room, so git is stopped as soon as the page is complete and a
 * huge diff costs no more than one page. Set the reply's structure first: the room is measured now.
 */
export async function runForPage(
  git: RepositoryGit,
  args: readonly string[],
  reply: Reply,
  options: { offset: number; signal: AbortSignal; mode?: GitMode },
): Promise<GitOutput> {
  const { offset } = options;
  const output = await git.run(args, {
    mode: options.mode ?? 'read',
    signal: options.signal,
    maxBytes: offset + pageRoom(reply),
  });
  if (offset > 0 && offset >= output.stdout.length && !output.truncated) {
    throw new InvalidArgumentError(
      `offset ${offset} is past the end of the output (${output.stdout.length} bytes); pass a smaller offset or 0.`,
    );
  }
  return output;
}

/**
 * Adds the page of `output` that starts at byte `offset` to the reply, as much as it has room for, ending on
 * a line boundary; when more follows, the reply is cut with `next: { offset }`.
 */
export function addPage(reply: Reply, output: GitOutput, options: { offset: number; alternative?: string }): GitPage {
  const { offset } = options;
  const page = pageOf(output.stdout, offset, pageRoom(reply), output.truncated);
  if (page.resumeAt === undefined) {
    if (page.text.length > 0) reply.line(page.text);
  } else {
    // The notice goes on the next line anyway: a page that ends with a line break does not need a blank line.
    if (page.text.length > 0) reply.line(page.text.endsWith('\n') ? page.text.slice(0, -1) : page.text);
    reply.cut({
      shown: `bytes ${offset}–${offset + page.bytes} of the output`,
      reason: 'the reply budget',
      next: { offset: page.resumeAt },
      ...(options.alternative ? { alternative: options.alternative } : {}),
    });
  }
  if (page.nonUtf8) reply.set({ non_utf8: true });
  return { empty: output.stdout.length === 0, nonUtf8: page.nonUtf8 };
}

/** `runForPage` then `addPage`: the page of a long git output, in the reply. */
export async function pagedGitOutput(
  git: RepositoryGit,
  args: readonly string[],
  reply: Reply,
  options: { offset: number; context: Pick<ToolContext, 'signal'>; mode?: GitMode; alternative?: string },
): Promise<GitPage> {
  const output = await runForPage(git, args, reply, {
    offset: options.offset,
    signal: options.context.signal,
    ...(options.mode ? { mode: options.mode } : {}),
  });
  return addPage(reply, output, {
    offset: options.offset,
    ...(options.alternative ? { alternative: options.alternative } : {}),
  });
}

/** Bytes of git output a page may take: the reply's room, less the line break it puts after the page. */
function pageRoom(reply: Reply): number {
  return Math.max(0, reply.remaining - 1);
}
