import * as z from 'zod';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { toolResult } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { refExists } from '../git/refs.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';
import { pathArguments } from './diff.js';
import { READ_ONLY } from './paging.js';

const MAX_STASHES = 200;

/** git_stash_list (read), git_stash_push and git_stash_pop. */
export function stashTools(workspace: Workspace): AnyToolDefinition[] {
  const list = defineTool({
    name: 'git_stash_list',
    title: 'List stashes',
    description: 'Lists stashed changes, newest first.',
    inputSchema: z.object({ repo_path: repoPathField }),
    outputSchema: z.object({
      stashes: z.array(z.object({ index: z.number(), hash: z.string(), date: z.string(), message: z.string() })).describe('The stashes (at most 200).'),
    }),
    annotations: READ_ONLY,
    handler: async ({ repo_path }, context) => {
      const git = await workspace.open(repo_path, context);
      const out = await git.text(['stash', 'list', `--max-count=${MAX_STASHES}`, '--no-color', '--format=%H%x1f%aI%x1f%gs'], { mode: 'read', signal: context.signal });
      const stashes = out
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line, index) => {
          const [hash = '', date = '', message = ''] = line.split('\x1f');
          return { index, hash, date, message };
        });
      const text = stashes.length === 0 ? 'No stashes.' : stashes.map((s) => `stash@{${s.index}}: ${s.message}`).join('\n');
      return toolResult(text, { stashes });
    },
  });

  const push = defineTool({
    name: 'git_stash_push',
    title: 'Stash changes',
    description: 'Saves local changes (staged and unstaged, optionally untracked files) to a new stash and cleans the working tree.',
    inputSchema: z.object({
      repo_path: repoPathField,
      message: z.string().min(1).max(1000).optional().describe('Description of the stash.'),
      include_untracked: z.boolean().default(false).describe('Also stash untracked files.'),
      paths: z.array(z.string().min(1)).max(100).optional().describe('Only stash changes to these paths.'),
    }),
    outputSchema: z.object({ created: z.boolean().describe('Whether a stash was created (false when there was nothing to stash).') }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async ({ repo_path, message, include_untracked, paths }, context) => {
      const git = await workspace.open(repo_path, context);
      if (git.repository.topLevel === undefined) throw new InvalidArgumentError('This is a bare repository: it has no work tree to stash.');
      const before = await refExists(git, 'refs/stash', context.signal) ? (await git.text(['rev-parse', 'refs/stash'], { mode: 'read', signal: context.signal })).trim() : '';
      const args = ['stash', 'push', ...(include_untracked ? ['--include-untracked'] : []), ...(message !== undefined ? [`--message=${message}`] : []), ...pathArguments(git, paths)];
      await git.run(args, { mode: 'write', signal: context.signal });
      const after = await refExists(git, 'refs/stash', context.signal) ? (await git.text(['rev-parse', 'refs/stash'], { mode: 'read', signal: context.signal })).trim() : '';
      const created = after !== '' && after !== before;
      return toolResult(created ? 'Saved local changes to stash@{0}.' : 'No local changes to save.', { created });
    },
  });

  const pop = defineTool({
    name: 'git_stash_pop',
    title: 'Apply and drop a stash',
    description: 'Applies a stash to the working tree and removes it from the stash list (kept when the apply conflicts).',
    inputSchema: z.object({
      repo_path: repoPathField,
      index: z.number().int().min(0).default(0).describe('Which stash: 0 is the newest (stash@{0}).'),
      restore_index: z.boolean().default(false).describe('Also restore which changes were staged.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    handler: async ({ repo_path, index, restore_index }, context) => {
      const git = await workspace.open(repo_path, context);
      const ref = `stash@{${index}}`;
      if (!(await refExists(git, ref, context.signal))) throw new NotFoundError(`There is no ${ref}; list stashes with git_stash_list.`);
      await git.run(['stash', 'pop', ...(restore_index ? ['--index'] : []), ref], { mode: 'write', signal: context.signal });
      return toolResult(`Applied and dropped ${ref}.`);
    },
  });

  return [list, push, pop];
}
