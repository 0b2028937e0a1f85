import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, spawnServer, type TempDir } from '../../shared/src/testing/index.js';

// The example config a user copies into Claude Desktop, started the way the host starts it: each entry's
// command, args and env. `npx -y @portico-mcp/server-<name>` is mapped to that package's locally built bin
// (what npx would run once installed; scripts/release/registry-check.mjs proves the npx install itself), and
// the example's /Users/me/… paths to real temporary ones.
const root = fileURLToPath(new URL('../..', import.meta.url));
const config = JSON.parse(readFileSync(join(root, 'examples', 'claude_desktop_config.json'), 'utf8')) as {
  mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }>;
};
const SERVERS = ['filesystem', 'git', 'sqlite', 'fetch', 'browser', 'github'];

let temp: TempDir;
const paths: Record<string, string> = {};

beforeAll(async () => {
  temp = await makeTempDir('portico-host-config-');
  paths['/Users/me/projects'] = temp.path;
  const repo = join(temp.path, 'app');
  const identity = {
    GIT_AUTHOR_NAME: 'Portico Test',
    GIT_AUTHOR_EMAIL: 'test@portico.invalid',
    GIT_COMMITTER_NAME: 'Portico Test',
    GIT_COMMITTER_EMAIL: 'test@portico.invalid',
  };
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'README.md'), '# app\n');
  execFileSync('git', ['-C', repo, 'add', 'README.md']);
  execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'init'], { env: { ...process.env, ...identity } });
  paths['/Users/me/code/app'] = repo;
  paths['/Users/me/data/shop.db'] = join(temp.path, 'shop.db');
});

afterAll(async () => {
  await temp?.cleanup();
});

describe('examples/claude_desktop_config.json', () => {
  it('starts all six servers, each through npx with its own package', () => {
    expect(Object.keys(config.mcpServers).sort()).toEqual([...SERVERS].sort());
    for (const [name, entry] of Object.entries(config.mcpServers)) {
      expect(entry.command).toBe('npx');
      expect(entry.args.slice(0, 2)).toEqual(['-y', `@portico-mcp/server-${name}`]);
    }
  });

  for (const name of SERVERS) {
    it(`starts the ${name} server from its entry and answers initialize and tools/list`, async () => {
      const entry = config.mcpServers[name]!;
      const args = entry.args.slice(2).map((arg) => paths[arg] ?? arg);
      const server = await spawnServer({
        entry: join(root, 'servers', name, 'dist', 'index.js'),
        args,
        env: { ...entry.env, ...(name === 'browser' ? { PUPPETEER_EXECUTABLE_PATH: '/usr/bin/chromium' } : {}) },
        cwd: temp.path,
      });
      try {
        expect(server.client.getServerVersion()?.name).toBe(`portico-${name}`);
        const { tools } = await server.client.listTools();
        expect(tools.length).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    });
  }
});
