import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { mkdir, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, resultText } from '@portico-mcp/shared/testing';
import type { SpawnedServer, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, spawnPortico } from './helpers.js';

// Layout: base/root is the only allowed directory; base/outside holds names, content and a size that must never
// appear in a reply. Attacks race the server: one with MCP calls only, one with a concurrent local process.
let temp: TempDir;
let root: string;
let outside: string;
let portico: SpawnedServer;

const SECRET_NAME = 'SECRET-outside-name';
const SECRET_CONTENT = 'SECRET-outside-content';
/** Distinctive size of the outside file, so metadata leaking from it is recognisable. */
const SECRET_SIZE = 7_777_777;
/**
 * Top-level directories of the walked tree (each with one inside): enough that the walk is still far from the
 * end when the moves, sent at its first progress report, have been served between its pauses.
 */
const WALKED_DIRECTORIES = 2500;
/** The directory swapped for a link: late in name order, so the walk has classified it long before entering it. */
const SWAPPED = 'd2400';
const ATTEMPTS = 3;

beforeAll(async () => {
  temp = await makeTempDir('portico-fs-race-');
  root = join(temp.path, 'root');
  outside = join(temp.path, 'outside');
  await mkdir(join(outside, 'nested'), { recursive: true });
  await writeFile(join(outside, SECRET_NAME), SECRET_CONTENT);
  await writeFile(join(outside, 'nested', `${SECRET_NAME}-deep`), SECRET_CONTENT);
  await writeFile(join(outside, 'big'), '');
  await truncate(join(outside, 'big'), SECRET_SIZE);
  await mkdir(join(root, 'walk'), { recursive: true });
  for (let index = 0; index < WALKED_DIRECTORIES; index++) {
    const directory = join(root, 'walk', `d${String(index).padStart(4, '0')}`);
    await mkdir(join(directory, 'inner'), { recursive: true });
    // Several files each, so search_content (which reports progress every 500 files) reports early in the walk.
    for (const file of ['a.txt', 'b.txt', 'c.txt', 'd.txt'])
      await writeFile(join(directory, 'inner', file), 'inside\n');
  }
  portico = await spawnPortico([root]);
});

afterAll(async () => {
  await portico?.close();
  await temp?.cleanup();
});

/**
 * One attempt of the red-team attack with MCP calls only: a walk starts, and once it reports progress (so it
 * has listed the top directory and classified every entry), `move_file` parks a directory it has not entered
 * yet and moves a link to outside, already in the root, to that name.
 */
async function raceWalkAgainstMoves(
  tool: string,
  args: Record<string, unknown>,
  attempt: number,
): Promise<{ text: string; linkWorked: boolean }> {
  const swapped = join(root, 'walk', SWAPPED);
  const parked = join(root, `parked-${tool}-${attempt}`);
  const link = join(root, `link-${tool}-${attempt}`);
  await symlink(outside, link);
  let moves: Promise<boolean> | undefined;
  const swap = async (): Promise<boolean> => {
    const parkedMove = await call(portico, 'move_file', { source: swapped, destination: parked });
    const linkMove = await call(portico, 'move_file', { source: link, destination: swapped });
    return !parkedMove.isError && !linkMove.isError;
  };
  const result = await portico.client.callTool(
    { name: tool, arguments: args },
    { onprogress: () => void (moves ??= swap()) },
  );
  // The attack is real: once both moves are done, the walked name leads outside.
  const linkWorked = (await moves) === true && readdirSync(swapped).includes(SECRET_NAME);
  await rm(swapped);
  await rename(parked, swapped);
  return { text: resultText(result), linkWorked };
}

describe('walks racing move_file (MCP calls only)', () => {
  // directory_tree reports no progress, so there is no moment to aim the moves at; the local-process race below covers it.
  // search_content has a second layer (each walked file is opened without following links and located through
  // /proc/self/fd), so for it these cases lock in that the walk layer and the file layer together leak nothing.
  it.each([
    ['search_files', { path: 'walk', pattern: '**/SECRET*' }],
    ['search_content', { path: 'walk', pattern: 'SECRET', respectGitignore: false }],
  ])('%s never lists or reads an outside directory swapped in for one it already classified', async (tool, args) => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { text, linkWorked } = await raceWalkAgainstMoves(tool, args, attempt);
      expect(linkWorked).toBe(true);
      expect(text).not.toContain('SECRET');
    }
  });
});

