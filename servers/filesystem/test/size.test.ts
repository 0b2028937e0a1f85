import { describe, expect, it } from 'vitest';
import { makeTempDir, measureToolList } from '@portico-mcp/shared/testing';
import { filesystemServer } from '../src/server.js';

/** What the default tool list may cost the model in every conversation (name + description + input schema). */
const DEFAULT_BUDGET_BYTES = 8_000;
const REFERENCE_TOOLS = [
  'read_file',
  'read_text_file',
  'read_media_file',
  'read_multiple_files',
  'write_file',
  'edit_file',
  'create_directory',
  'list_directory',
  'list_directory_with_sizes',
  'directory_tree',
  'move_file',
  'search_files',
  'get_file_info',
  'list_allowed_directories',
];

describe('the tool list as the model sees it', () => {
  it(`keeps the default list within ${DEFAULT_BUDGET_BYTES} bytes with every reference tool and search_content, and records each toolset`, async () => {
    const temp = await makeTempDir('portico-fs-size-');
    try {
      const lists: Array<[string, string[]]> = [
        ['default', []],
        ...Object.keys(filesystemServer.toolsets ?? {}).map((name): [string, string[]] => [name, ['--toolsets', name]]),
        ['all', ['--toolsets', 'all']],
      ];
      const sizes = [];
      for (const [list, argv] of lists)
        sizes.push({ list, ...(await measureToolList(filesystemServer, [...argv, temp.path])) });
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
      expect(defaults.names).toEqual(expect.arrayContaining([...REFERENCE_TOOLS, 'search_content']));
      expect(defaults.modelBytes).toBeLessThanOrEqual(DEFAULT_BUDGET_BYTES);
      expect(sizes.at(-1)!.names).toEqual(expect.arrayContaining(['copy_file', 'append_file']));
    } finally {
      await temp.cleanup();
    }
  });
});
