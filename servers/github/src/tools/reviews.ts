import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { clean, oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { day, GH_READ, GH_UPDATE, GH_WRITE, NUMBER, OWNER, REPO, repository } from './context.js';
import type { GitHubTools } from './context.js';

const THREADS_QUERY = `query($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 50, after: $after) {
        pageInfo { hasNextPage }
        edges { cursor node { id isResolved isOutdated path line comments(first: 30) { nodes { databaseId author { login } body createdAt } } } }
      }
    }
  }
}`;

interface ThreadsAnswer {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean };
        edges: Array<{
          cursor: string;
          node: {
            id: string;
            isResolved: boolean;
            isOutdated: boolean;
            path: string;
            line: number | null;
            comments: {
              nodes: Array<{ databaseId: number; author: { login: string } | null; body: string; createdAt: string }>;
            };
          };
        }>;
      };
    } | null;
  } | null;
}

const THREAD_REPOSITORY = `query($id: ID!) { node(id: $id) { ... on PullRequestReviewThread { pullRequest { repository { name owner { login } } } } } }`;

/** The files of a unified diff, each from its `diff --git` line. */
export function diffFiles(diff: string): Array<{ path: string; text: string }> {
  const parts = diff.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '));
  return parts.map((text) => ({
    path: /^diff --git a\/(.*?) b\//.exec(text)?.[1] ?? '?',
    text: text.replace(/\n$/, ''),
  }));
}

export function reviewTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api, scope } = tools;
  return [
    defineTool({
      name: 'list_review_threads',
      title: 'Review threads',
      description:
        'Lists the review comment threads of a pull request with their ids (for reply and resolve) and state.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        pull_number: NUMBER,
        cursor: z.string().optional(),
        unresolved_only: z.boolean().optional(),
      }),
      annotations: GH_READ,
      toolset: 'reviews',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const subject = { subject: `pull request #${args.pull_number} in ${owner}/${repo}` };
        const answer = await api.graphql<ThreadsAnswer>(
          THREADS_QUERY,
          { owner, repo, number: args.pull_number, after: args.cursor ?? null },
          { signal: context.signal, hints: subject },
        );
        const threads = answer.repository?.pullRequest?.reviewThreads;
        if (!threads)
          throw new InvalidArgumentError(
            `GitHub found no pull request #${args.pull_number} in ${owner}/${repo}: it may be private or missing.`,
          );
        const edges = threads.edges.filter((edge) => !(args.unresolved_only && edge.node.isResolved));
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nReview threads of #${args.pull_number}:`);
        const page = reply.page(edges, {
          line: ({ node }) =>
            `thread ${node.id} ${node.isResolved ? 'resolved' : 'unresolved'}${node.isOutdated ? ', outdated' : ''} ${clean(node.path)}:${node.line ?? '?'}\n` +
            node.comments.nodes
              .map(
                (comment) =>
                  `  [${comment.databaseId}] ${comment.author?.login ?? 'ghost'} ${day(comment.createdAt)}: ${clean(comment.body).replace(/\n/g, '\n    ')}`,
              )
              .join('\n'),
          noun: 'threads',
          more: threads.pageInfo.hasNextPage,
          next: (end) => ({ cursor: (edges[end - 1] ?? threads.edges.at(-1))?.cursor ?? '' }),
        });
        reply.set({ count: page.items.length });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'reply_to_review_comment',
      title: 'Reply in thread',
      description:
        'Replies in the thread of a review comment (comment_id from list_review_threads or get_pull_request_comments).',
      inputSchema: z.object({ owner: OWNER, repo: REPO, pull_number: NUMBER, comment_id: NUMBER, body: z.string() }),
      annotations: GH_WRITE,
      toolset: 'reviews',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<{ id: number; html_url?: string }>(
          'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies',
          { owner, repo, pull_number: args.pull_number, comment_id: args.comment_id, body: args.body },
          {
            signal: context.signal,
            hints: { subject: `review comment ${args.comment_id} on #${args.pull_number} in ${owner}/${repo}` },
          },
        );
        const reply = context.reply();
        reply.always(`Replied to comment ${args.comment_id} (reply ${data.id}).`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ id: data.id });
        return reply.build();
      },
    }),
    defineTool({
      name: 'resolve_review_thread',
      title: 'Resolve thread',
      description: 'Resolves a review thread (thread id from list_review_threads), or reopens it with unresolve.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, thread_id: z.string(), unresolve: z.boolean().optional() }),
      annotations: GH_UPDATE,
      toolset: 'reviews',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const hints = { subject: `review thread ${args.thread_id}` };
        // The thread id is global: under a scope, the thread's own repository is what must be inside it.
        if (scope.active) {
          const found = await api.graphql<{
            node: { pullRequest?: { repository: { name: string; owner: { login: string } } } } | null;
          }>(THREAD_REPOSITORY, { id: args.thread_id }, { signal: context.signal, hints });
          const where = found.node?.pullRequest?.repository;
          if (!where)
            throw new InvalidArgumentError(
              `${oneLine(args.thread_id, 60)} is not a review thread id; take one from list_review_threads.`,
            );
          repository(tools, where.owner.login, where.name);
          if (
            where.owner.login.toLowerCase() !== owner.toLowerCase() ||
            where.name.toLowerCase() !== repo.toLowerCase()
          )
            throw new InvalidArgumentError(
              `Thread ${oneLine(args.thread_id, 60)} belongs to another repository than ${owner}/${repo}.`,
            );
        }
        const mutation = args.unresolve
          ? 'mutation($id: ID!) { unresolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }'
          : 'mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }';
        const answer = await api.graphql<Record<string, { thread: { id: string; isResolved: boolean } }>>(
          mutation,
          { id: args.thread_id },
          { signal: context.signal, hints },
        );
        const thread = Object.values(answer)[0]?.thread;
        const reply = context.reply();
        reply.always(`Thread ${oneLine(args.thread_id, 60)} is now ${thread?.isResolved ? 'resolved' : 'unresolved'}.`);
        reply.set({ resolved: thread?.isResolved === true });
        return reply.build();
      },
    }),
    defineTool({
      name: 'get_pull_request_diff',
      title: 'PR diff',
      description: 'The unified diff of a pull request, file by file (offset continues; path picks one file).',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        pull_number: NUMBER,
        path: z.string().optional(),
        offset: z.number().int().min(0).optional(),
      }),
      annotations: GH_READ,
      toolset: 'reviews',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<string>(
          'GET /repos/{owner}/{repo}/pulls/{pull_number}',
          { owner, repo, pull_number: args.pull_number, mediaType: { format: 'diff' } },
          { signal: context.signal, hints: { subject: `pull request #${args.pull_number} in ${owner}/${repo}` } },
        );
        let files = diffFiles(clean(typeof data === 'string' ? data : String(data)));
        if (args.path !== undefined) files = files.filter((file) => file.path === args.path);
        const offset = args.offset ?? 0;
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\nDiff of #${args.pull_number}: ${files.length} file${files.length === 1 ? '' : 's'}${args.path !== undefined ? ` named ${oneLine(args.path, 100)}` : ''}`,
        );
        reply.page(files.slice(offset), {
          line: (file) => file.text,
          noun: 'files',
          offset,
          total: files.length,
          alternative: 'pass path for one file',
        });
        reply.set({ files: files.length });
        return reply.build({ structured: true });
      },
    }),
  ];
}
