import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { refExists, resolveRevision, splitRange } from '../git/refs.js';
import type { RepositoryGit } from '../git/repository.js';
import { GitCommandError } from '../git/runner.js';
import { decodeTolerant } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { offsetField, repoPathField } from '../workspace.js';
import { pathArguments, pathsField } from './diff.js';

const FIELD = '\x1f';
const RECORD = '\x1e';
/** hash, author name, author date, subject. */
const LOG_FORMAT = `--format=%H${FIELD}%an${FIELD}%aI${FIELD}%s${RECORD}`;

/** One commit of git_log's output. */
export interface LogCommit {
  hash: string;
  author: string;
  date: string;
  subject: string;
}

/** Parses the records printed with LOG_FORMAT. */
export function parseLog(output: string): LogCommit[] {
  return output
    .split(RECORD)
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.length > 0)
    .map((record) => {
      const [hash = '', author = '', date = '', subject = ''] = record.split(FIELD);
      return { hash, author, date, subject };
    });
}

/** Date-like text for --since/--until (the tool description says what it takes): attached with `=`, never an option. */
const dateField = z.string().max(100).optional();

/** Revision arguments for git_log: HEAD by default, a revision, or a range with both ends verified. */
async function revisionArguments(
  git: RepositoryGit,
  revision: string | undefined,
  signal: AbortSignal,
): Promise<string[]> {
  // HEAD is our own constant, not caller text: no verification round trip on the hot path.
  if (revision === undefined) return ['HEAD'];
  const range = splitRange(revision);
  if (range === undefined) return [await resolveRevision(git, revision, 'revision', signal)];
  const from = await resolveRevision(git, range.from || 'HEAD', 'revision', signal);
  const to = await resolveRevision(git, range.to || 'HEAD', 'revision', signal);
  return [`${from}${range.symmetric ? '...' : '..'}${to}`];
}

/** git_log: commits as a list in structure and one short line each in text. */
export function logTools(workspace: Workspace): AnyToolDefinition[] {
  const log = defineTool({
    name: 'git_log',
    title: 'Commit history',
    description:
      'Lists commits, newest first, one line each (hash, date, author, subject). Timestamps take ISO 8601 dates or relative ones ("2 weeks ago"); author and grep are patterns on the author and the message.',
    inputSchema: z.object({
      repo_path: repoPathField,
      max_count: z.number().int().min(1).max(1000).default(10),
      start_timestamp: dateField,
      end_timestamp: dateField,
      revision: z.string().optional().describe('Revision or range (main..feature); default HEAD.'),
      paths: pathsField,
      author: z.string().max(200).optional(),
      grep: z.string().max(200).optional(),
      offset: offsetField,
    }),
    outputSchema: z.object({ count: z.number().describe('Commits shown.'), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async (
      { repo_path, max_count, start_timestamp, end_timestamp, revision, paths, author, grep, offset },
      context,
    ) => {
      const git = await workspace.open(repo_path, context);
      const revisions = await revisionArguments(git, revision, context.signal);
      for (const [name, value] of [
        ['start_timestamp', start_timestamp],
        ['end_timestamp', end_timestamp],
      ] as const) {
        if (value !== undefined && /[\x00-\x1f]/.test(value))
          throw new InvalidArgumentError(`${name} contains control characters; pass a date.`);
      }
      const args = [
        'log',
        '--no-color',
        '--no-show-signature',
        LOG_FORMAT,
        // One more than asked: tells whether another page exists without counting the whole history.
        `--max-count=${max_count + 1}`,
        ...(offset > 0 ? [`--skip=${offset}`] : []),
        ...(start_timestamp ? [`--since=${start_timestamp}`] : []),
        ...(end_timestamp ? [`--until=${end_timestamp}`] : []),
        ...(author ? [`--author=${author}`] : []),
        ...(grep ? [`--grep=${grep}`] : []),
        ...revisions,
        ...pathArguments(git, paths),
      ];
      let output;
      try {
        output = await git.run(args, { mode: 'read', signal: context.signal });
      } catch (error) {
        // An empty repository has no HEAD commit yet: that is an empty log, not an error.
        if (
          revision === undefined &&
          error instanceof GitCommandError &&
          /does not have any commits|bad default revision|unknown revision|bad revision 'HEAD'/.test(error.stderr)
        ) {
          if (!(await refExists(git, 'HEAD', context.signal)))
            return context.reply().header('Commit history:').always('No commits yet.').set({ count: 0 }).build();
        }
        throw error;
      }
      const reply = context.reply();
      const page = reply.page(parseLog(decodeTolerant(output.stdout).text), {
        line: (commit) => `${commit.hash.slice(0, 12)} ${commit.date.slice(0, 10)} ${commit.author}: ${commit.subject}`,
        noun: 'commits',
        offset,
        limit: max_count,
        limitReason: 'max_count',
      });
      const shown = page.items.length;
      if (shown === 0 && !page.truncated) reply.always('No commits match.');
      reply.header(
        shown === 0
          ? 'Commit history:'
          : `Commit history (${shown} commit${shown === 1 ? '' : 's'}${offset > 0 ? ` from offset ${offset}` : ''}):`,
      );
      return reply.set({ count: shown }).build();
    },
  });
  return [log];
}
