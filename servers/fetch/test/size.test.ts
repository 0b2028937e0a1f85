import { describe, expect, it } from 'vitest';
import { measureToolList } from '@portico-mcp/shared/testing';
import { fetchServer } from '../src/server.js';

/** What the default tool list may cost the model in every conversation (name + description + input schema). */
const DEFAULT_BUDGET_BYTES = 1_400;
const REFERENCE_TOOLS = ['fetch'];

describe('the tool list as the model sees it', () => {
  it(`keeps the default list within ${DEFAULT_BUDGET_BYTES} bytes with every reference tool, and records each toolset`, async () => {
    const lists: Array<[string, string[]]> = [
      ['default', []],
      ...Object.keys(fetchServer.toolsets ?? {}).map((name): [string, string[]] => [name, ['--toolsets', name]]),
      ['all', ['--toolsets', 'all']],
    ];
    const sizes = [];
    for (const [list, argv] of lists) sizes.push({ list, ...(await measureToolList(fetchServer, argv)) });
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
    expect(defaults.names).toEqual(REFERENCE_TOOLS);
    expect(defaults.modelBytes).toBeLessThanOrEqual(DEFAULT_BUDGET_BYTES);
    expect(sizes.at(-1)!.names).toEqual(REFERENCE_TOOLS);
  });
});
