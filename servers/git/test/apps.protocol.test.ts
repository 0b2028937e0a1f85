import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS, makeTempDir, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { IDENTITY, makeRepo, write } from './helpers.js';

// MCP Apps as the protocol shows them: the diff view on the five diff tools and served as a ui:// resource
// in both eras, for every client; results unchanged; --no-apps takes it all away.
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const VIEW = 'ui://git/diff.html';
const DIFF_TOOLS = ['git_diff', 'git_diff_staged', 'git_diff_unstaged', 'git_show', 'git_compare'];

let temp: TempDir;
let repo: string;

beforeAll(async () => {
  temp = await makeTempDir('portico-git-apps-');
  repo = makeRepo(join(temp.path, 'repo'), [{ 'a.txt': 'one\n' }]);
  write(repo, 'a.txt', 'two\n');
});

afterAll(async () => {
  await temp.cleanup();
});

describe.each(ERAS)('MCP Apps (%s era)', (era) => {
  it('declares the diff view on the five diff tools, hides git_diff_view from the model, and serves the view', async () => {
    const server = await spawnServer({
      entry,
      era,
      args: ['--repository', repo, '--toolsets', 'compare'],
      env: IDENTITY,
    });
    try {
      const tools = (await server.client.listTools()).tools;
      for (const name of DIFF_TOOLS)
        expect(tools.find((tool) => tool.name === name)?._meta, name).toEqual({
          ui: { resourceUri: VIEW },
          'ui/resourceUri': VIEW,
        });
      expect(tools.find((tool) => tool.name === 'git_diff_view')?._meta).toEqual({
        ui: { resourceUri: VIEW, visibility: ['app'] },
        'ui/resourceUri': VIEW,
      });
      const read = await server.client.readResource({ uri: VIEW });
      expect(read.contents[0]).toMatchObject({ uri: VIEW, mimeType: 'text/html;profile=mcp-app' });
      expect((read.contents[0] as { text: string }).text).toMatch(/^<!doctype html>/);

      const diff = await server.client.callTool({ name: 'git_diff_unstaged', arguments: { repo_path: repo } });
      expect(resultText(diff)).toContain('-one\n+two');
      const data = await server.client.callTool({
        name: 'git_diff_view',
        arguments: { repo_path: repo, source: 'unstaged' },
      });
      expect(data.structuredContent).toMatchObject({
        files: [
          { path: 'a.txt', status: 'M', added: 1, removed: 1, binary: false, patch: '@@ -1 +1 @@\n-one\n+two\n' },
        ],
      });
    } finally {
      await server.close();
    }
  });

  it('offers no view, no app-only tool and no _meta.ui with --no-apps', async () => {
    const server = await spawnServer({ entry, era, args: ['--repository', repo, '--no-apps'], env: IDENTITY });
    try {
      const tools = (await server.client.listTools()).tools;
      expect(tools.map((tool) => tool.name)).not.toContain('git_diff_view');
      expect(tools.filter((tool) => tool._meta !== undefined)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
