import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { formatBytes, truncationNotice, utf8Length } from '@portico-mcp/shared/output';
import type { ToolContext } from '@portico-mcp/shared/serve';
import type { RepositoryGit } from '../git/repository.js';
import type { GitMode } from '../git/hardening.js';
import { pageOf } from '../git/text.js';

/** Room kept for the header line and the truncation notice. */
const RESERVE_BYTES = 600;

/** A paged reply: the text to send and the paging facts for structuredContent. */
export interface PagedReply {
  text: string;
  page: { offset: number; next_offset?: number; truncated: boolean; non_utf8?: boolean };
  /** Whether git printed nothing at all. */
  empty: boolean;
  /** The raw bytes read (the page and what precedes it), for callers that parse a header. */
  head: Buffer;
}

/**
 * Runs a git command whose output can be long and returns the page starting at `offset`, cut to the reply
 * budget on a line boundary, with a notice that says which offset to pass next. Git is stopped as soon as the
 * page is complete, so a huge diff costs no more than one page.
 */
export async function pagedGitOutput(
  git: RepositoryGit,
  args: readonly string[],
  options: { offset: number; header: string; context: ToolContext; mode?: GitMode; continueHint?: string },
): Promise<PagedReply> {
  const { offset, header, context } = options;
  const available = Math.max(256, context.budget.remaining - utf8Length(header) - RESERVE_BYTES);
  const output = await git.run(args, { mode: options.mode ?? 'read', signal: context.signal, maxBytes: offset + available });
  if (offset > 0 && offset >= output.stdout.length && !output.truncated) {
    throw new InvalidArgumentError(`offset ${offset} is past the end of the output (${output.stdout.length} bytes); pass a smaller offset or 0.`);
  }
  const page = pageOf(output.stdout, offset, available, output.truncated);
  let text = header + page.text;
  if (page.nextOffset !== undefined) {
    if (!text.endsWith('\n')) text += '\n';
    text += truncationNotice({
      shown: `bytes ${offset}–${offset + page.bytes} of the output (${formatBytes(page.bytes)})`,
      reason: 'the reply budget',
      next: `call again with offset: ${page.nextOffset}${options.continueHint ? `, or ${options.continueHint}` : ''}`,
    });
  }
  context.budget.spend(utf8Length(text));
  return {
    text,
    page: {
      offset,
      ...(page.nextOffset !== undefined ? { next_offset: page.nextOffset } : {}),
      truncated: page.nextOffset !== undefined,
      ...(page.nonUtf8 ? { non_utf8: true } : {}),
    },
    empty: output.stdout.length === 0,
    head: output.stdout,
  };
}

/** Annotations of a tool that only reads the repository. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
