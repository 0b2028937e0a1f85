import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { lenient } from '../github/schema.js';
import { listPage, pagingOf } from '../github/paging.js';
import { addBody, oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { GH_READ, GH_UPDATE, GH_WRITE, NUMBER, OWNER, REPO, day, login, repository } from './context.js';
import type { GitHubTools } from './context.js';

/** The fields of an issue (or pull request, which GitHub lists as issues) that the tools show. */
export interface IssueLike {
  number: number;
  title: string;
  state: string;
  user: { login?: string } | null;
  body?: string | null;
  labels?: Array<string | { name?: string }>;
  assignees?: Array<{ login?: string }> | null;
  comments?: number;
  created_at?: string;
  updated_at?: string;
  closed_at?: string | null;
  html_url?: string;
  pull_request?: unknown;
  milestone?: { title?: string } | null;
  repository_url?: string;
}

export function labelNames(labels: IssueLike['labels']): string[] {
  return (labels ?? [])
    .map((label) => (typeof label === 'string' ? label : (label.name ?? '')))
    .filter(Boolean)
    .map((name) => oneLine(name, 50));
}

/** One compact row of an issue list. */
export function issueRow(issue: IssueLike, withRepo = false): string {
  const repo = withRepo && issue.repository_url ? `${issue.repository_url.split('/').slice(-2).join('/')}` : '';
  const kind = issue.pull_request ? 'PR ' : '';
  const labels = labelNames(issue.labels);
  const extra = [
    `by ${login(issue.user)}`,
    issue.comments ? `${issue.comments} comments` : '',
    labels.length ? `labels: ${labels.join(', ')}` : '',
    `updated ${day(issue.updated_at)}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${repo}${kind}#${issue.number} [${issue.state}] ${oneLine(issue.title)} (${extra})`;
}

// The columns `fields` can choose for issue lists. Like the paging arguments, `fields` is not in the schemas
// (the default tools/list is 10 bytes under its 10,240-byte budget); the list reply names it instead.
const COLUMNS: Record<string, (issue: IssueLike) => string> = {
  repo: (issue) => (issue.repository_url ? issue.repository_url.split('/').slice(-2).join('/') : ''),
  number: (issue) => `${issue.pull_request ? 'PR ' : ''}#${issue.number}`,
  state: (issue) => `[${issue.state}]`,
  title: (issue) => oneLine(issue.title),
  author: (issue) => `by ${login(issue.user)}`,
  comments: (issue) => `${issue.comments ?? 0} comments`,
  labels: (issue) => `labels: ${labelNames(issue.labels).join(', ') || 'none'}`,
  assignees: (issue) => `assignees: ${(issue.assignees ?? []).map((user) => login(user)).join(', ') || 'none'}`,
  milestone: (issue) => (issue.milestone?.title ? `milestone: ${oneLine(issue.milestone.title, 80)}` : ''),
  created: (issue) => `created ${day(issue.created_at)}`,
  updated: (issue) => `updated ${day(issue.updated_at)}`,
  closed: (issue) => (issue.closed_at ? `closed ${day(issue.closed_at)}` : ''),
  url: (issue) => issue.html_url ?? '',
};

/** The reply's note on `fields`, for the header of an issue list. */
export const FIELDS_NOTE = `Columns: fields (${Object.keys(COLUMNS).join(',')}).`;

/** The columns a call chose with `fields` (a list or a comma string), or undefined for the compact row. */
export function columnsOf(args: Record<string, unknown>): string[] | undefined {
  const raw = args.fields;
  if (raw === undefined || raw === null) return undefined;
  const names = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw])
    .map((name) => String(name).trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(name in COLUMNS));
  if (unknown.length > 0 || names.length === 0)
    throw new InvalidArgumentError(
      `fields takes column names from: ${Object.keys(COLUMNS).join(', ')}${unknown.length > 0 ? ` (not ${unknown.map((name) => JSON.stringify(name.slice(0, 30))).join(', ')})` : ''}.`,
    );
  return names;
}

/** One issue row with the chosen columns, those without a value left out. */
export function issueColumns(issue: IssueLike, columns: readonly string[]): string {
  return columns
    .map((column) => COLUMNS[column]!(issue))
    .filter(Boolean)
    .join(' | ');
}

const ISSUE_FIELDS = {
  title: z.string().optional(),
  body: z.string().optional(),
  assignees: z.array(z.string()).optional(),
  milestone: z.number().int().optional(),
  labels: z.array(z.string()).optional(),
};

