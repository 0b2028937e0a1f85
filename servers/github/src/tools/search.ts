import * as z from 'zod';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { lenient } from '../github/schema.js';
import { listPage, pagingOf } from '../github/paging.js';
import { clean, UNTRUSTED_NOTE } from '../github/text.js';
import { GH_READ } from './context.js';
import type { GitHubTools } from './context.js';
import { columnsOf, FIELDS_NOTE, issueColumns, issueRow } from './issues.js';
import type { IssueLike } from './issues.js';

const SEARCH = { q: z.string(), order: z.string().optional() };

export function searchTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api, scope } = tools;
  const search = async <T>(
    kind: string,
    args: { q: string; sort?: string | undefined; order?: string | undefined } & Record<string, unknown>,
    scoped: boolean,
    signal: AbortSignal,
  ) => {
    const paging = pagingOf(args);
    const q = scoped ? scope.qualify(args.q) : args.q;
    const response = await api.request<{ total_count: number; items: T[] }>(
      `GET /search/${kind}`,
      { q, sort: args.sort, order: args.order, ...paging.params },
      { signal },
    );
    return { response, paging };
  };
  return [
    defineTool({
      name: 'search_code',
      title: 'Search code',
      description: 'GitHub search syntax.',
      inputSchema: lenient(z.object(SEARCH)),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { response, paging } = await search<{ path: string; repository: { full_name: string }; sha?: string }>(
          'code',
          args,
          true,
          context.signal,
        );
        const reply = context.reply();
        reply.header(`${response.data.total_count} code results, page ${paging.page}:`);
        listPage(reply, paging, response, response.data.items, {
          line: (item) => `${item.repository.full_name}: ${clean(item.path)}`,
          noun: 'results',
        });
        reply.set({ total_count: response.data.total_count });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'search_issues',
      title: 'Search issues',
      description: 'Issues and PRs.',
      inputSchema: lenient(z.object({ ...SEARCH, sort: z.string().optional() })),
      annotations: GH_READ,
      handler: async (args, context) => {
        const columns = columnsOf(args);
        const { response, paging } = await search<IssueLike>('issues', args, true, context.signal);
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\n${columns ? '' : `${FIELDS_NOTE}\n`}${response.data.total_count} issues and pull requests match, page ${paging.page}:`,
        );
        listPage(reply, paging, response, response.data.items, {
          line: (issue) => (columns ? issueColumns(issue, columns) : issueRow(issue, true)),
          noun: 'results',
        });
        reply.set({ total_count: response.data.total_count });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'search_users',
      title: 'Search users',
      description: 'GitHub search syntax.',
      inputSchema: lenient(z.object({ ...SEARCH, sort: z.string().optional() })),
      annotations: GH_READ,
      handler: async (args, context) => {
        // Accounts are not repository content, so the --repos scope does not narrow this search.
        const { response, paging } = await search<{ login: string; type?: string; html_url?: string }>(
          'users',
          args,
          false,
          context.signal,
        );
        const reply = context.reply();
        reply.header(`${response.data.total_count} users match, page ${paging.page}:`);
        listPage(reply, paging, response, response.data.items, {
          line: (user) => `${user.login}${user.type && user.type !== 'User' ? ` (${user.type})` : ''}`,
          noun: 'users',
        });
        reply.set({ total_count: response.data.total_count });
        return reply.build({ structured: true });
      },
    }),
  ];
}
