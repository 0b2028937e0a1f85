import * as z from 'zod';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { WRITE, defineTool, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { workTreePath } from '../git/paths.js';
import { refExists, resolveRevision } from '../git/refs.js';
import type { RepositoryGit } from '../git/repository.js';
import { GitCommandError } from '../git/runner.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';
import { currentBranch } from './branches.js';

const filesField = z
  .array(z.string())
  .min(1)
  .max(1000)
  .describe('Paths relative to repo_path, taken literally ("." for all).');

/** Stages `files` (each confined to the work tree) and returns the staged paths git reported. */
async function stage(git: RepositoryGit, files: readonly string[], signal: AbortSignal): Promise<string[]> {
  if (git.repository.topLevel === undefined)
    throw new InvalidArgumentError('This is a bare repository: it has no work tree to stage files from.');
  const paths = files.map((file) => workTreePath(git.repository, file, 'files'));
  const out = await git.text(['add', '--verbose', '--', ...paths], { mode: 'write', signal });
  return out
    .split('\n')
    .map((line) => /^add '(.*)'$/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

/** git_add, git_reset and git_commit: the reference staging tools, commits through the git CLI. */
export function stagingTools(workspace: Workspace): AnyToolDefinition[] {
  const add = defineTool({
    name: 'git_add',
    title: 'Stage files',
    description: 'Adds file contents to the staging area.',
    inputSchema: z.object({ repo_path: repoPathField, files: filesField }),
    outputSchema: z.object({
      staged: z.array(z.string()).describe('Paths git staged in this call (at most 200 listed).'),
      count: z.number().describe('How many paths were staged.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: withHints(WRITE, { idempotentHint: true }),
    handler: async ({ repo_path, files }, context) => {
      const git = await workspace.open(repo_path, context);
      const staged = await stage(git, files, context.signal);
      return context
        .reply()
        .always(
          staged.length > 0
            ? `Files staged successfully (${staged.length}).`
            : 'Files staged successfully (nothing new to stage).',
        )
        .set({ staged: staged.slice(0, 200), count: staged.length })
        .build();
    },
  });

  const reset = defineTool({
    name: 'git_reset',
    title: 'Unstage all changes',
    description: 'Unstages all staged changes; the working tree is kept.',
    inputSchema: z.object({ repo_path: repoPathField }),
    annotations: withHints(WRITE, { idempotentHint: true }),
    handler: async ({ repo_path }, context) => {
      const git = await workspace.open(repo_path, context);
      if (git.repository.topLevel === undefined)
        throw new InvalidArgumentError('This is a bare repository: it has no staging area to reset.');
      if (await refExists(git, 'HEAD', context.signal)) {
        await git.run(['reset', '--mixed'], { mode: 'write', signal: context.signal });
      } else {
        // Before the first commit there is no HEAD to reset to: empty the index instead.
        await git.run(['rm', '-r', '--cached', '--ignore-unmatch', '--', '.'], {
          mode: 'write',
          signal: context.signal,
        });
      }
      return context.reply().always('All staged changes reset').build();
    },
  });

  const commit = defineTool({
    name: 'git_commit',
    title: 'Commit',
    description:
      "Commits the staged changes (pass files to stage them first); the repository's hooks and signing apply.",
    inputSchema: z.object({
      repo_path: repoPathField,
      message: z.string().max(100_000),
      files: filesField.optional(),
    }),
    outputSchema: z.object({
      hash: z.string().describe('Hash of the new commit.'),
      branch: z.string().optional().describe('Branch the commit was made on.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
    handler: async ({ repo_path, message, files }, context) => {
      const git = await workspace.open(repo_path, context);
      if (message.trim().length === 0) throw new InvalidArgumentError('message is empty; pass a commit message.');
      if (message.includes('\0')) throw new InvalidArgumentError('message contains a NUL byte; remove it.');
      if (files !== undefined) await stage(git, files, context.signal);
      try {
        // The message is attached to its option with "=", so whatever it says it stays the message.
        await git.run(['commit', `--message=${message}`], {
          mode: 'write',
          signal: context.signal,
          idleTimeoutMs: 300_000,
        });
      } catch (error) {
        if (
          error instanceof GitCommandError &&
          /nothing (added )?to commit|no changes added to commit/.test(`${error.stdout}\n${error.stderr}`)
        ) {
          throw new InvalidArgumentError(
            'Nothing is staged to commit; stage changes with git_add (or pass files) first.',
          );
        }
        throw error;
      }
      const hash = await resolveRevision(git, 'HEAD', 'HEAD', context.signal);
      const branch = await currentBranch(git, context.signal);
      return context
        .reply()
        .always(`Changes committed successfully with hash ${hash}`)
        .set({ hash, ...(branch ? { branch } : {}) })
        .build();
    },
  });

  return [add, reset, commit];
}
