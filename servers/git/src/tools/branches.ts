import * as z from 'zod';
import { AlreadyExistsError, NotFoundError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, WRITE, defineTool, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { assertNewRefName, assertRevisionText, refExists, resolveRevision } from '../git/refs.js';
import type { RepositoryGit } from '../git/repository.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';

const MAX_BRANCHES = 1000;

/** The configured remote names (`git remote`). */
export async function remoteNames(git: RepositoryGit, signal: AbortSignal): Promise<string[]> {
  return (await git.text(['remote'], { mode: 'read', signal })).split('\n').filter((name) => name.length > 0);
}

/** The name of the branch HEAD points at, or undefined when detached. */
export async function currentBranch(git: RepositoryGit, signal: AbortSignal): Promise<string | undefined> {
  const out = (await git.text(['symbolic-ref', '--quiet', 'HEAD'], { mode: 'read', signal }).catch(() => '')).trim();
  return out.startsWith('refs/heads/') ? out.slice('refs/heads/'.length) : undefined;
}

/** git_branch, git_create_branch and git_checkout. */
export function branchTools(workspace: Workspace): AnyToolDefinition[] {
  const branch = defineTool({
    name: 'git_branch',
    title: 'List branches',
    description:
      'Lists local, remote-tracking or all branches, optionally only those that contain (or do not contain) a commit.',
    inputSchema: z.object({
      repo_path: repoPathField,
      branch_type: z.enum(['local', 'remote', 'all']).default('local'),
      contains: z.string().optional(),
      not_contains: z.string().optional(),
    }),
    outputSchema: z.object({
      count: z.number().describe('Branches shown.'),
      current: z.string().optional().describe('The branch HEAD is on, when it matches.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ repo_path, branch_type, contains, not_contains }, context) => {
      const git = await workspace.open(repo_path, context);
      const containsHash =
        contains === undefined ? undefined : await resolveRevision(git, contains, 'contains', context.signal);
      const notContainsHash =
        not_contains === undefined
          ? undefined
          : await resolveRevision(git, not_contains, 'not_contains', context.signal);
      const args = [
        'branch',
        '--list',
        '--no-color',
        '--format=%(HEAD)%00%(refname)%00%(symref)',
        ...(branch_type === 'remote' ? ['--remotes'] : branch_type === 'all' ? ['--all'] : []),
        ...(containsHash ? [`--contains=${containsHash}`] : []),
        ...(notContainsHash ? [`--no-contains=${notContainsHash}`] : []),
      ];
      const out = await git.text(args, { mode: 'read', signal: context.signal });
      const all = out
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => {
          const [head = '', refname = '', symref = ''] = line.split('\0');
          const remote = refname.startsWith('refs/remotes/');
          const short = remote ? refname.slice('refs/remotes/'.length) : refname.replace(/^refs\/heads\//, '');
          const name = remote && branch_type === 'all' ? `remotes/${short}` : short;
          return { name, current: head === '*', symref };
        });
      const reply = context.reply();
      let shown = 0;
      for (const entry of all) {
        const target = entry.symref ? ` -> ${entry.symref.replace(/^refs\/remotes\//, '')}` : '';
        if (shown >= MAX_BRANCHES || !reply.line(`${entry.current ? '*' : ' '} ${entry.name}${target}`)) break;
        shown++;
      }
      if (all.length === 0) reply.line('No branches match.');
      if (shown < all.length) {
        reply.cut({
          shown: `${shown} of ${all.length} branches`,
          reason: shown < MAX_BRANCHES ? 'the reply budget' : `the ${MAX_BRANCHES}-branch cap`,
          alternative: 'narrow with contains / not_contains or branch_type',
        });
      }
      const current = all.find((entry) => entry.current)?.name;
      return reply.set({ count: shown, ...(current !== undefined ? { current } : {}) }).build({ structured: true });
    },
  });

  const createBranch = defineTool({
    name: 'git_create_branch',
    title: 'Create a branch',
    description: 'Creates a branch from base_branch (a branch or commit; default HEAD) without switching to it.',
    inputSchema: z.object({
      repo_path: repoPathField,
      branch_name: z.string(),
      base_branch: z.string().optional(),
    }),
    outputSchema: z.object({
      branch: z.string().describe('The new branch.'),
      commit: z.string().describe('Commit it points at.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
    handler: async ({ repo_path, branch_name, base_branch }, context) => {
      const git = await workspace.open(repo_path, context);
      await assertNewRefName(git, 'branch', branch_name, 'branch_name', context.signal);
      if (await refExists(git, `refs/heads/${branch_name}`, context.signal)) {
        throw new AlreadyExistsError(
          `Branch ${JSON.stringify(branch_name)} already exists; choose another name or use git_checkout to switch to it.`,
        );
      }
      const baseName = base_branch ?? (await currentBranch(git, context.signal)) ?? 'HEAD';
      const commit = await resolveRevision(git, base_branch ?? 'HEAD', 'base_branch', context.signal);
      await git.run(['branch', '--no-track', '--end-of-options', branch_name, commit], {
        mode: 'write',
        signal: context.signal,
      });
      return context
        .reply()
        .always(`Created branch '${branch_name}' from '${baseName}'`)
        .set({ branch: branch_name, commit })
        .build();
    },
  });

  const checkout = defineTool({
    name: 'git_checkout',
    title: 'Switch branches',
    description: 'Switches to a local branch (or creates it from the one remote-tracking branch of that name).',
    inputSchema: z.object({ repo_path: repoPathField, branch_name: z.string() }),
    outputSchema: z.object({
      branch: z.string().describe('The branch now checked out.'),
      commit: z.string().describe('Its commit.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: withHints(WRITE, { idempotentHint: true }),
    handler: async ({ repo_path, branch_name }, context) => {
      const git = await workspace.open(repo_path, context);
      assertRevisionText(branch_name, 'branch_name');
      if (!(await refExists(git, `refs/heads/${branch_name}`, context.signal))) {
        // Like git's own checkout: a name that exists on exactly one remote becomes a tracking branch.
        const remotes: string[] = [];
        for (const remote of await remoteNames(git, context.signal)) {
          if (await refExists(git, `refs/remotes/${remote}/${branch_name}`, context.signal)) remotes.push(remote);
        }
        if (remotes.length !== 1) {
          throw new NotFoundError(
            remotes.length === 0
              ? `Branch ${JSON.stringify(branch_name)} does not exist; list branches with git_branch or create it with git_create_branch.`
              : `Branch ${JSON.stringify(branch_name)} exists on several remotes (${remotes.join(', ')}); create a local branch from one with git_create_branch first.`,
          );
        }
        await assertNewRefName(git, 'branch', branch_name, 'branch_name', context.signal);
        await git.run(
          ['branch', '--track', '--end-of-options', branch_name, `refs/remotes/${remotes[0]}/${branch_name}`],
          { mode: 'write', signal: context.signal },
        );
      }
      // The name is now a verified local branch that does not start with "-"; "--" ends the revision part.
      await git.run(['checkout', branch_name, '--'], { mode: 'write', signal: context.signal });
      const commit = await resolveRevision(git, 'HEAD', 'HEAD', context.signal);
      return context.reply().always(`Switched to branch '${branch_name}'`).set({ branch: branch_name, commit }).build();
    },
  });

  return [branch, createBranch, checkout];
}
