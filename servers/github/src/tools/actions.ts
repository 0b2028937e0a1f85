import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { failedStepLines, logLines } from '../github/logs.js';
import { listPage, pagingOf } from '../github/paging.js';
import { lenient } from '../github/schema.js';
import { oneLine, UNTRUSTED_NOTE } from '../github/text.js';
import { day, GH_READ, GH_WRITE, NUMBER, OWNER, REPO, repository } from './context.js';
import type { GitHubTools } from './context.js';

interface RunLike {
  id: number;
  name?: string | null;
  display_title?: string;
  status: string | null;
  conclusion: string | null;
  head_branch: string | null;
  head_sha: string;
  event: string;
  run_number: number;
  created_at: string;
  html_url?: string;
}

interface JobLike {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  steps?: Array<{ name: string; status: string; conclusion: string | null; number: number }>;
}

const DEFAULT_TAIL_LINES = 200;

const outcome = (item: { status: string | null; conclusion: string | null }) =>
  item.status === 'completed' ? (item.conclusion ?? 'completed') : (item.status ?? 'unknown');

export function actionTools(tools: GitHubTools): AnyToolDefinition[] {
  const { api } = tools;
  return [
    defineTool({
      name: 'list_workflow_runs',
      title: 'Workflow runs',
      description: 'Lists GitHub Actions runs, newest first; filter by branch, status or event.',
      inputSchema: lenient(
        z.object({
          owner: OWNER,
          repo: REPO,
          branch: z.string().optional(),
          status: z.string().optional().describe('e.g. failure, in_progress, success'),
          event: z.string().optional(),
        }),
      ),
      annotations: GH_READ,
      toolset: 'actions',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<{ total_count: number; workflow_runs: RunLike[] }>(
          'GET /repos/{owner}/{repo}/actions/runs',
          { owner, repo, branch: args.branch, status: args.status, event: args.event, ...paging.params },
          { signal: context.signal, hints: { subject: `repository ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(
          `${UNTRUSTED_NOTE}\n${response.data.total_count} workflow runs of ${owner}/${repo}, page ${paging.page}:`,
        );
        listPage(reply, paging, response, response.data.workflow_runs, {
          line: (run) =>
            `[${run.id}] ${outcome(run)} ${oneLine(run.name ?? 'workflow', 60)} #${run.run_number} on ${oneLine(run.head_branch ?? '?', 60)} (${run.event}, ${run.head_sha.slice(0, 12)}, ${day(run.created_at)}): ${oneLine(run.display_title ?? '', 100)}`,
          noun: 'runs',
        });
        reply.set({ total_count: response.data.total_count });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'list_workflow_jobs',
      title: 'Workflow jobs',
      description: 'Lists the jobs of a run with their steps; failed steps are marked.',
      inputSchema: lenient(z.object({ owner: OWNER, repo: REPO, run_id: NUMBER })),
      annotations: GH_READ,
      toolset: 'actions',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const paging = pagingOf(args);
        const response = await api.request<{ total_count: number; jobs: JobLike[] }>(
          'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
          { owner, repo, run_id: args.run_id, ...paging.params },
          { signal: context.signal, hints: { subject: `run ${args.run_id} in ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.header(`Jobs of run ${args.run_id}, page ${paging.page}:`);
        listPage(reply, paging, response, response.data.jobs, {
          line: (job) => {
            const failed = (job.steps ?? [])
              .filter((step) => step.conclusion === 'failure')
              .map((step) => `${step.number} ${oneLine(step.name, 80)}`);
            return `[${job.id}] ${outcome(job)} ${oneLine(job.name, 100)}${failed.length ? ` — failed steps: ${failed.join('; ')}` : ''}`;
          },
          noun: 'jobs',
        });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'get_job_logs',
      title: 'Job logs',
      description: 'Reads the log of a job: its last lines, only its failed steps, or the lines matching grep.',
      inputSchema: z.object({
        owner: OWNER,
        repo: REPO,
        job_id: NUMBER,
        tail_lines: z.number().int().min(1).max(10_000).optional().describe(`Default ${DEFAULT_TAIL_LINES}`),
        failed_steps: z.boolean().optional(),
        grep: z.string().optional().describe('Case-insensitive text to match'),
      }),
      annotations: GH_READ,
      toolset: 'actions',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const subject = { subject: `job ${args.job_id} in ${owner}/${repo}` };
        let steps: string[] = [];
        if (args.failed_steps) {
          const { data: job } = await api.request<JobLike>(
            'GET /repos/{owner}/{repo}/actions/jobs/{job_id}',
            { owner, repo, job_id: args.job_id },
            { signal: context.signal, hints: subject },
          );
          steps = (job.steps ?? []).filter((step) => step.conclusion === 'failure').map((step) => step.name);
        }
        // The API answers with a redirect to the log file, which octokit's fetch follows.
        const { data } = await api.request<string | ArrayBuffer>(
          'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
          { owner, repo, job_id: args.job_id },
          { signal: context.signal, hints: subject },
        );
        const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
        let lines = logLines(text);
        const all = lines.length;
        if (args.failed_steps) lines = failedStepLines(lines, steps);
        if (args.grep !== undefined) {
          if (args.grep === '') throw new InvalidArgumentError('grep must not be empty.');
          const needle = args.grep.toLowerCase();
          lines = lines.filter((line) => line.toLowerCase().includes(needle));
        }
        const tail = args.tail_lines ?? DEFAULT_TAIL_LINES;
        const start = Math.max(0, lines.length - tail);
        const reply = context.reply();
        const selection = [
          args.failed_steps
            ? `failed steps${steps.length ? ` (${steps.map((step) => oneLine(step, 60)).join('; ')})` : ' (none reported)'}`
            : '',
          args.grep !== undefined ? `lines matching "${oneLine(args.grep, 60)}"` : '',
        ]
          .filter(Boolean)
          .join(', ');
        reply.header(
          `${UNTRUSTED_NOTE}\nLog of job ${args.job_id}: ${all} lines${selection ? `; ${selection}: ${lines.length}` : ''}; showing the last ${lines.length - start}:`,
        );
        reply.page(lines.slice(start), {
          line: (line) => line,
          noun: 'lines',
          offset: start,
          total: lines.length,
          alternative: 'lower tail_lines or narrow with grep',
        });
        reply.set({ lines: lines.length, shown_from: start + 1 });
        return reply.build({ structured: true });
      },
    }),
    defineTool({
      name: 'rerun_workflow_run',
      title: 'Re-run workflow',
      description: 'Re-runs a workflow run, or only its failed jobs with failed_only.',
      inputSchema: z.object({ owner: OWNER, repo: REPO, run_id: NUMBER, failed_only: z.boolean().optional() }),
      annotations: GH_WRITE,
      toolset: 'actions',
      handler: async (args, context) => {
        const { owner, repo } = repository(tools, args.owner, args.repo);
        const route = args.failed_only
          ? 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs'
          : 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun';
        await api.request(
          route,
          { owner, repo, run_id: args.run_id },
          { signal: context.signal, hints: { subject: `run ${args.run_id} in ${owner}/${repo}` } },
        );
        const reply = context.reply();
        reply.always(
          `Re-running ${args.failed_only ? 'the failed jobs of ' : ''}run ${args.run_id}; follow it with list_workflow_runs.`,
        );
        reply.set({ run_id: args.run_id });
        return reply.build();
      },
    }),
  ];
}
