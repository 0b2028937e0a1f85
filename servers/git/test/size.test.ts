import path from 'node:path';
import { makeTempDir, measureToolList } from '@portico-mcp/shared/testing';
import type { TempDir, ToolListSize } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitServer } from '../src/server.js';
import { makeRepo } from './helpers.js';

/** What the default tool list may cost the model in every conversation (DESIGN.md, "Context cost"). */
const DEFAULT_BUDGET_BYTES = 6_500;
const REFERENCE_TOOLS = [
  'git_status',
  'git_diff_unstaged',
  'git_diff_staged',
  'git_diff',
  'git_commit',
  'git_add',
  'git_reset',
  'git_log',
  'git_create_branch',
  'git_checkout',
  'git_show',
  'git_branch',
];
const TOOLSETS: Record<string, string[]> = {
  compare: ['git_compare'],
  tags: ['git_tags', 'git_create_tag'],
  stash: ['git_stash_list', 'git_stash_push', 'git_stash_pop'],
};

let temp: TempDir;
let repo: string;
const sizes = new Map<string, ToolListSize & { names: string[] }>();

beforeAll(async () => {
  temp = await makeTempDir('portico-git-size-');
  repo = makeRepo(path.join(temp.path, 'repo'));
  const lists: Array<[string, string[]]> = [
    ['default', []],
    ...Object.keys(TOOLSETS).map((name): [string, string[]] => [`--toolsets ${name}`, ['--toolsets', name]]),
    ['--toolsets all', ['--toolsets', 'all']],
    ['--toolsets all --allow-remote', ['--toolsets', 'all', '--allow-remote']],
  ];
  for (const [label, argv] of lists)
    sizes.set(label, await measureToolList(gitServer, ['--repository', repo, ...argv]));
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
afterAll(() => temp.cleanup());

describe('the tool list as the model pays for it', () => {
  it(`keeps the default list within ${DEFAULT_BUDGET_BYTES} bytes`, () => {
    const size = sizes.get('default')!;
    expect(size.modelBytes, size.perTool.map((tool) => `${tool.name} ${tool.bytes}`).join('\n')).toBeLessThanOrEqual(
      DEFAULT_BUDGET_BYTES,
    );
  });

  it('keeps the diff view’s app-only git_diff_view out of what the model sees, listed apart for the view', () => {
    const size = sizes.get('default')!;
    console.log(
      `app-only: ${size.appOnly.map((tool) => `${tool.name} ${tool.bytes}`).join(', ')}; full list ${size.fullBytes} B`,
    );
    expect(size.names).not.toContain('git_diff_view');
    expect(size.appOnly.map((tool) => tool.name)).toEqual(['git_diff_view']);
  });

  it('lists every reference tool, git_blame and git_show_file by default, and no opt-in tool', () => {
    const names = sizes.get('default')!.names;
    expect(names).toEqual(expect.arrayContaining([...REFERENCE_TOOLS, 'git_blame', 'git_show_file', 'git_remotes']));
    for (const tool of Object.values(TOOLSETS).flat()) expect(names).not.toContain(tool);
  });

  it.each(Object.entries(TOOLSETS))('adds exactly the %s toolset with --toolsets', (name, tools) => {
    const added = sizes.get(`--toolsets ${name}`)!.names.filter((tool) => !sizes.get('default')!.names.includes(tool));
    expect(added.sort()).toEqual([...tools].sort());
  });

  it('lists every tool with --toolsets all, and the remote tools only with --allow-remote', () => {
    expect(sizes.get('--toolsets all')!.names.sort()).toEqual(
      [...sizes.get('default')!.names, ...Object.values(TOOLSETS).flat()].sort(),
    );
    expect(sizes.get('--toolsets all')!.names).not.toContain('git_push');
    expect(sizes.get('--toolsets all --allow-remote')!.names).toEqual(
      expect.arrayContaining(['git_fetch', 'git_pull', 'git_push']),
    );
  });
});
