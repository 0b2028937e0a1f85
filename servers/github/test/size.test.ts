import { measureToolList } from '@portico-mcp/shared/testing';
import type { ToolListSize } from '@portico-mcp/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { githubServer } from '../src/server.js';
import { REFERENCE_TOOLS } from './reference-tools.js';

/** What the default tool list may cost the model in every conversation (docs/architecture.md, "Context cost"). */
const MODEL_BUDGET_BYTES = 8_000;
/** The whole tools/list JSON of the default list (schemas, titles and annotations included). */
const FULL_BUDGET_BYTES = 10_240;

const TOOLSETS: Record<string, string[]> = {
  actions: ['list_workflow_runs', 'list_workflow_jobs', 'get_job_logs', 'rerun_workflow_run'],
  releases: ['list_releases', 'get_release', 'list_tags'],
  reviews: ['list_review_threads', 'reply_to_review_comment', 'resolve_review_thread', 'get_pull_request_diff'],
  notifications: ['list_notifications', 'mark_notifications_read'],
  labels: ['list_labels', 'create_label', 'add_issue_labels', 'remove_issue_label'],
  gists: ['list_gists', 'get_gist', 'create_gist', 'update_gist'],
  context: ['get_me'],
};

const sizes = new Map<string, ToolListSize & { names: string[] }>();

beforeAll(async () => {
  const lists: Array<[string, string[]]> = [
    ['default', []],
    ['--read-only', ['--read-only']],
    ...Object.keys(TOOLSETS).map((name): [string, string[]] => [`--toolsets ${name}`, ['--toolsets', name]]),
    ['--toolsets all', ['--toolsets', 'all']],
    ['--toolsets all --read-only', ['--toolsets', 'all', '--read-only']],
  ];
  for (const [label, argv] of lists) sizes.set(label, await measureToolList(githubServer, argv));
  console.log(
    [
      'tool list                      tools  model bytes  full bytes',
      ...[...sizes].map(
        ([label, size]) =>
          `${label.padEnd(30)} ${String(size.tools).padStart(5)}  ${String(size.modelBytes).padStart(11)}  ${String(size.fullBytes).padStart(10)}`,
      ),
    ].join('\n'),
  );
});

describe('the tool list as the model pays for it', () => {
  it(`keeps the default list within ${MODEL_BUDGET_BYTES} bytes as the model sees it`, () => {
    const size = sizes.get('default')!;
    expect(size.modelBytes, size.perTool.map((tool) => `${tool.name} ${tool.bytes}`).join('\n')).toBeLessThanOrEqual(
      MODEL_BUDGET_BYTES,
    );
  });

  it(`keeps the whole tools/list JSON of the default list within ${FULL_BUDGET_BYTES} bytes`, () => {
    expect(sizes.get('default')!.fullBytes).toBeLessThanOrEqual(FULL_BUDGET_BYTES);
  });

  it('lists exactly the 26 reference tools by default', () => {
    expect([...sizes.get('default')!.names].sort()).toEqual([...REFERENCE_TOOLS].sort());
  });

  it.each(Object.entries(TOOLSETS))('adds exactly the %s toolset with --toolsets', (name, tools) => {
    const added = sizes.get(`--toolsets ${name}`)!.names.filter((tool) => !sizes.get('default')!.names.includes(tool));
    expect(added.sort()).toEqual([...tools].sort());
  });

  it('lists every tool with --toolsets all, and no write tool with --read-only', () => {
    expect(sizes.get('--toolsets all')!.names.sort()).toEqual(
      [...REFERENCE_TOOLS, ...Object.values(TOOLSETS).flat()].sort(),
    );
    const readOnly = sizes.get('--toolsets all --read-only')!.names;
    for (const write of [
      'create_label',
      'add_issue_labels',
      'remove_issue_label',
      'create_gist',
      'update_gist',
      'rerun_workflow_run',
      'reply_to_review_comment',
      'resolve_review_thread',
      'mark_notifications_read',
      'push_files',
    ])
      expect(readOnly).not.toContain(write);
    expect(readOnly).toEqual(
      expect.arrayContaining(['get_job_logs', 'list_review_threads', 'get_me', 'get_pull_request_diff']),
    );
  });
});
