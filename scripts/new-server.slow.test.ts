import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../shared/src/testing/index.js';
import type { TempDir } from '../shared/src/testing/index.js';
// @ts-expect-error -- a plain .mjs repo script without type declarations
import { namesOf, scaffoldFiles } from './new-server.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** Links a package into the scratch checkout's node_modules, as pnpm would. */
function link(root: string, name: string, target: string): void {
  const at = join(root, 'node_modules', name);
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(realpathSync(target), at);
}

describe('pnpm new-server', () => {
  let scratch: TempDir;
  let serverDir: string;

  beforeAll(async () => {
    // A scratch checkout beside the real one: the scaffold writes there, and the packages it needs are linked
    // in as the workspace would link them, so the repository itself is never touched.
    scratch = await makeTempDir('portico-new-server-');
    cpSync(join(repo, 'tsconfig.base.json'), join(scratch.path, 'tsconfig.base.json'));
    symlinkSync(join(repo, 'scripts'), join(scratch.path, 'scripts'));
    link(scratch.path, '@portico-mcp/shared', join(repo, 'shared'));
    for (const name of ['@modelcontextprotocol/server', '@modelcontextprotocol/client', 'zod'])
      link(scratch.path, name, join(repo, 'shared/node_modules', name));
    for (const name of ['vitest', 'typescript', '@types/node'])
      link(scratch.path, name, join(repo, 'node_modules', name));
    const created = run([join(repo, 'scripts/new-server.mjs'), 'weather-alerts', '--root', scratch.path], repo);
    expect(created.status, created.output).toBe(0);
    serverDir = join(scratch.path, 'servers/weather-alerts');
  }, 60_000);

  afterAll(async () => {
    await scratch?.cleanup();
  });

  it('derives every name a server needs from its short name, and refuses a name that is not one', () => {
    expect(namesOf('weather-alerts')).toEqual({
      name: 'weather-alerts',
      pascal: 'WeatherAlerts',
      camel: 'weatherAlerts',
      snake: 'weather_alerts',
    });
    expect(() => namesOf('Weather_Alerts')).toThrow(/lower-case letters, digits and single dashes/);
  });

  it('creates the package with entry, spec, config, a tool, a size test, a protocol test, README, bench, Dockerfile, server.json and LICENSE', () => {
    const files = Object.keys(scaffoldFiles('weather-alerts'));
    for (const path of [
      'src/index.ts',
      'src/server.ts',
      'src/config.ts',
      'src/tools/hello.ts',
      'test/size.test.ts',
      'test/weather-alerts.protocol.test.ts',
      'README.md',
      'bench/weather-alerts.bench.mjs',
      'Dockerfile',
      'package.json',
      'server.json',
      'LICENSE',
    ]) {
      expect(files).toContain(`servers/weather-alerts/${path}`);
      expect(existsSync(join(serverDir, path))).toBe(true);
    }
    expect(existsSync(join(scratch.path, '.changeset/server-weather-alerts.md'))).toBe(true);
  });

  it('refuses to overwrite a server that exists', () => {
    const again = run([join(repo, 'scripts/new-server.mjs'), 'weather-alerts', '--root', scratch.path], repo);
    expect(again.status).toBe(2);
    expect(again.output).toContain('servers/weather-alerts already exists');
  });

  it('type-checks and builds the new server into a bundled entry', () => {
    const typecheck = run([join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], serverDir);
    expect(typecheck.status, typecheck.output).toBe(0);
    const bundle = run([join(scratch.path, 'scripts/bundle.mjs'), 'src/index.ts', 'dist'], serverDir);
    expect(bundle.status, bundle.output).toBe(0);
    expect(existsSync(join(serverDir, 'dist/index.js'))).toBe(true);
  }, 120_000);

  it('passes its own size test and lists and answers its tool when spawned in both eras', () => {
    const tests = run(
      [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--root', serverDir, '--reporter=verbose'],
      serverDir,
    );
    expect(tests.status, tests.output).toBe(0);
    expect(tests.output).toMatch(/keeps the default tool list inside its context budget/);
    expect(tests.output).toMatch(/weather-alerts: 1 tools, \d+ B as the model sees them/);
    expect(tests.output).toMatch(/Tests\s+3 passed/);
  }, 120_000);
});
