import * as z from 'zod';
import { InvalidArgumentError, RefusedError } from '@portico-mcp/shared/errors';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { listPage, pagingOf } from '../github/paging.js';
import { lenient } from '../github/schema.js';
import { oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { day, GH_READ, GH_UPDATE, OWNER, REPO, repository } from './context.js';
import type { GitHubTools } from './context.js';

interface ThreadLike {
  id: string;
  unread: boolean;
  reason: string;
  updated_at: string;
  subject: { title: string; type: string; url?: string | null };
  repository: { full_name: string; name: string; owner: { login: string } };
}

export function notificationTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api, scope } = tools;
  return [
    defineTool({
      name: 'list_notifications',
      title: 'Notifications',
      description: 'Lists your notifications (unread by default), of one repository with owner and repo.',
      inputSchema: lenient(
        z.object({
          owner: OWNER.optional(),
          repo: REPO.optional(),
          all: z.boolean().optional().describe('Include read ones'),
          participating: z.boolean().optional(),
        }),
      ),
      annotations: GH_READ,
      toolset: 'notifications',
      handler: async (args, context) => {
        const paging = pagingOf(args);
        if ((args.owner === undefined) !== (args.repo === undefined))
          throw new InvalidArgumentError('Give owner and repo together, or neither for all repositories.');
        const filters = { all: args.all, participating: args.participating, ...paging.params };
        const response =
          args.owner !== undefined && args.repo !== undefined
            ? await (async () => {
                const { owner, repo } = repository(tools, args.owner!, args.repo!);
                return api.request<ThreadLike[]>(
                  'GET /repos/{owner}/{repo}/notifications',
                  { owner, repo, ...filters },
                  { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
                );
              })()
            : await api.request<ThreadLike[]>('GET /notifications', filters, { signal: context.signal });
        // Under a scope, threads from other repositories are left out: their titles are content of those repositories.
        const threads = response.data.filter((thread) =>
          scope.allows(thread.repository.owner.login, thread.repository.name),
        );
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\nNotifications, page ${paging.page}${threads.length < response.data.length ? ` (${response.data.length - threads.length} outside --repos left out)` : ''}:`,
        );
        listPage(reply, paging, response, threads, {
          line: (thread) =>
            `[${thread.id}] ${thread.unread ? 'unread' : 'read'} ${thread.repository.full_name} ${thread.subject.type}: ${oneLine(thread.subject.title)} (${thread.reason}, ${day(thread.updated_at)})`,
          noun: 'notifications',
        });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'mark_notifications_read',
      title: 'Mark read',
      description: 'Marks one notification thread read (thread_id), or all of one repository (owner, repo), or all.',
      inputSchema: z.object({ thread_id: z.string().optional(), owner: OWNER.optional(), repo: REPO.optional() }),
      annotations: GH_UPDATE,
      toolset: 'notifications',
      handler: async (args, context) => {
        const reply = context.reply();
        if (args.thread_id !== undefined) {
          if (!/^\d+$/.test(args.thread_id))
            throw new InvalidArgumentError('thread_id is the number in brackets from list_notifications.');
          if (scope.active) {
            const { data } = await api.request<ThreadLike>(
              'GET /notifications/threads/{thread_id}',
              { thread_id: Number(args.thread_id) },
              { signal: context.signal, hints: { subject: `notification thread ${args.thread_id}` } },
            );
            repository(tools, data.repository.owner.login, data.repository.name);
          }
          await api.request(
            'PATCH /notifications/threads/{thread_id}',
            { thread_id: Number(args.thread_id) },
            { signal: context.signal, hints: { subject: `notification thread ${args.thread_id}` } },
          );
          reply.always(`Marked thread ${args.thread_id} read.`);
        } else if (args.owner !== undefined && args.repo !== undefined) {
          const { owner, repo } = repository(tools, args.owner, args.repo);
          await api.request(
            'PUT /repos/{owner}/{repo}/notifications',
            { owner, repo },
            { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
          );
          reply.always(`Marked the notifications of ${owner}/${repo} read.`);
        } else {
          if (scope.active)
            throw new RefusedError(
              'Marking every notification read reaches repositories outside --repos; name owner and repo, or a thread_id.',
            );
          await api.request('PUT /notifications', {}, { signal: context.signal });
          reply.always('Marked all notifications read.');
        }
        reply.set({ done: true });
        return reply.build();
      },
    }),
  ];
}
