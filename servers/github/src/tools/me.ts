import * as z from 'zod';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { oneLine } from '../github/text.js';
import { GH_READ } from './context.js';
import type { GitHubTools } from './context.js';

export function meTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api, scope } = tools;
  return [
    defineTool({
      name: 'get_me',
      title: 'Who am I',
      description: "The token's user, its OAuth scopes and the rate limit left. Use it to check access before writing.",
      inputSchema: z.object({}),
      annotations: GH_READ,
      toolset: 'context',
      handler: async (_args, context) => {
        const [user, limits] = await Promise.all([
          api.request<{ login: string; name?: string | null; type?: string; html_url?: string }>(
            'GET /user',
            {},
            { signal: context.signal, hints: { subject: 'authenticated user (set a token)' } },
          ),
          api.request<{ resources: Record<string, { limit: number; remaining: number; reset: number }> }>(
            'GET /rate_limit',
            {},
            { signal: context.signal },
          ),
        ]);
        const scopes =
          typeof user.headers['x-oauth-scopes'] === 'string'
            ? user.headers['x-oauth-scopes']
                .split(',')
                .map((item) => item.trim())
                .filter(Boolean)
            : undefined;
        const core = limits.data.resources.core;
        const reply = context.reply();
        reply.always(
          `${user.data.login}${user.data.name ? ` (${oneLine(user.data.name, 80)})` : ''}, ${user.data.type ?? 'User'}, at ${api.apiUrl}`,
        );
        // Fine-grained tokens and GitHub App tokens send no x-oauth-scopes header: their permissions are per repository.
        reply.always(
          scopes === undefined
            ? 'Token scopes: not reported (a fine-grained or app token; permissions are set per repository).'
            : `Token scopes: ${scopes.length ? scopes.join(', ') : '(none)'}`,
        );
        if (core)
          reply.always(
            `Rate limit: ${core.remaining} of ${core.limit} left, resets ${new Date(core.reset * 1000).toISOString().replace('.000Z', 'Z')}`,
          );
        if (scope.active) reply.always(`Confined to: ${scope.describe()}`);
        reply.set({
          login: user.data.login,
          scopes,
          rate_remaining: core?.remaining,
          rate_limit: core?.limit,
          rate_reset: core?.reset,
        });
        return reply.build();
      },
    }),
  ];
}
