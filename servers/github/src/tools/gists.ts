import * as z from 'zod';
import { RefusedError } from '@portico-mcp/shared/errors';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { listPage, pagingOf } from '../github/paging.js';
import { lenient } from '../github/schema.js';
import { addBody, oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { day, GH_READ, GH_UPDATE, GH_WRITE } from './context.js';
import type { GitHubTools } from './context.js';

interface GistLike {
  id: string;
  description?: string | null;
  public: boolean;
  updated_at?: string;
  html_url?: string;
  files: Record<
    string,
    { filename?: string; size?: number; language?: string | null; content?: string; truncated?: boolean } | null
  >;
}

const FILES = z.record(z.string(), z.object({ content: z.string() }));

export function gistTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api, scope } = tools;
  // Gists belong to no repository, so a --repos scope cannot name them: under a scope they are refused whole,
  // as secret gists are exactly what a steered agent should not read or publish.
  const outsideScope = () => {
    if (scope.active)
      throw new RefusedError(
        'Gists are outside the repositories this server is confined to (--repos); start it without --repos to use them.',
      );
  };
  return [
    defineTool({
      name: 'list_gists',
      title: 'Gists',
      description: 'Lists your gists, or a user’s public gists.',
      inputSchema: lenient(z.object({ username: z.string().optional() })),
      annotations: GH_READ,
      toolset: 'gists',
      handler: async (args, context) => {
        outsideScope();
        const paging = pagingOf(args);
        const response = args.username
          ? await api.request<GistLike[]>(
              'GET /users/{username}/gists',
              { username: args.username, ...paging.params },
              { signal: context.signal, hints: { subject: `user ${args.username}` } },
            )
          : await api.request<GistLike[]>('GET /gists', { ...paging.params }, { signal: context.signal });
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nGists, page ${paging.page}:`);
        listPage(reply, paging, response, response.data, {
          line: (gist) =>
            `${gist.id} ${gist.public ? 'public' : 'secret'} ${day(gist.updated_at)} ${Object.keys(gist.files)
              .map((name) => oneLine(name, 60))
              .join(', ')}${gist.description ? ` — ${oneLine(gist.description, 100)}` : ''}`,
          noun: 'gists',
        });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'get_gist',
      title: 'Gist',
      description: 'Reads a gist with its files.',
      inputSchema: z.object({ gist_id: z.string() }),
      annotations: GH_READ,
      toolset: 'gists',
      handler: async (args, context) => {
        outsideScope();
        const { data } = await api.request<GistLike>(
          'GET /gists/{gist_id}',
          { gist_id: args.gist_id },
          { signal: context.signal, hints: { subject: `gist ${args.gist_id}` } },
        );
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\nGist ${data.id} (${data.public ? 'public' : 'secret'})${data.description ? `: ${oneLine(data.description, 200)}` : ''}`,
        );
        if (data.html_url) reply.always(data.html_url);
        for (const [name, file] of Object.entries(data.files)) {
          if (reply.truncated) break;
          addBody(
            reply,
            `file ${oneLine(name, 100)}${file?.truncated ? ' (cut by GitHub)' : ''}`,
            file?.content ?? '',
            'read the rest on GitHub',
          );
        }
        reply.set({ id: data.id, files: Object.keys(data.files).length });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'create_gist',
      title: 'New gist',
      description: 'Creates a gist (secret unless public is true).',
      inputSchema: z.object({
        description: z.string().optional(),
        public: z.boolean().optional(),
        files: FILES.describe('File name to { content }'),
      }),
      annotations: GH_WRITE,
      toolset: 'gists',
      handler: async (args, context) => {
        outsideScope();
        const { data } = await api.request<GistLike>(
          'POST /gists',
          { description: args.description, public: args.public ?? false, files: args.files },
          { signal: context.signal },
        );
        const reply = context.reply();
        reply.always(`Created ${data.public ? 'public' : 'secret'} gist ${data.id}.`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ id: data.id, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'update_gist',
      title: 'Edit gist',
      description: 'Changes a gist’s description or files (files not named stay as they are).',
      inputSchema: z.object({ gist_id: z.string(), description: z.string().optional(), files: FILES.optional() }),
      annotations: GH_UPDATE,
      toolset: 'gists',
      handler: async (args, context) => {
        outsideScope();
        const { data } = await api.request<GistLike>(
          'PATCH /gists/{gist_id}',
          { gist_id: args.gist_id, description: args.description, files: args.files },
          { signal: context.signal, hints: { subject: `gist ${args.gist_id}` } },
        );
        const reply = context.reply();
        reply.always(`Updated gist ${data.id}.`);
        reply.set({ id: data.id });
        return reply.build();
      },
    }),
  ];
}
