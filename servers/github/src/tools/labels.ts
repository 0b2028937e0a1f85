import * as z from 'zod';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { listPage, pagingOf } from '../github/paging.js';
import { lenient } from '../github/schema.js';
import { oneLine } from '../github/text.js';
import { GH_READ, GH_UPDATE, GH_WRITE, NUMBER, OWNER, REPO, repository } from './context.js';
import type { GitHubTools } from './context.js';

interface LabelLike {
  name: string;
  color?: string;
  description?: string | null;
}

const labelRow = (label: LabelLike) =>
  `${oneLine(label.name, 80)}${label.color ? ` #${label.color}` : ''}${label.description ? ` — ${oneLine(label.description, 100)}` : ''}`;

export function labelTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api } = tools;
  return [
    defineTool({
      name: 'list_labels',
      title: 'Labels',
      description: 'Lists the labels of a repository, or of one issue with issue_number.',
      inputSchema: lenient(z.object({ owner: OWNER, repo: REPO, issue_number: NUMBER.optional() })),
      annotations: GH_READ,
      toolset: 'labels',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response =
          args.issue_number === undefined
            ? await api.request<LabelLike[]>(
                'GET /repos/{owner}/{repo}/labels',
                { owner, repo, ...paging.params },
                { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
              )
            : await api.request<LabelLike[]>(
                'GET /repos/{owner}/{repo}/issues/{issue_number}/labels',
                { owner, repo, issue_number: args.issue_number, ...paging.params },
                { signal: context.signal, hints: { subject: `issue #${args.issue_number} in ${owner}/${repo}` } },
              );
        const reply = context.reply();
        reply.header(
          `Labels of ${args.issue_number === undefined ? `${owner}/${repo}` : `#${args.issue_number}`}, page ${paging.page}:`,
        );
        listPage(reply, paging, response, response.data, { line: labelRow, noun: 'labels' });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'create_label',
      title: 'New label',
      description: 'Creates a label in a repository.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        name: z.string(),
        color: z.string().optional().describe('Hex without #'),
        description: z.string().optional(),
      }),
      annotations: GH_WRITE,
      toolset: 'labels',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<LabelLike>(
          'POST /repos/{owner}/{repo}/labels',
          { owner, repo, name: args.name, color: args.color, description: args.description },
          {
            signal: context.signal,
            hints: {
              subject: `repository ${owner}/${repo}`,
              unprocessable: {
                pattern: /already_exists|already exists/i,
                sentence: `The label "${args.name}" already exists in ${owner}/${repo}.`,
              },
            },
          },
        );
        const reply = context.reply();
        reply.always(`Created label ${labelRow(data)}.`);
        reply.set({ name: data.name });
        return reply.build();
      },
    }),
    defineTool({
      name: 'add_issue_labels',
      title: 'Label issue',
      description: 'Adds labels to an issue or pull request.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, issue_number: NUMBER, labels: z.array(z.string()).min(1) }),
      annotations: GH_UPDATE,
      toolset: 'labels',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<LabelLike[]>(
          'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
          { owner, repo, issue_number: args.issue_number, labels: args.labels },
          { signal: context.signal, hints: { subject: `issue #${args.issue_number} in ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(
          `#${args.issue_number} now has: ${data.map((label) => oneLine(label.name, 80)).join(', ') || '(no labels)'}.`,
        );
        reply.set({ labels: data.map((label) => label.name) });
        return reply.build();
      },
    }),
    defineTool({
      name: 'remove_issue_label',
      title: 'Unlabel issue',
      description: 'Removes one label from an issue or pull request.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, issue_number: NUMBER, name: z.string() }),
      annotations: GH_UPDATE,
      toolset: 'labels',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<LabelLike[]>(
          'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
          { owner, repo, issue_number: args.issue_number, name: args.name },
          {
            signal: context.signal,
            hints: { subject: `label "${args.name}" on issue #${args.issue_number} in ${owner}/${repo}` },
          },
        );
        const reply = context.reply();
        reply.always(
          `Removed "${oneLine(args.name, 80)}" from #${args.issue_number}; it now has: ${data.map((label) => oneLine(label.name, 80)).join(', ') || '(no labels)'}.`,
        );
        reply.set({ labels: data.map((label) => label.name) });
        return reply.build();
      },
    }),
  ];
}
