import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, SandboxError } from '../src/errors/index.js';
import { Sandbox } from '../src/sandbox/index.js';

const SECRET = 'SECRET: this file lives outside the sandbox';

let base = '';
let root = '';
let outside = '';
let sandbox: Sandbox;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sandbox-open-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  await fs.mkdir(root);
  await fs.mkdir(path.join(outside, 'dir'), { recursive: true });
  await fs.writeFile(path.join(root, 'file.txt'), 'inside');
  await fs.writeFile(path.join(outside, 'secret.txt'), SECRET);
  await fs.writeFile(path.join(outside, 'dir', 'file.txt'), SECRET);
  await fs.symlink('file.txt', path.join(root, 'link-in'));
  await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link-out'));
  sandbox = await Sandbox.create([root]);
});

afterAll(async () => {
  if (base !== '') await fs.rm(base, { recursive: true, force: true });
});

describe('Sandbox.openInside', () => {
  it('opens a file inside and reports the real path it opened', async () => {
    const { handle, realPath } = await sandbox.openInside('file.txt', 'r');
    try {
      expect(realPath).toBe(path.join(root, 'file.txt'));
      expect(await handle.readFile('utf8')).toBe('inside');
    } finally {
      await handle.close();
    }
  });

  it('opens the target of a symlink that points inside', async () => {
    const { handle, realPath } = await sandbox.openInside('link-in', 'r');
    try {
      expect(realPath).toBe(path.join(root, 'file.txt'));
      expect(await handle.readFile('utf8')).toBe('inside');
    } finally {
      await handle.close();
    }
  });

  it('creates a new file inside, with numeric flags as well as flag strings', async () => {
    const created = await sandbox.openInside(
      'created.txt',
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      0o600,
    );
    await created.handle.writeFile('made');
    await created.handle.close();
    expect(await fs.readFile(path.join(root, 'created.txt'), 'utf8')).toBe('made');
    expect((await fs.stat(path.join(root, 'created.txt'))).mode & 0o777).toBe(0o600);
  });

  it('truncates with "w" only after the opened file was confirmed inside', async () => {
    await fs.writeFile(path.join(root, 'truncate-me.txt'), 'old content');
    const { handle } = await sandbox.openInside('truncate-me.txt', 'w');
    await handle.close();
    expect(await fs.readFile(path.join(root, 'truncate-me.txt'), 'utf8')).toBe('');
  });

  it('refuses a symlink pointing outside before opening anything', async () => {
    await expect(sandbox.openInside('link-out', 'r')).rejects.toBeInstanceOf(SandboxError);
  });

  it('refuses a final component swapped for a symlink to an outside file after it was resolved', async () => {
    const victim = path.join(root, 'swap.txt');
    await fs.writeFile(victim, 'inside');
    const realPath = await sandbox.resolveInside('swap.txt', { mustExist: true });
    await fs.rm(victim);
    await fs.symlink(path.join(outside, 'secret.txt'), victim);
    // The attack is real: an ordinary open of the checked path now reads the secret.
    expect(await fs.readFile(realPath, 'utf8')).toBe(SECRET);

    await expect(sandbox.openInside('swap.txt', 'r')).rejects.toBeInstanceOf(SandboxError);
    // O_NOFOLLOW is what stops the already-checked path from being opened through the new link.
    const error: unknown = await sandbox.openResolved(realPath, 'r').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).not.toContain(outside);
  });

  it('creates nothing outside when the final component is swapped for a dangling symlink before a create', async () => {
    const victim = path.join(root, 'swap-create.txt');
    const planted = path.join(outside, 'planted.txt');
    await fs.writeFile(victim, 'inside');
    const realPath = await sandbox.resolveInside('swap-create.txt', { mustExist: true });
    await fs.rm(victim);
    await fs.symlink(planted, victim);

    // O_NOFOLLOW refuses the link itself; without it O_CREAT would make the outside file before any re-check.
    const error: unknown = await sandbox.openResolved(realPath, 'w').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toContain('replaced by a symbolic link');
    expect(
      await fs.lstat(planted).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });

  it('refuses an opened file whose parent directory was swapped for a symlink to outside (checked through /proc/self/fd)', async () => {
    const dir = path.join(root, 'swapdir');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'file.txt'), 'inside');
    const realPath = await sandbox.resolveInside('swapdir/file.txt', { mustExist: true });
    await fs.rename(dir, path.join(root, 'swapdir-old'));
    await fs.symlink(path.join(outside, 'dir'), dir);
    expect(await fs.readFile(realPath, 'utf8')).toBe(SECRET);

    await expect(sandbox.openResolved(realPath, 'r')).rejects.toBeInstanceOf(SandboxError);
  });

  it('leaves an outside file intact when a write open is refused after the fact', async () => {
    const dir = path.join(root, 'swapdir-w');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'file.txt'), 'inside');
    const realPath = await sandbox.resolveInside('swapdir-w/file.txt', { mustExist: true });
    await fs.rename(dir, path.join(root, 'swapdir-w-old'));
    await fs.symlink(path.join(outside, 'dir'), dir);

    await expect(sandbox.openResolved(realPath, 'w')).rejects.toBeInstanceOf(SandboxError);
    expect(await fs.readFile(path.join(outside, 'dir', 'file.txt'), 'utf8')).toBe(SECRET);
  });

  it('refuses openResolved on a path that is not inside', async () => {
    await expect(sandbox.openResolved(path.join(outside, 'secret.txt'), 'r')).rejects.toBeInstanceOf(SandboxError);
    await expect(sandbox.openResolved(`${root}/../outside/secret.txt`, 'r')).rejects.toBeInstanceOf(SandboxError);
  });

  it('throws NotFoundError for a missing file opened for reading', async () => {
    await expect(sandbox.openInside('missing.txt', 'r')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('throws AlreadyExistsError for an exclusive create of an existing file', async () => {
    await expect(sandbox.openInside('file.txt', 'wx')).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('refuses unknown flag strings', async () => {
    await expect(sandbox.openInside('file.txt', 'rw')).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
