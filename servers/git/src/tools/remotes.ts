import * as z from 'zod';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { READ_ONLY, WRITE, defineTool, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { assertNewRefName, assertRevisionText, refExists } from '../git/refs.js';
import { assertRemotesStayInside } from '../git/remote-reach.js';
import type { RepositoryGit } from '../git/repository.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';
import { currentBranch, remoteNames } from './branches.js';

/** Network operations may be slow; they are stopped only after this long without any output. */
const REMOTE_IDLE_TIMEOUT_MS = 120_000;

/** Credentials in a URL: `user:password@`, or a lone user name over http(s), where it is often a token. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/gi;

/** Hides the credentials of every URL in `text` (`https://user:token@host`, `https://token@host`). */
export function redactUrl(text: string): string {
  return text.replace(URL_CREDENTIALS, (all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:***@`;
    return /^https?:\/\/$/i.test(scheme) ? `${scheme}***@` : all;
  });
}

/**
 * The remote to use: the caller's (which must be configured), else origin, else the only one; refused when its
 * URLs lead to a local repository outside the allowed ones or to a command transport.
 */
async function chooseRemote(git: RepositoryGit, remote: string | undefined, signal: AbortSignal): Promise<string> {
  const name = await pickRemote(git, remote, signal);
  await assertRemotesStayInside(git, [name], signal);
  return name;
}

async function pickRemote(git: RepositoryGit, remote: string | undefined, signal: AbortSignal): Promise<string> {
  const names = await remoteNames(git, signal);
  if (remote !== undefined) {
    assertRevisionText(remote, 'remote');
    // Only a configured remote name is accepted: never a URL or an option, so no --upload-pack, no ext::.
    if (!names.includes(remote)) {
      throw new NotFoundError(
        `remote ${JSON.stringify(remote)} is not configured in this repository; use one of: ${names.join(', ') || '(none)'}.`,
      );
    }
    return remote;
  }
  if (names.includes('origin')) return 'origin';
  if (names.length === 1) return names[0]!;
  throw new InvalidArgumentError(
    names.length === 0
      ? 'This repository has no remote configured.'
      : `Several remotes are configured (${names.join(', ')}); pass remote.`,
  );
}

/** Git's own account of a network operation (it reports progress and results on stderr). */
function summary(stderr: string, stdout: string): string {
  const text = `${stdout}\n${stderr}`
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(
      (line) =>
        line.length > 0 &&
        !/^(remote: )?(Counting|Compressing|Receiving|Resolving|Writing|Enumerating|Total|Unpacking)/.test(line),
    )
    // Only git's ref-update lines and the remote's own messages stay; warnings and errors can quote files and URLs.
    .filter((line) => !/^(warning|error|fatal|hint):/i.test(line))

    .map((line) => redactUrl(line).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ''))
    .join('\n');
  return text.length > 4000 ? `${text.slice(0, 4000)}\n…` : text;
}

const REMOTE = withHints(WRITE, { openWorldHint: true });

/** git_remotes (read) and, with --allow-remote, git_fetch, git_pull and git_push. */
export function remoteTools(workspace: Workspace, options: { allowRemote: boolean }): AnyToolDefinition[] {
  const remotes = defineTool({
    name: 'git_remotes',
    title: 'List remotes',
    description: 'Lists the configured remotes with their fetch and push URLs (credentials in URLs are hidden).',
    inputSchema: z.object({ repo_path: repoPathField }),
    outputSchema: z.object({ count: z.number().describe('Remotes listed.'), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ repo_path }, context) => {
      const git = await workspace.open(repo_path, context);
      const out = await git.text(['remote', '--verbose'], { mode: 'read', signal: context.signal });
      const byName = new Map<string, { name: string; fetch: string; push: string }>();
      for (const line of out.split('\n')) {
        const match = /^(\S+)\t(.*) \((fetch|push)\)$/.exec(line);
        if (!match) continue;
        const entry = byName.get(match[1]!) ?? { name: match[1]!, fetch: '', push: '' };
        entry[match[3] as 'fetch' | 'push'] = redactUrl(match[2]!);
        byName.set(entry.name, entry);
      }
      const reply = context.reply();
      const list = [...byName.values()];
      for (const r of list) reply.always(`${r.name}\t${r.fetch}${r.push !== r.fetch ? ` (push: ${r.push})` : ''}`);
      if (list.length === 0) reply.always('No remotes.');
      return reply.set({ count: list.length }).build();
    },
  });
  if (!options.allowRemote) return [remotes];

  const fetch = defineTool({
    name: 'git_fetch',
    title: 'Fetch from a remote',
    description: 'Downloads objects and refs from a configured remote (default origin).',
    inputSchema: z.object({
      repo_path: repoPathField,
      remote: z.string().optional().describe('Configured remote name; default origin (or the only remote).'),
      prune: z.boolean().default(false).describe('Remove remote-tracking branches that no longer exist on the remote.'),
      tags: z.boolean().default(false).describe('Also fetch all tags.'),
    }),
    annotations: REMOTE,
    handler: async ({ repo_path, remote, prune, tags }, context) => {
      const git = await workspace.open(repo_path, context);
      const name = await chooseRemote(git, remote, context.signal);
      const out = await git.run(
        ['fetch', ...(prune ? ['--prune'] : []), ...(tags ? ['--tags'] : []), '--end-of-options', name],
        { mode: 'remote', signal: context.signal, idleTimeoutMs: REMOTE_IDLE_TIMEOUT_MS },
      );
      const said = summary(out.stderr, out.stdout.toString('utf8'));
      return context
        .reply()
        .always(`Fetched from ${name}.${said ? `\n${said}` : ' Already up to date.'}`)
        .build();
    },
  });

  const pull = defineTool({
    name: 'git_pull',
    title: 'Pull from a remote',
    description:
      'Fetches from a configured remote and integrates into the current branch (fast-forward only by default).',
    inputSchema: z.object({
      repo_path: repoPathField,
      remote: z.string().optional().describe('Configured remote name; default origin (or the only remote).'),
      branch: z.string().optional().describe('Remote branch to pull; default the upstream of the current branch.'),
      ff_only: z
        .boolean()
        .default(true)
        .describe('Refuse to create a merge commit (fail instead when histories diverged).'),
    }),
    annotations: REMOTE,
    handler: async ({ repo_path, remote, branch, ff_only }, context) => {
      const git = await workspace.open(repo_path, context);
      if (git.repository.topLevel === undefined)
        throw new InvalidArgumentError('This is a bare repository: use git_fetch instead.');
      const name = await chooseRemote(git, remote, context.signal);
      if (branch !== undefined) await assertNewRefName(git, 'branch', branch, 'branch', context.signal);
      const args = [
        'pull',
        ff_only ? '--ff-only' : '--no-rebase',
        '--end-of-options',
        name,
        ...(branch !== undefined ? [`refs/heads/${branch}`] : []),
      ];
      const out = await git.run(args, {
        mode: 'remote',
        signal: context.signal,
        idleTimeoutMs: REMOTE_IDLE_TIMEOUT_MS,
      });
      return context
        .reply()
        .always(`Pulled from ${name}.\n${summary(out.stderr, out.stdout.toString('utf8'))}`.trim())
        .build();
    },
  });

  const push = defineTool({
    name: 'git_push',
    title: 'Push to a remote',
    description:
      'Pushes a local branch (default the current one) to the same name on a configured remote; never forces.',
    inputSchema: z.object({
      repo_path: repoPathField,
      remote: z.string().optional().describe('Configured remote name; default origin (or the only remote).'),
      branch: z.string().optional().describe('Local branch to push; default the current branch.'),
      set_upstream: z.boolean().default(false).describe('Make the pushed branch the upstream of the local one.'),
    }),
    annotations: REMOTE,
    handler: async ({ repo_path, remote, branch, set_upstream }, context) => {
      const git = await workspace.open(repo_path, context);
      const name = await chooseRemote(git, remote, context.signal);
      const local = branch ?? (await currentBranch(git, context.signal));
      if (local === undefined) throw new InvalidArgumentError('HEAD is detached; pass the branch to push.');
      assertRevisionText(local, 'branch');
      if (!(await refExists(git, `refs/heads/${local}`, context.signal)))
        throw new NotFoundError(`Local branch ${JSON.stringify(local)} does not exist; list branches with git_branch.`);
      const refspec = `refs/heads/${local}:refs/heads/${local}`;
      const out = await git.run(
        ['push', '--porcelain', ...(set_upstream ? ['--set-upstream'] : []), '--end-of-options', name, refspec],
        { mode: 'remote', signal: context.signal, idleTimeoutMs: REMOTE_IDLE_TIMEOUT_MS },
      );
      return context
        .reply()
        .always(`Pushed ${local} to ${name}.\n${summary('', out.stdout.toString('utf8'))}`.trim())
        .build();
    },
  });

  return [remotes, fetch, pull, push];
}
