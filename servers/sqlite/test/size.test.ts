import { describe, expect, it } from 'vitest';
import { measureToolList } from '@portico-mcp/shared/testing';
import { sqliteInProcess } from './helpers.js';

/** What the default tool list may cost the model in every conversation (name + description + input schema). */
const DEFAULT_BUDGET_BYTES = 4_000;
const REFERENCE_TOOLS = [
  'append_insight',
  'create_table',
  'describe_table',
  'list_tables',
  'read_query',
  'write_query',
];

describe('the tool list as the model sees it', () => {
  it(`keeps the default list within ${DEFAULT_BUDGET_BYTES} bytes with every reference tool, and records each toolset`, async () => {
    const lists: Array<[string, string[]]> = [
      ['default', []],
      ...Object.keys(sqliteInProcess.toolsets ?? {}).map((name): [string, string[]] => [name, ['--toolsets', name]]),
      ['all', ['--toolsets', 'all']],
    ];
    const sizes = [];
    for (const [list, argv] of lists) sizes.push({ list, ...(await measureToolList(sqliteInProcess, argv)) });
    console.log(
      [
        'list        tools  model B  full B',
        ...sizes.map(
          (size) =>
            `${size.list.padEnd(12)}${String(size.tools).padStart(5)}${String(size.modelBytes).padStart(9)}${String(size.fullBytes).padStart(8)}`,
        ),
      ].join('\n'),
      `\nper tool (all): ${sizes
        .at(-1)!
        .perTool.map((tool) => `${tool.name} ${tool.bytes}`)
        .join(', ')}`,
    );
    const defaults = sizes[0]!;
    console.log(
      `app-only (hidden from the model, in the full list): ${defaults.appOnly.map((tool) => `${tool.name} ${tool.bytes}`).join(', ')}; full list ${defaults.fullBytes} B`,
    );
    expect(defaults.names).toEqual(expect.arrayContaining(REFERENCE_TOOLS));
    // The results view's pager is listed for the view, never shown to the model: it costs the model nothing.
    expect(defaults.names).not.toContain('read_query_page');
    expect(defaults.appOnly.map((tool) => tool.name)).toEqual(['read_query_page']);
    expect(defaults.modelBytes).toBeLessThanOrEqual(DEFAULT_BUDGET_BYTES);
    expect(sizes.at(-1)!.names).toEqual(expect.arrayContaining(['explain_query', 'search_schema']));
  });
});
