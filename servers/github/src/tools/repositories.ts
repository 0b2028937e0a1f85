import * as z from 'zod';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { lenient } from '../github/schema.js';
import { listPage, pagingOf } from '../github/paging.js';
import { oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { GH_READ, GH_WRITE, OWNER, REPO, day, login, refPath, repository } from './context.js';
import type { GitHubTools } from './context.js';

export interface RepoLike {
  full_name: string;
  private?: boolean;
  fork?: boolean;
  archived?: boolean;
  description?: string | null;
  language?: string | null;
  stargazers_count?: number;
  default_branch?: string;
  html_url?: string;
  updated_at?: string | null;
}

/** One compact row of a repository list. */
export function repoRow(repo: RepoLike): string {
  const flags = [repo.private ? 'private' : '', repo.fork ? 'fork' : '', repo.archived ? 'archived' : ''].filter(
    Boolean,
  );
  return `${repo.full_name}${flags.length ? ` [${flags.join(', ')}]` : ''} ★${repo.stargazers_count ?? 0}${repo.language ? ` ${repo.language}` : ''}${repo.description ? ` — ${oneLine(repo.description, 100)}` : ''}`;
}

interface CommitLike {
  sha: string;
  commit: { message: string; author?: { name?: string; date?: string } | null };
  author?: { login?: string } | null;
}

export function repositoryTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api, scope } = tools;
  return [
    defineTool({
      name: 'search_repositories',
      title: 'Search repos',
      description: 'GitHub search syntax.',
      inputSchema: lenient(z.object({ query: z.string() })),
      annotations: GH_READ,
      handler: async (args, context) => {
        const paging = pagingOf(args);
        const q = scope.qualify(args.query);
        const response = await api.request<{ total_count: number; incomplete_results?: boolean; items: RepoLike[] }>(
          'GET /search/repositories',
          { q, ...paging.params },
          { signal: context.signal },
        );
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\n${response.data.total_count} repositories match, page ${paging.page}:`);
        listPage(reply, paging, response, response.data.items, {
          line: repoRow,
          noun: 'repositories',
          spelling: 'perPage',
        });
        reply.set({ total_count: response.data.total_count });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'create_repository',
      title: 'New repo',
      description: "For the token's user.",
      inputSchema: z.object({
        name: z.string(),
        description: z.string().optional(),
        private: z.boolean().optional(),
        autoInit: z.boolean().optional(),
      }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        if (scope.active) repository(tools, await api.login(context.signal), args.name);
        const { data } = await api.request<RepoLike>(
          'POST /user/repos',
          // The reference passed autoInit through as is, which GitHub ignores; the API's name is auto_init.
          { name: args.name, description: args.description, private: args.private, auto_init: args.autoInit },
          { signal: context.signal, hints: { subject: 'authenticated user (set a token)' } },
        );
        const reply = context.reply();
        reply.always(
          `Created ${data.full_name}${data.private ? ' (private)' : ''}, default branch ${data.default_branch ?? 'none yet'}.`,
        );
        if (data.html_url) reply.always(data.html_url);
        reply.set({ full_name: data.full_name, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'fork_repository',
      title: 'Fork repo',
      description: 'To you or organization.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, organization: z.string().optional() }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        // The fork is a repository too: with a scope, it must land inside it.
        if (scope.active) repository(tools, args.organization ?? (await api.login(context.signal)), repo);
        const { data } = await api.request<RepoLike>(
          'POST /repos/{owner}/{repo}/forks',
          { owner, repo, organization: args.organization },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(`Forked ${owner}/${repo} to ${data.full_name} (GitHub may take a moment to fill it).`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ full_name: data.full_name, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'create_branch',
      title: 'New branch',
      description: 'Default: the default branch.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, branch: z.string(), from_branch: z.string().optional() }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        // The default branch is read from the API, not guessed as main or master.
        const from =
          args.from_branch ??
          (
            await api.request<RepoLike>(
              'GET /repos/{owner}/{repo}',
              { owner, repo },
              { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
            )
          ).data.default_branch ??
          'main';
        const { data: ref } = await api.request<{ object: { sha: string } }>(
          `GET /repos/{owner}/{repo}/git/ref/heads/${refPath(from)}`,
          { owner, repo },
          { signal: context.signal, hints: { subject: `branch ${from} in ${owner}/${repo}` } },
        );
        const { data } = await api.request<{ ref: string; object: { sha: string } }>(
          'POST /repos/{owner}/{repo}/git/refs',
          { owner, repo, ref: `refs/heads/${args.branch}`, sha: ref.object.sha },
          {
            signal: context.signal,
            hints: {
              subject: `repository ${owner}/${repo}`,
              unprocessable: {
                pattern: /already exists/i,
                sentence: `Branch ${args.branch} already exists in ${owner}/${repo}; pick another name.`,
              },
            },
          },
        );
        const reply = context.reply();
        reply.always(`Created branch ${args.branch} from ${from} at ${data.object.sha}.`);
        reply.set({ ref: data.ref, sha: data.object.sha, from });
        return reply.build();
      },
    }),
    defineTool({
      name: 'list_commits',
      title: 'Commits',
      description: 'Newest first.',
      inputSchema: lenient(z.object({ owner: OWNER, repo: REPO, sha: z.string().optional() })),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<CommitLike[]>(
          'GET /repos/{owner}/{repo}/commits',
          { owner, repo, sha: args.sha, ...paging.params },
          {
            signal: context.signal,
            hints: { subject: `repository ${owner}/${repo}${args.sha ? ` or ref ${args.sha}` : ''}` },
          },
        );
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\nCommits of ${owner}/${repo}${args.sha ? ` at ${args.sha}` : ''}, page ${paging.page}:`,
        );
        listPage(reply, paging, response, response.data, {
          line: (commit) =>
            `${commit.sha.slice(0, 12)} ${day(commit.commit.author?.date)} ${commit.author ? login(commit.author) : oneLine(commit.commit.author?.name ?? 'unknown', 60)}: ${oneLine(commit.commit.message.split('\n')[0], 150)}`,
          noun: 'commits',
          spelling: 'perPage',
        });
        return reply.build({ structured: true });
      },
    }),
  ];
}
