import * as z from 'zod';
import { DIFF_VIEW_URI } from './diff-view-uri.js';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition, ToolContext } from '@portico-mcp/shared/serve';
import { workTreePath } from '../git/paths.js';
import { resolveRevision, splitRange } from '../git/refs.js';
import type { RepositoryGit } from '../git/repository.js';
import type { Workspace } from '../workspace.js';
import { offsetField, pageShape, repoPathField } from '../workspace.js';
import { pagedGitOutput } from './paging.js';

/** Options every diff takes so that repository config cannot run a program or colour the output. */
// --ignore-submodules=dirty: a dirty submodule would be inspected by a child git reading the submodule's own
// config, whose filter programs no pin of ours reaches.
export const SAFE_DIFF_OPTIONS = ['--no-ext-diff', '--no-textconv', '--no-color', '--ignore-submodules=dirty'] as const;

export const contextLinesField = z.number().int().min(0).max(10_000).default(3);
export const pathsField = z.array(z.string()).max(100).optional();

const diffOutput = z.object(pageShape);

/** Makes pathspec arguments (`-- a b`) from caller paths, each confined to the work tree. */
export function pathArguments(git: RepositoryGit, paths: readonly string[] | undefined): string[] {
  if (paths === undefined || paths.length === 0) return ['--'];
  return ['--', ...paths.map((given) => workTreePath(git.repository, given))];
}

/** A diff's reply: the header line, then the page of git's output (or `none` when there is no difference). */
async function diffReply(
  git: RepositoryGit,
  args: string[],
  header: string,
  offset: number,
  context: ToolContext,
  none: string,
) {
  const reply = context.reply().header(header);
  const page = await pagedGitOutput(git, args, reply, {
    offset,
    context,
    alternative: 'pass paths to see fewer files',
  });
  if (page.empty) reply.line(none);
  return reply.build({ structured: true });
}

/** Resolves git_diff's `target`: one revision, or `A..B` / `A...B` with each end verified. */
export async function targetArguments(git: RepositoryGit, target: string, signal: AbortSignal): Promise<string[]> {
  const range = splitRange(target);
  if (range === undefined) return [await resolveRevision(git, target, 'target', signal)];
  const from = await resolveRevision(git, range.from || 'HEAD', 'target', signal);
  const to = await resolveRevision(git, range.to || 'HEAD', 'target', signal);
  return [`${from}${range.symmetric ? '...' : '..'}${to}`];
}

/** git_diff_unstaged, git_diff_staged and git_diff: the reference tools, paged and safe. */
export function diffTools(workspace: Workspace): AnyToolDefinition[] {
  const unstaged = defineTool({
    name: 'git_diff_unstaged',
    title: 'Diff unstaged changes',
    description: 'Shows changes in the working tree that are not yet staged (git diff).',
    inputSchema: z.object({
      repo_path: repoPathField,
      context_lines: contextLinesField,
      paths: pathsField,
      offset: offsetField,
    }),
    outputSchema: diffOutput,
    annotations: READ_ONLY,
    ui: { resourceUri: DIFF_VIEW_URI },
    handler: async ({ repo_path, context_lines, paths, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const args = ['diff', ...SAFE_DIFF_OPTIONS, `--unified=${context_lines}`, ...pathArguments(git, paths)];
      return diffReply(git, args, 'Unstaged changes:', offset, context, 'No unstaged changes.');
    },
  });

  const staged = defineTool({
    name: 'git_diff_staged',
    title: 'Diff staged changes',
    description: 'Shows changes staged for the next commit (git diff --cached).',
    inputSchema: z.object({
      repo_path: repoPathField,
      context_lines: contextLinesField,
      paths: pathsField,
      offset: offsetField,
    }),
    outputSchema: diffOutput,
    annotations: READ_ONLY,
    ui: { resourceUri: DIFF_VIEW_URI },
    handler: async ({ repo_path, context_lines, paths, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const args = [
        'diff',
        '--cached',
        ...SAFE_DIFF_OPTIONS,
        `--unified=${context_lines}`,
        ...pathArguments(git, paths),
      ];
      return diffReply(git, args, 'Staged changes:', offset, context, 'No staged changes.');
    },
  });

  const diff = defineTool({
    name: 'git_diff',
    title: 'Diff against a branch or commit',
    description: 'Shows differences between the working tree and a branch or commit, or between two revisions.',
    inputSchema: z.object({
      repo_path: repoPathField,
      target: z.string().describe('A revision, or a range A..B / A...B.'),
      context_lines: contextLinesField,
      paths: pathsField,
      offset: offsetField,
    }),
    outputSchema: diffOutput,
    annotations: READ_ONLY,
    ui: { resourceUri: DIFF_VIEW_URI },
    handler: async ({ repo_path, target, context_lines, paths, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      if (target.trim() !== target)
        throw new InvalidArgumentError(
          'target has leading or trailing spaces; pass the branch, tag or commit exactly.',
        );
      const revisions = await targetArguments(git, target, context.signal);
      const args = [
        'diff',
        ...SAFE_DIFF_OPTIONS,
        `--unified=${context_lines}`,
        ...revisions,
        ...pathArguments(git, paths),
      ];
      return diffReply(git, args, `Diff with ${target}:`, offset, context, 'No differences.');
    },
  });

  return [unstaged, staged, diff];
}
