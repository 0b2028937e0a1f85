import * as z from 'zod';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { listPage, pagingOf } from '../github/paging.js';
import { lenient } from '../github/schema.js';
import { addBody, oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { day, GH_READ, login, OWNER, REPO, refPath, repository } from './context.js';
import type { GitHubTools } from './context.js';

interface ReleaseLike {
  id: number;
  tag_name: string;
  name?: string | null;
  draft?: boolean;
  prerelease?: boolean;
  published_at?: string | null;
  created_at?: string;
  author?: { login?: string } | null;
  body?: string | null;
  html_url?: string;
  assets?: Array<{ name: string; size: number; download_count?: number }>;
}

function releaseRow(release: ReleaseLike): string {
  const flags = [release.draft ? 'draft' : '', release.prerelease ? 'prerelease' : ''].filter(Boolean);
  return `${oneLine(release.tag_name, 80)}${flags.length ? ` [${flags.join(', ')}]` : ''} ${day(release.published_at ?? release.created_at)}${release.name ? ` — ${oneLine(release.name, 100)}` : ''}`;
}

export function releaseTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api } = tools;
  const showRelease = (release: ReleaseLike, context: Parameters<AnyToolDefinition['handler']>[1]) => {
    const reply = context.reply();
    reply.header(`${UNTRUSTED_NOTE}\nRelease ${releaseRow(release)} by ${login(release.author)}`);
    if (release.html_url) reply.always(release.html_url);
    for (const asset of release.assets ?? [])
      reply.line(
        `asset ${oneLine(asset.name, 120)} (${asset.size} B${asset.download_count !== undefined ? `, ${asset.download_count} downloads` : ''})`,
      );
    addBody(reply, 'release notes', release.body, 'read them on GitHub');
    reply.set({ id: release.id, tag: release.tag_name });
    return reply.build({ structured: true });
  };
  return [
    defineTool({
      name: 'list_releases',
      title: 'Releases',
      description: 'Lists releases, newest first.',
      inputSchema: lenient(z.object({ owner: OWNER, repo: REPO })),
      annotations: GH_READ,
      toolset: 'releases',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<ReleaseLike[]>(
          'GET /repos/{owner}/{repo}/releases',
          { owner, repo, ...paging.params },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(`${UNTRUSTED_NOTE}\nReleases of ${owner}/${repo}, page ${paging.page}:`);
        listPage(reply, paging, response, response.data, { line: releaseRow, noun: 'releases' });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'get_release',
      title: 'Release',
      description: 'Reads a release by tag, or the latest one, with its notes and assets.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        tag: z.string().optional().describe('Default: the latest release'),
      }),
      annotations: GH_READ,
      toolset: 'releases',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const hints = {
          subject: args.tag ? `release ${args.tag} in ${owner}/${repo}` : `published release in ${owner}/${repo}`,
        };
        const { data } = args.tag
          ? await api.request<ReleaseLike>(
              `GET /repos/{owner}/{repo}/releases/tags/${refPath(args.tag)}`,
              { owner, repo },
              { signal: context.signal, hints },
            )
          : await api.request<ReleaseLike>(
              'GET /repos/{owner}/{repo}/releases/latest',
              { owner, repo },
              { signal: context.signal, hints },
            );
        return showRelease(data, context);
      },
    }),
    defineTool({
      name: 'list_tags',
      title: 'Tags',
      description: 'Lists tags with their commits.',
      inputSchema: lenient(z.object({ owner: OWNER, repo: REPO })),
      annotations: GH_READ,
      toolset: 'releases',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<Array<{ name: string; commit: { sha: string } }>>(
          'GET /repos/{owner}/{repo}/tags',
          { owner, repo, ...paging.params },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(`Tags of ${owner}/${repo}, page ${paging.page}:`);
        listPage(reply, paging, response, response.data, {
          line: (tag) => `${oneLine(tag.name, 100)} ${tag.commit.sha.slice(0, 12)}`,
          noun: 'tags',
        });
        return reply.build({ structured: true });
      },
    }),
  ];
}
