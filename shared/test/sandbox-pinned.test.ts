import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../src/errors/index.js';
import { Sandbox } from '../src/sandbox/index.js';

const SECRET = 'SECRET: this file lives outside the sandbox';

let base = '';
let root = '';
let outside = '';
let sandbox: Sandbox;
let counter = 0;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sandbox-pinned-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  await fs.mkdir(root);
  await fs.mkdir(outside);
  sandbox = await Sandbox.create([root]);
});

afterAll(async () => {
  if (base !== '') await fs.rm(base, { recursive: true, force: true });
});

async function exists(candidate: string): Promise<boolean> {
  return fs.lstat(candidate).then(
    () => true,
    () => false,
  );
}

/** A fresh directory inside the root and a fresh one outside, for one test. */
async function freshPair(): Promise<{ dir: string; moved: string; away: string }> {
  counter += 1;
  const dir = path.join(root, `dir${counter}`);
  const away = path.join(outside, `away${counter}`);
  await fs.mkdir(dir);
  await fs.mkdir(away);
  return { dir, moved: `${dir}-moved`, away };
}

/** What an attacker does between the check and the use: the real directory goes, a link to outside takes its name. */
async function swapForOutsideLink(dir: string, moved: string, away: string): Promise<void> {
  await fs.rename(dir, moved);
  await fs.symlink(away, dir);
}

async function openDescriptors(): Promise<number> {
  return (await fs.readdir('/proc/self/fd')).length;
}

describe('Sandbox.withPinnedParent', () => {
  it('creates a file in the checked directory even after its path was swapped for a link to outside', async () => {
    const { dir, moved, away } = await freshPair();
    const realPath = await sandbox.resolveInside(path.join(dir, 'new.txt'));
    const result = await sandbox.withPinnedParent(realPath, async (pinned) => {
      await swapForOutsideLink(dir, moved, away);
      // The guard must bite: the same write through the checked real path now lands outside.
      await fs.writeFile(path.join(dir, 'plain.txt'), 'leaked');
      expect(await exists(path.join(away, 'plain.txt'))).toBe(true);
      await fs.writeFile(pinned, 'pinned', { flag: 'wx' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(await fs.readFile(path.join(moved, 'new.txt'), 'utf8')).toBe('pinned');
    expect(await exists(path.join(away, 'new.txt'))).toBe(false);
  });

  it('makes a directory in the checked directory after the swap', async () => {
    const { dir, moved, away } = await freshPair();
    const realPath = await sandbox.resolveInside(path.join(dir, 'sub'));
    await sandbox.withPinnedParent(realPath, async (pinned) => {
      await swapForOutsideLink(dir, moved, away);
      await fs.mkdir(path.join(dir, 'plain-sub'));
      expect(await exists(path.join(away, 'plain-sub'))).toBe(true);
      await fs.mkdir(pinned);
    });
    expect((await fs.stat(path.join(moved, 'sub'))).isDirectory()).toBe(true);
    expect(await exists(path.join(away, 'sub'))).toBe(false);
  });

  it('hard-links the checked file, not an outside one, when the source directory is swapped (pinning both parents)', async () => {
    const { dir, moved, away } = await freshPair();
    await fs.writeFile(path.join(dir, 'secret'), 'decoy');
    await fs.writeFile(path.join(away, 'secret'), SECRET);
    const from = await sandbox.resolveEntryInside(path.join(dir, 'secret'));
    const to = await sandbox.resolveEntryInside(path.join(root, `got${counter}`));
    await sandbox.withPinnedParent(from, (pinnedFrom) =>
      sandbox.withPinnedParent(to, async (pinnedTo) => {
        await swapForOutsideLink(dir, moved, away);
        // This is the move_file escape: linking by the checked name would pull the outside secret in.
        await fs.link(from, `${to}-plain`);
        expect(await fs.readFile(`${to}-plain`, 'utf8')).toBe(SECRET);
        await fs.link(pinnedFrom, pinnedTo);
      }),
    );
    expect(await fs.readFile(to, 'utf8')).toBe('decoy');
  });

  it('renames within the checked directories after the swap', async () => {
    const { dir, moved, away } = await freshPair();
    await fs.writeFile(path.join(dir, 'a.txt'), 'inside');
    const from = await sandbox.resolveEntryInside(path.join(dir, 'a.txt'));
    const to = await sandbox.resolveEntryInside(path.join(dir, 'b.txt'));
    await sandbox.withPinnedParent(from, (pinnedFrom) =>
      sandbox.withPinnedParent(to, async (pinnedTo) => {
        await swapForOutsideLink(dir, moved, away);
        await fs.rename(pinnedFrom, pinnedTo);
      }),
    );
    expect(await fs.readFile(path.join(moved, 'b.txt'), 'utf8')).toBe('inside');
    expect(await fs.readdir(away)).toEqual([]);
  });

  it('refuses, before calling use, a parent whose last component is already a link to outside', async () => {
    const { dir, moved, away } = await freshPair();
    const realPath = await sandbox.resolveInside(path.join(dir, 'new.txt'));
    await swapForOutsideLink(dir, moved, away);
    let called = false;
    const error: unknown = await sandbox
      .withPinnedParent(realPath, async () => {
        called = true;
      })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).not.toContain(away);
    expect(called).toBe(false);
  });

  it('refuses a parent that leads outside through a directory further up (checked through /proc/self/fd)', async () => {
    const { dir, moved, away } = await freshPair();
    await fs.mkdir(path.join(dir, 'inner'));
    await fs.mkdir(path.join(away, 'inner'));
    const realPath = await sandbox.resolveInside(path.join(dir, 'inner', 'new.txt'));
    await swapForOutsideLink(dir, moved, away);
    let called = false;
    await expect(
      sandbox.withPinnedParent(realPath, async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(SandboxError);
    expect(called).toBe(false);
  });

  it('refuses an allowed directory itself, a path outside and a path that is not canonical', async () => {
    const use = async (): Promise<void> => undefined;
    await expect(sandbox.withPinnedParent(root, use)).rejects.toBeInstanceOf(SandboxError);
    await expect(sandbox.withPinnedParent(path.join(outside, 'x'), use)).rejects.toBeInstanceOf(SandboxError);
    await expect(sandbox.withPinnedParent(`${root}/../outside/x`, use)).rejects.toBeInstanceOf(SandboxError);
  });

  it('closes the directory it held, after success and after failure', async () => {
    const { dir } = await freshPair();
    const realPath = await sandbox.resolveInside(path.join(dir, 'f.txt'));
    const before = await openDescriptors();
    await sandbox.withPinnedParent(realPath, async (pinned) => {
      expect(await openDescriptors()).toBe(before + 1);
      await fs.writeFile(pinned, 'x');
    });
    expect(await openDescriptors()).toBe(before);
    await expect(
      sandbox.withPinnedParent(realPath, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await openDescriptors()).toBe(before);
  });
});
