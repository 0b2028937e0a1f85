import * as z from 'zod';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { DESTRUCTIVE, READ_ONLY, WRITE, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { refExists } from '../git/refs.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';
import { pathArguments } from './diff.js';

const MAX_STASHES = 200;

/** git_stash_list (read), git_stash_push and git_stash_pop. */
export function stashTools(workspace: Workspace): AnyToolDefinition[] {
  const list = defineTool({
    name: 'git_stash_list',
    title: 'List stashes',
    description: 'Lists stashed changes, newest first.',
    inputSchema: z.object({ repo_path: repoPathField }),
    outputSchema: z.object({ count: z.number().describe('Stashes shown.'), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    toolset: 'stash',
    handler: async ({ repo_path }, context) => {
      const git = await workspace.open(repo_path, context);
      const out = await git.text(['stash', 'list', `--max-count=${MAX_STASHES + 1}`, '--no-color', '--format=%gs'], {
        mode: 'read',
        signal: context.signal,
      });
      const messages = out.split('\n').filter((line) => line.length > 0);
      const reply = context.reply();
      let shown = 0;
      while (shown < Math.min(messages.length, MAX_STASHES) && reply.line(`stash@{${shown}}: ${messages[shown]}`))
        shown++;
      if (messages.length === 0) reply.line('No stashes.');
      if (shown < messages.length) {
        reply.cut({
          shown: `the newest ${shown} stashes`,
          reason: shown < MAX_STASHES ? 'the reply budget' : `the ${MAX_STASHES}-stash cap`,
          alternative: 'pop or drop old stashes to see the rest',
        });
      }
      return reply.set({ count: shown }).build({ structured: true });
    },
  });

  const push = defineTool({
    name: 'git_stash_push',
    title: 'Stash changes',
    description:
      'Saves local changes (staged and unstaged, optionally untracked files) to a new stash and cleans the working tree.',
    inputSchema: z.object({
      repo_path: repoPathField,
      message: z.string().min(1).max(1000).optional().describe('Description of the stash.'),
      include_untracked: z.boolean().default(false).describe('Also stash untracked files.'),
      paths: z.array(z.string()).max(100).optional().describe('Only stash changes to these paths.'),
    }),
    outputSchema: z.object({
      created: z.boolean().describe('Whether a stash was created (false when there was nothing to stash).'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
    toolset: 'stash',
    handler: async ({ repo_path, message, include_untracked, paths }, context) => {
      const git = await workspace.open(repo_path, context);
      if (git.repository.topLevel === undefined)
        throw new InvalidArgumentError('This is a bare repository: it has no work tree to stash.');
      const before = (await refExists(git, 'refs/stash', context.signal))
        ? (await git.text(['rev-parse', 'refs/stash'], { mode: 'read', signal: context.signal })).trim()
        : '';
      const args = [
        'stash',
        'push',
        ...(include_untracked ? ['--include-untracked'] : []),
        ...(message !== undefined ? [`--message=${message}`] : []),
        ...pathArguments(git, paths),
      ];
      await git.run(args, { mode: 'write', signal: context.signal });
      const after = (await refExists(git, 'refs/stash', context.signal))
        ? (await git.text(['rev-parse', 'refs/stash'], { mode: 'read', signal: context.signal })).trim()
        : '';
      const created = after !== '' && after !== before;
      return context
        .reply()
        .always(created ? 'Saved local changes to stash@{0}.' : 'No local changes to save.')
        .set({ created })
        .build();
    },
  });

  const pop = defineTool({
    name: 'git_stash_pop',
    title: 'Apply and drop a stash',
    description:
      'Applies a stash to the working tree and removes it from the stash list (kept when the apply conflicts).',
    inputSchema: z.object({
      repo_path: repoPathField,
      index: z.number().int().min(0).default(0).describe('Which stash: 0 is the newest (stash@{0}).'),
      restore_index: z.boolean().default(false).describe('Also restore which changes were staged.'),
    }),
    annotations: DESTRUCTIVE,
    effect: ({ repo_path, index }) =>
      `Apply stash@{${index}} to the working tree of ${repo_path} and drop it from the stash list`,
    toolset: 'stash',
    handler: async ({ repo_path, index, restore_index }, context) => {
      const git = await workspace.open(repo_path, context);
      const ref = `stash@{${index}}`;
      if (!(await refExists(git, ref, context.signal)))
        throw new NotFoundError(`There is no ${ref}; list stashes with git_stash_list.`);
      await git.run(['stash', 'pop', ...(restore_index ? ['--index'] : []), ref], {
        mode: 'write',
        signal: context.signal,
      });
      return context.reply().always(`Applied and dropped ${ref}.`).build();
    },
  });

  return [list, push, pop];
}