export function issueTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api } = tools;
  return [
    defineTool({
      name: 'create_issue',
      title: 'New issue',
      description: 'Opens one.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, ...ISSUE_FIELDS, title: z.string() }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<IssueLike>(
          'POST /repos/{owner}/{repo}/issues',
          {
            owner,
            repo,
            title: args.title,
            body: args.body,
            assignees: args.assignees,
            milestone: args.milestone,
            labels: args.labels,
          },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(`Created issue #${data.number}: ${oneLine(data.title)}`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ number: data.number, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'list_issues',
      title: 'Issues',
      description: 'Includes PRs.',
      inputSchema: lenient(
        z.object({
          owner: OWNER,
          repo: REPO,
          direction: z.string().optional(),
          labels: z.array(z.string()).optional(),
          since: z.string().optional(),
          sort: z.string().optional(),
          state: z.string().optional(),
        }),
      ),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const columns = columnsOf(args);
        const response = await api.request<IssueLike[]>(
          'GET /repos/{owner}/{repo}/issues',
          {
            owner,
            repo,
            direction: args.direction,
            labels: args.labels?.join(','),
            since: args.since,
            sort: args.sort,
            state: args.state,
            ...paging.params,
          },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\n${columns ? '' : `${FIELDS_NOTE}\n`}Issues of ${owner}/${repo}, page ${paging.page}:`,
        );
        const shown = listPage(reply, paging, response, response.data, {
          line: (issue) => (columns ? issueColumns(issue, columns) : issueRow(issue)),
          noun: 'issues',
        });
        if (shown.items.length === 0 && !shown.truncated) reply.always('No issues match.');
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'update_issue',
      title: 'Edit issue',
      description: 'Edits it.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        issue_number: NUMBER,
        ...ISSUE_FIELDS,
        state: z.string().optional(),
      }),
      annotations: GH_UPDATE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<IssueLike>(
          'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
          {
            owner,
            repo,
            issue_number: args.issue_number,
            title: args.title,
            body: args.body,
            assignees: args.assignees,
            milestone: args.milestone,
            labels: args.labels,
            state: args.state,
          },
          { signal: context.signal, hints: { subject: `issue #${args.issue_number} in ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(`Updated issue #${data.number} [${data.state}]: ${oneLine(data.title)}`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ number: data.number, state: data.state, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'add_issue_comment',
      title: 'Comment',
      description: 'On an issue or pull request.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, issue_number: NUMBER, body: z.string() }),
      annotations: GH_WRITE,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<{ id: number; html_url?: string }>(
          'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
          { owner, repo, issue_number: args.issue_number, body: args.body },
          { signal: context.signal, hints: { subject: `issue #${args.issue_number} in ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(`Commented on #${args.issue_number} (comment ${data.id}).`);
        if (data.html_url) reply.always(data.html_url);
        reply.set({ id: data.id, url: data.html_url });
        return reply.build();
      },
    }),
    defineTool({
      name: 'get_issue',
      title: 'Issue',
      description: 'With its body.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, issue_number: NUMBER }),
      annotations: GH_READ,
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const { data } = await api.request<IssueLike>(
          'GET /repos/{owner}/{repo}/issues/{issue_number}',
          { owner, repo, issue_number: args.issue_number },
          { signal: context.signal, hints: { subject: `issue #${args.issue_number} in ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\n${data.pull_request ? 'Pull request' : 'Issue'} #${data.number} [${data.state}] ${oneLine(data.title, 300)}`,
        );
        const labels = labelNames(data.labels);
        const assignees = (data.assignees ?? []).map((user) => login(user));
        reply.always(
          [
            `by ${login(data.user)}, opened ${day(data.created_at)}, updated ${day(data.updated_at)}`,
            data.closed_at ? `closed ${day(data.closed_at)}` : '',
            `${data.comments ?? 0} comments`,
          ]
            .filter(Boolean)
            .join(', '),
        );
        if (labels.length) reply.always(`labels: ${labels.join(', ')}`);
        if (assignees.length) reply.always(`assignees: ${assignees.join(', ')}`);
        if (data.milestone?.title) reply.always(`milestone: ${oneLine(data.milestone.title)}`);
        if (data.html_url) reply.always(data.html_url);
        addBody(reply, 'body', data.body, 'read it on GitHub');
        reply.set({ number: data.number, state: data.state, url: data.html_url });
        return reply.build({ structured: true });
      },
    }),
  ];
}
