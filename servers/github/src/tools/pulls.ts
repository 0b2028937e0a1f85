import * as z from 'zod';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { lenient } from '../github/schema.js';
import { listPage, pagingOf } from '../github/paging.js';
import { addBody, clean, oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { GH_DESTRUCTIVE, GH_READ, GH_WRITE, NUMBER, OWNER, REPO, day, login, repository } from './context.js';
import type { GitHubTools } from './context.js';

interface PullLike {
  number: number;
  title: string;
  state: string;
  draft?: boolean;
  merged?: boolean;
  mergeable?: boolean | null;
  mergeable_state?: string;
  user: { login?: string } | null;
  body?: string | null;
  head: { ref: string; sha: string; label?: string };
  base: { ref: string; sha?: string };
  html_url?: string;
  created_at?: string;
  updated_at?: string;
  merged_at?: string | null;
  comments?: number;
  review_comments?: number;
  commits?: number;
  additions?: number;
  deletions?: number;
  changed_files?: number;
}

const PR_ARGS = { owner: OWNER, repo: REPO, pull_number: NUMBER };

function pullState(pull: PullLike): string {
  if (pull.merged || pull.merged_at) return 'merged';
  return pull.draft ? `${pull.state}, draft` : pull.state;
}

export function pullTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api } = tools;
  const subject = (owner: string, repo: string, number: number) => ({
    subject: `pull request #${number} in ${owner}/${repo}`,
  });
  const getPull = (owner: string, repo: string, pull_number: number, signal: AbortSignal) =>
    api.request<PullLike>(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      { owner, repo, pull_number },
      { signal, hints: subject(owner, repo, pull_number) },
    );

  return [
    defineTool({
      name: 'create_pull_request',
      title: 'New PR',
      description: 'From head into base.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        title: z.string(),
        body: z.string().optional(),
        head: z.string(),
        base: z.string(),
        draft: z.boolean().optional(),
        maintainer_can_modify: z.boolean().optional(),
      }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<PullLike>(
          'POST /repos/{owner}/{repo}/pulls',
          {
            owner,
            repo,
            title: args.title,
            body: args.body,
            head: args.head,
            base: args.base,
            draft: args.draft,
            maintainer_can_modify: args.maintainer_can_modify,
          },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(
          `Created pull request #${data.number}: ${oneLine(data.title)} (${oneLine(data.head.ref, 100)} → ${oneLine(data.base.ref, 100)})`,
        );
        if (data.html_url) reply.always(data.html_url);
        reply.set({ number: data.number, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'get_pull_request',
      title: 'PR',
      description: 'With its body.',
      inputSchema: z.object(PR_ARGS),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await getPull(owner, repo, args.pull_number, context.signal);
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\nPull request #${data.number} [${pullState(data)}] ${oneLine(data.title, 300)}`,
        );
        reply.always(
          `${oneLine(data.head.label ?? data.head.ref, 120)} → ${oneLine(data.base.ref, 120)} (head ${data.head.sha.slice(0, 12)}), by ${login(data.user)}, opened ${day(data.created_at)}, updated ${day(data.updated_at)}`,
        );
        const counts = [
          data.commits !== undefined ? `${data.commits} commits` : '',
          data.changed_files !== undefined
            ? `${data.changed_files} files (+${data.additions ?? 0} −${data.deletions ?? 0})`
            : '',
          data.comments !== undefined ? `${data.comments + (data.review_comments ?? 0)} comments` : '',
          data.mergeable === true ? 'mergeable' : data.mergeable === false ? 'not mergeable' : '',
          data.mergeable_state ? `merge state ${data.mergeable_state}` : '',
        ].filter(Boolean);
        if (counts.length) reply.always(counts.join(', '));
        if (data.html_url) reply.always(data.html_url);
        addBody(reply, 'body', data.body, 'read it on GitHub');
        reply.set({ number: data.number, state: pullState(data), head_sha: data.head.sha, url: data.html_url });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'list_pull_requests',
      title: 'PRs',
      description: 'Paged.',
      inputSchema: lenient(
        z.object({
          owner: OWNER,
          repo: REPO,
          state: z.string().optional(),
          head: z.string().optional(),
          base: z.string().optional(),
          sort: z.string().optional(),
          direction: z.string().optional(),
        }),
      ),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<PullLike[]>(
          'GET /repos/{owner}/{repo}/pulls',
          {
            owner,
            repo,
            state: args.state,
            head: args.head,
            base: args.base,
            sort: args.sort,
            direction: args.direction,
            ...paging.params,
          },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nPull requests of ${owner}/${repo}, page ${paging.page}:`);
        const shown = listPage(reply, paging, response, response.data, {
          line: (pull) =>
            `#${pull.number} [${pullState(pull)}] ${oneLine(pull.title)} (${oneLine(pull.head.ref, 60)} → ${oneLine(pull.base.ref, 60)}, by ${login(pull.user)}, updated ${day(pull.updated_at)})`,
          noun: 'pull requests',
        });
        if (shown.items.length === 0 && !shown.truncated) reply.always('No pull requests match.');
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'create_pull_request_review',
      title: 'Review PR',
      description: 'Approve, request changes or comment.',
      inputSchema: z.object({
        ...PR_ARGS,
        commit_id: z.string().optional(),
        body: z.string(),
        event: z.enum(['APPROVE', 'REQUEST_CHANGES', 'COMMENT']),
        comments: z
          .array(
            z.object({
              path: z.string(),
              position: z.number().int().optional(),
              line: z.number().int().optional(),
              body: z.string(),
            }),
          )
          .optional(),
      }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<{ id: number; state: string; html_url?: string }>(
          'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
          {
            owner,
            repo,
            pull_number: args.pull_number,
            commit_id: args.commit_id,
            body: args.body,
            event: args.event,
            comments: args.comments,
          },
          { signal: context.signal, hints: subject(owner, repo, args.pull_number) },
        );
        const reply = context.reply();
        reply.always(`Submitted review ${data.id} [${data.state}] on #${args.pull_number}.`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ id: data.id, state: data.state });
        return reply.build();
      },
    }),
    defineTool({
      name: 'merge_pull_request',
      title: 'Merge PR',
      description: 'Merges a pull request.',
      inputSchema: z.object({
        ...PR_ARGS,
        commit_title: z.string().optional(),
        commit_message: z.string().optional(),
        merge_method: z.enum(['merge', 'squash', 'rebase']).optional(),
      }),
      annotations: GH_DESTRUCTIVE,
      effect: (args) =>
        `Merge pull request #${args.pull_number}${args.owner && args.repo ? ` of ${args.owner}/${args.repo}` : ''}${args.merge_method ? ` (${args.merge_method})` : ''}`,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<{ sha: string; merged: boolean; message: string }>(
          'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
          {
            owner,
            repo,
            pull_number: args.pull_number,
            commit_title: args.commit_title,
            commit_message: args.commit_message,
            merge_method: args.merge_method,
          },
          {
            signal: context.signal,
            hints: {
              ...subject(owner, repo, args.pull_number),
              conflict: 'The pull request head changed while merging; read it again with get_pull_request and retry.',
            },
          },
        );
        const reply = context.reply();
        reply.always(
          data.merged
            ? `Merged #${args.pull_number} as ${data.sha}.`
            : `#${args.pull_number} was not merged: ${oneLine(data.message, 200)}`,
        );
        reply.set({ merged: data.merged, sha: data.sha });
        return reply.build();
      },
    }),
    defineTool({
      name: 'get_pull_request_files',
      title: 'PR files',
      description: 'Files with patches.',
      inputSchema: lenient(z.object(PR_ARGS)),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<
          Array<{
            filename: string;
            status: string;
            additions: number;
            deletions: number;
            patch?: string;
            previous_filename?: string;
          }>
        >(
          'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
          { owner, repo, pull_number: args.pull_number, ...paging.params },
          { signal: context.signal, hints: subject(owner, repo, args.pull_number) },
        );
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nFiles of #${args.pull_number} in ${owner}/${repo}, page ${paging.page}:`);
        listPage(reply, paging, response, response.data, {
          line: (file) =>
            `${file.status} ${clean(file.previous_filename ? `${file.previous_filename} → ${file.filename}` : file.filename)} (+${file.additions} −${file.deletions})` +
            (file.patch ? `\n${clean(file.patch)}` : ''),
          noun: 'files',
        });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'get_pull_request_status',
      title: 'PR checks',
      description: 'Statuses and check runs.',
      inputSchema: z.object(PR_ARGS),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data: pull } = await getPull(owner, repo, args.pull_number, context.signal);
        const ref = pull.head.sha;
        const hints = { subject: `commit ${ref.slice(0, 12)} in ${owner}/${repo}` };
        const [status, checks] = await Promise.all([
          api.request<{
            state: string;
            total_count: number;
            statuses: Array<{
              state: string;
              context: string;
              description?: string | null;
              target_url?: string | null;
            }>;
          }>(
            'GET /repos/{owner}/{repo}/commits/{ref}/status',
            { owner, repo, ref, per_page: 100 },
            { signal: context.signal, hints },
          ),
          api.request<{
            total_count: number;
            check_runs: Array<{
              name: string;
              status: string;
              conclusion: string | null;
              html_url?: string | null;
              app?: { slug?: string } | null;
            }>;
          }>(
            'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
            { owner, repo, ref, per_page: 100 },
            { signal: context.signal, hints },
          ),
        ]);
        const runs = checks.data.check_runs;
        const failing = runs.filter(
          (run) => run.conclusion !== null && !['success', 'neutral', 'skipped'].includes(run.conclusion),
        ).length;
        const pending = runs.filter((run) => run.status !== 'completed').length;
        const overall =
          status.data.state === 'failure' || status.data.state === 'error' || failing > 0
            ? 'failure'
            : (status.data.state === 'pending' && status.data.total_count > 0) || pending > 0
              ? 'pending'
              : 'success';
        const reply = context.reply();
        reply.header(
          `#${args.pull_number} head ${ref.slice(0, 12)}: ${overall} (commit statuses ${status.data.state}, ${status.data.total_count}; check runs ${checks.data.total_count}, ${failing} failing, ${pending} pending)`,
        );
        const items = [
          ...status.data.statuses.map(
            (entry) =>
              `status ${entry.state} ${oneLine(entry.context, 100)}${entry.description ? `: ${oneLine(entry.description)}` : ''}${entry.target_url ? ` ${entry.target_url}` : ''}`,
          ),
          ...runs.map(
            (run) =>
              `check ${run.status === 'completed' ? (run.conclusion ?? 'completed') : run.status} ${oneLine(run.name, 100)}${run.app?.slug ? ` (${run.app.slug})` : ''}${run.html_url ? ` ${run.html_url}` : ''}`,
          ),
        ];
        reply.page(items, {
          line: (line) => line,
          noun: 'checks',
          total: items.length,
          alternative: 'open the pull request on GitHub for the rest',
        });
        reply.set({
          state: overall,
          sha: ref,
          statuses: status.data.total_count,
          check_runs: checks.data.total_count,
          failing,
          pending,
        });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'update_pull_request_branch',
      title: 'Update PR',
      description: 'Merges base into it.',
      inputSchema: z.object({ ...PR_ARGS, expected_head_sha: z.string().optional() }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<{ message?: string }>(
          'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
          { owner, repo, pull_number: args.pull_number, expected_head_sha: args.expected_head_sha },
          {
            signal: context.signal,
            hints: {
              ...subject(owner, repo, args.pull_number),
              unprocessable: {
                pattern: /expected head sha|head sha/i,
                sentence:
                  'The pull request head is not expected_head_sha any more; read it again with get_pull_request and retry.',
              },
            },
          },
        );
        const reply = context.reply();
        reply.always(`Updating the branch of #${args.pull_number}: ${oneLine(data.message ?? 'accepted', 200)}`);
        reply.set({ accepted: true });
        return reply.build();
      },
    }),
    defineTool({
      name: 'get_pull_request_comments',
      title: 'PR comments',
      description: 'Line comments.',
      inputSchema: lenient(z.object(PR_ARGS)),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<
          Array<{
            id: number;
            path: string;
            line?: number | null;
            original_line?: number | null;
            user: { login?: string } | null;
            body: string;
            created_at?: string;
            in_reply_to_id?: number;
          }>
        >(
          'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments',
          { owner, repo, pull_number: args.pull_number, ...paging.params },
          { signal: context.signal, hints: subject(owner, repo, args.pull_number) },
        );
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nReview comments on #${args.pull_number}, page ${paging.page}:`);
        listPage(reply, paging, response, response.data, {
          line: (comment) =>
            `[${comment.id}${comment.in_reply_to_id ? ` reply to ${comment.in_reply_to_id}` : ''}] ${clean(comment.path)}:${comment.line ?? comment.original_line ?? '?'} ${login(comment.user)} ${day(comment.created_at)}:\n  ${clean(comment.body).replace(/\n/g, '\n  ')}`,
          noun: 'comments',
        });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'get_pull_request_reviews',
      title: 'PR reviews',
      description: 'Reviews.',
      inputSchema: lenient(z.object(PR_ARGS)),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<
          Array<{
            id: number;
            state: string;
            user: { login?: string } | null;
            body?: string | null;
            submitted_at?: string | null;
            commit_id?: string;
          }>
        >(
          'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
          { owner, repo, pull_number: args.pull_number, ...paging.params },
          { signal: context.signal, hints: subject(owner, repo, args.pull_number) },
        );
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nReviews of #${args.pull_number}, page ${paging.page}:`);
        listPage(reply, paging, response, response.data, {
          line: (review) =>
            `[${review.id}] ${review.state} by ${login(review.user)} ${day(review.submitted_at)}${review.body ? `:\n  ${clean(review.body).replace(/\n/g, '\n  ')}` : ''}`,
          noun: 'reviews',
        });
        return reply.build({ structured: true });
      },
    }),
  ];
}
