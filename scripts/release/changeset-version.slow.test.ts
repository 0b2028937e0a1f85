import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../shared/src/testing/index.js';

// A dry run of a release: the repository's `version` script (`changeset version`, then the server.json sync)
// on a copy of the tree, with known changesets in place of whatever is pending, so the outcome is exact.
const root = fileURLToPath(new URL('../..', import.meta.url));
const pendingInRepo = () => readdirSync(join(root, '.changeset')).sort();
const json = (base: string, path: string) => JSON.parse(readFileSync(join(base, path), 'utf8'));
const bump = (version: string, kind: 'patch' | 'minor') => {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return kind === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
};

let temp: TempDir;
let copy: string;
let before: string[];
const versionBefore: Record<string, string> = {};

beforeAll(async () => {
  before = pendingInRepo();
  temp = await makeTempDir('portico-changeset-');
  copy = join(temp.path, 'repo');
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  // The tools come from the real install; the copy only needs them to resolve.
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  for (const dir of ['shared', 'servers/filesystem', 'servers/git', 'servers/fetch'])
    versionBefore[dir] = json(copy, `${dir}/package.json`).version;
  for (const file of readdirSync(join(copy, '.changeset')))
    if (file.endsWith('.md') && file !== 'README.md') rmSync(join(copy, '.changeset', file));
  writeFileSync(
    join(copy, '.changeset', 'git-fix.md'),
    '---\n"@portico-mcp/server-git": patch\n---\n\n`git_log` lists merges again.\n',
  );
  writeFileSync(
    join(copy, '.changeset', 'fetch-feature.md'),
    '---\n"@portico-mcp/shared": minor\n"@portico-mcp/server-fetch": minor\n---\n\nThe fetch server reads EPUB books.\n',
  );
  const { version } = json(copy, 'package.json').scripts as { version: string };
  execFileSync('sh', ['-c', version], {
    cwd: copy,
    env: { ...process.env, PATH: `${join(copy, 'node_modules', '.bin')}:${process.env.PATH}` },
    stdio: 'pipe',
  });
}, 120_000);

afterAll(async () => {
  await temp?.cleanup();
});

describe('pnpm run version (changeset version + server.json sync) on a copy of the repository', () => {
  it('bumps each package by its changesets and leaves the others alone', () => {
    expect(json(copy, 'servers/git/package.json').version).toBe(bump(versionBefore['servers/git']!, 'patch'));
    expect(json(copy, 'servers/fetch/package.json').version).toBe(bump(versionBefore['servers/fetch']!, 'minor'));
    expect(json(copy, 'shared/package.json').version).toBe(bump(versionBefore.shared!, 'minor'));
    expect(json(copy, 'servers/filesystem/package.json').version).toBe(versionBefore['servers/filesystem']);
  });

  it('writes each changeset into the CHANGELOG of the packages it names, under the new version', () => {
    const git = readFileSync(join(copy, 'servers/git/CHANGELOG.md'), 'utf8');
    const gitVersion = json(copy, 'servers/git/package.json').version;
    expect(git).toMatch(
      new RegExp(
        `^# @portico-mcp/server-git\\n\\n## ${gitVersion.replaceAll('.', '\\.')}\\n\\n### Patch Changes\\n\\n- `,
        'm',
      ),
    );
    expect(git).toContain('`git_log` lists merges again.');
    const fetch = readFileSync(join(copy, 'servers/fetch/CHANGELOG.md'), 'utf8');
    expect(fetch).toContain(`## ${json(copy, 'servers/fetch/package.json').version}\n\n### Minor Changes`);
    expect(fetch).toContain('The fetch server reads EPUB books.');
    expect(
      existsSync(join(copy, 'servers/filesystem/CHANGELOG.md'))
        ? readFileSync(join(copy, 'servers/filesystem/CHANGELOG.md'), 'utf8')
        : '',
    ).not.toContain('EPUB');
  });

  it('keeps every server.json at its package version', () => {
    for (const name of ['filesystem', 'git', 'sqlite', 'fetch', 'browser', 'github']) {
      const { version } = json(copy, `servers/${name}/package.json`);
      const server = json(copy, `servers/${name}/server.json`);
      expect(server.version, name).toBe(version);
      expect(server.packages[0].version, name).toBe(version);
    }
  });

  it('consumes the changesets of the copy and leaves the real repository’s pending', () => {
    expect(
      readdirSync(join(copy, '.changeset'))
        .filter((f) => f.endsWith('.md'))
        .sort(),
    ).toEqual(['README.md']);
    expect(pendingInRepo()).toEqual(before);
  });
});