/**
 * A concurrent local process that keeps swapping `name` between a real entry inside and a link to outside,
 * as fast as it can, until it is stopped.
 */
function startFlipper(name: string, real: string, link: string): ChildProcess {
  const script = `
    const { renameSync } = require('node:fs');
    const [name, real, link] = process.argv.slice(1);
    for (;;) {
      try { renameSync(real, name); renameSync(name, real); renameSync(link, name); renameSync(name, link); } catch {}
    }`;
  return spawn(process.execPath, ['-e', script, name, real, link], { stdio: 'ignore' });
}

async function stopFlipper(flipper: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => flipper.once('exit', resolve));
  flipper.kill('SIGKILL');
  await exited;
}

/** Repeats an unguarded check-then-use (realpath inside, then act by name) until it reaches outside, as a proof the race is winnable. */
function unguardedReachesOutside(name: string, act: (path: string) => boolean, tries = 200_000): boolean {
  for (let index = 0; index < tries; index++) {
    try {
      if (!realpathSync(name).startsWith(`${root}/`)) continue;
      if (act(name)) return true;
    } catch {
      // The name was between two renames.
    }
  }
  return false;
}

describe('tools racing a local process that swaps a directory or file for a link', () => {
  const CALLS = 200;

  it.each([
    ['list_directory', (name: string) => ({ path: name })],
    ['list_directory_with_sizes', (name: string) => ({ path: name })],
    ['directory_tree', (name: string) => ({ path: name })],
    ['search_files', (name: string) => ({ path: name, pattern: '**' })],
  ])('%s never lists an outside directory that a local process swaps in after the check', async (tool, args) => {
    const name = join(root, `flip-${tool}`);
    const real = `${name}-real`;
    const link = `${name}-link`;
    await mkdir(real);
    await writeFile(join(real, 'inside.txt'), 'inside');
    await symlink(outside, link);
    const flipper = startFlipper(name, real, link);
    try {
      expect(unguardedReachesOutside(name, (path) => readdirSync(path).includes(SECRET_NAME))).toBe(true);
      for (let index = 0; index < CALLS; index++) {
        const result = await call(portico, tool, args(name));
        expect(result.text).not.toContain('SECRET');
        expect(JSON.stringify(result.structuredContent ?? {})).not.toContain('SECRET');
      }
    } finally {
      await stopFlipper(flipper);
    }
  });

  it.each([
    ['directory_tree', { maxEntries: 100_000 }],
    ['search_files', { pattern: '**' }],
    ['search_content', { pattern: 'SECRET', respectGitignore: false }],
  ])(
    '%s never enters an outside directory that a local process swaps in mid-walk for one it classified',
    async (tool, extra) => {
      const top = join(root, `midwalk-${tool}`);
      const name = join(top, 'sub');
      const real = join(root, `midwalk-${tool}-real`);
      const link = join(root, `midwalk-${tool}-link`);
      await mkdir(top);
      await mkdir(real);
      await writeFile(join(real, 'inside.txt'), 'inside');
      await symlink(outside, link);
      const flipper = startFlipper(name, real, link);
      try {
        // Unguarded: a listing that shows `sub` as a directory, then a read of `sub` by name, reaches outside.
        expect(
          unguardedReachesOutside(
            name,
            (path) =>
              readdirSync(top, { withFileTypes: true }).some((entry) => entry.name === 'sub' && entry.isDirectory()) &&
              readdirSync(path).includes(SECRET_NAME),
          ),
        ).toBe(true);
        for (let index = 0; index < CALLS; index++) {
          const result = await call(portico, tool, { path: top, ...extra });
          expect(result.text).not.toContain('SECRET');
        }
      } finally {
        await stopFlipper(flipper);
      }
    },
  );

  it('get_file_info never describes an outside file that a local process swaps in after the check', async () => {
    const name = join(root, 'flip-info');
    const real = `${name}-real`;
    const link = `${name}-link`;
    await writeFile(real, 'inside');
    await symlink(join(outside, 'big'), link);
    const flipper = startFlipper(name, real, link);
    try {
      expect(unguardedReachesOutside(name, (path) => statSync(path).size === SECRET_SIZE)).toBe(true);
      for (let index = 0; index < CALLS; index++) {
        const result = await call(portico, 'get_file_info', { path: name });
        expect(result.text).not.toContain(String(SECRET_SIZE));
      }
    } finally {
      await stopFlipper(flipper);
    }
  });
});
