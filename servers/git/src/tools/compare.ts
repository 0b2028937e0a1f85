import * as z from 'zod';
import { DIFF_VIEW_URI } from './diff-view-uri.js';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { resolveRevision } from '../git/refs.js';
import { GitCommandError } from '../git/runner.js';
import type { Workspace } from '../workspace.js';
import { offsetField, pageShape, repoPathField } from '../workspace.js';
import { contextLinesField, pathArguments, pathsField, SAFE_DIFF_OPTIONS } from './diff.js';
import { pagedGitOutput } from './paging.js';

const MODE_ARGS = {
  summary: [],
  stat: ['--stat=200'],
  name_only: ['--name-only'],
  name_status: ['--name-status'],
  patch: [],
} as const;

/** git_compare: how two revisions relate (merge base, ahead/behind) and what changed between them. */
export function compareTools(workspace: Workspace): AnyToolDefinition[] {
  const compare = defineTool({
    name: 'git_compare',
    title: 'Compare two revisions',
    description:
      'Compares two branches or commits: their merge base, how many commits each is ahead, and the changes on head since the merge base (base...head) as a stat, file names, or a paged patch.',
    inputSchema: z.object({
      repo_path: repoPathField,
      base: z.string().describe('Base branch, tag or commit (e.g. main).'),
      head: z.string().default('HEAD').describe('Head branch, tag or commit (e.g. a feature branch); default HEAD.'),
      mode: z
        .enum(['summary', 'stat', 'name_only', 'name_status', 'patch'])
        .default('stat')
        .describe(
          'What to show of the changes: nothing more than counts, a diffstat, file names, names with status, or the patch.',
        ),
      context_lines: contextLinesField,
      paths: pathsField,
      offset: offsetField,
    }),
    outputSchema: z.object({
      base: z.string().describe('Base commit hash.'),
      head: z.string().describe('Head commit hash.'),
      merge_base: z.string().optional().describe('Best common ancestor; absent when the histories are unrelated.'),
      ahead: z.number().describe('Commits on head that are not on base.'),
      behind: z.number().describe('Commits on base that are not on head.'),
      ...pageShape,
    }),
    annotations: READ_ONLY,
    ui: { resourceUri: DIFF_VIEW_URI },
    toolset: 'compare',
    handler: async ({ repo_path, base, head, mode, context_lines, paths, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const baseHash = await resolveRevision(git, base, 'base', context.signal);
      const headHash = await resolveRevision(git, head, 'head', context.signal);
      const mergeBase = (
        await git
          .text(['merge-base', baseHash, headHash], { mode: 'read', signal: context.signal })
          .catch((error: unknown) => {
            if (error instanceof GitCommandError) return '';
            throw error;
          })
      ).trim();
      const counts = (
        await git.text(['rev-list', '--left-right', '--count', `${baseHash}...${headHash}`], {
          mode: 'read',
          signal: context.signal,
        })
      )
        .trim()
        .split(/\s+/);
      const behind = Number(counts[0] ?? 0);
      const ahead = Number(counts[1] ?? 0);
      const reply = context
        .reply()
        .set({ base: baseHash, head: headHash, ...(mergeBase ? { merge_base: mergeBase } : {}), ahead, behind });
      if (offset === 0) {
        reply.header(
          `Comparing ${base} (${baseHash.slice(0, 12)}) with ${head} (${headHash.slice(0, 12)}):\n` +
            `${head} is ${ahead} commit${ahead === 1 ? '' : 's'} ahead and ${behind} behind ${base}; ` +
            `${mergeBase ? `merge base ${mergeBase.slice(0, 12)}` : 'no common ancestor'}.`,
        );
      }
      if (mode === 'summary') return reply.build({ structured: true });
      if (!mergeBase) {
        reply.line(`There is no merge base, so there is no base...head diff; use git_diff with "${base}..${head}".`);
        return reply.build({ structured: true });
      }
      // --unified implies a patch, so it is passed only when the patch is what was asked for.
      const shape = mode === 'patch' ? [`--unified=${context_lines}`] : [...MODE_ARGS[mode]];
      const args = ['diff', ...SAFE_DIFF_OPTIONS, ...shape, `${baseHash}...${headHash}`, ...pathArguments(git, paths)];
      if (offset === 0) reply.line('');
      const page = await pagedGitOutput(git, args, reply, {
        offset,
        context,
        alternative: 'use mode "stat" or pass paths',
      });
      if (page.empty) reply.line('No changes.');
      return reply.build({ structured: true });
    },
  });
  return [compare];
}
