import { closeSync, constants, promises as fs, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, SandboxError } from '../src/errors/index.js';
import { openCheckedDirectory } from '../src/sandbox/directory.js';
import { Sandbox } from '../src/sandbox/index.js';

const SECRET_NAMES = ['SECRET-outside-name-1', 'SECRET-outside-name-2'];
/** Distinctive size of the outside file, so any metadata that leaks from it is recognisable. */
const SECRET_SIZE = 7_777_777;

let base = '';
let root = '';
let outside = '';
let sandbox: Sandbox;
let counter = 0;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sandbox-directory-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  await fs.mkdir(root);
  await fs.mkdir(outside);
  for (const name of SECRET_NAMES) await fs.writeFile(path.join(outside, name), 'SECRET');
  await fs.truncate(path.join(outside, SECRET_NAMES[0]!), SECRET_SIZE);
  sandbox = await Sandbox.create([root]);
});

afterAll(async () => {
  if (base !== '') await fs.rm(base, { recursive: true, force: true });
});

/** A fresh directory inside the root holding one ordinary file, and the name it will be parked under. */
async function freshDirectory(): Promise<{ dir: string; moved: string }> {
  counter += 1;
  const dir = path.join(root, `dir${counter}`);
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, 'inside.txt'), 'inside');
  return { dir, moved: `${dir}-moved` };
}

/** The attacker's move between the check and the use: the real directory goes, a link to outside takes its name. */
async function swapForOutsideLink(dir: string, moved: string, target = outside): Promise<void> {
  await fs.rename(dir, moved);
  await fs.symlink(target, dir);
}

function names(entries: readonly { name: string }[]): string[] {
  return entries.map((entry) => entry.name).sort();
}

describe('Sandbox.openDirectorySync', () => {
  it('lists the directory it checked even after its name was swapped for a link to outside', async () => {
    const { dir, moved } = await freshDirectory();
    const opened = sandbox.openDirectorySync(await sandbox.resolveInside(dir, { mustExist: true }));
    try {
      await swapForOutsideLink(dir, moved);
      // The attack is real: a listing by the checked name now shows the outside directory's names.
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(SECRET_NAMES));
      expect(names(opened.entries())).toEqual(['inside.txt']);
    } finally {
      opened.close();
    }
  });

  it('refuses a directory whose name is already a link to outside when it is opened', async () => {
    const { dir, moved } = await freshDirectory();
    const realPath = await sandbox.resolveInside(dir, { mustExist: true });
    await swapForOutsideLink(dir, moved);
    expect(readdirSync(realPath)).toEqual(expect.arrayContaining(SECRET_NAMES));

    const error: unknown = (() => {
      try {
        sandbox.openDirectorySync(realPath, 'the-dir');
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toContain('"the-dir" was replaced by a symbolic link');
    expect((error as Error).message).not.toContain(outside);
  });

  it('refuses a directory reached through a parent swapped for a link to outside (checked through /proc/self/fd)', async () => {
    const { dir, moved } = await freshDirectory();
    await fs.mkdir(path.join(dir, 'inner'));
    const decoy = path.join(outside, `parent${counter}`);
    await fs.mkdir(path.join(decoy, 'inner'), { recursive: true });
    await fs.writeFile(path.join(decoy, 'inner', SECRET_NAMES[0]!), 'SECRET');
    const realPath = await sandbox.resolveInside(path.join(dir, 'inner'), { mustExist: true });
    await swapForOutsideLink(dir, moved, decoy);
    // O_NOFOLLOW only guards the last component: an unguarded open of the checked path lists outside names.
    expect(readdirSync(realPath)).toEqual([SECRET_NAMES[0]]);

    expect(() => sandbox.openDirectorySync(realPath)).toThrow(SandboxError);
  });

  it('reports a missing directory as not found and a file as not a directory', async () => {
    const { dir } = await freshDirectory();
    expect(() => sandbox.openDirectorySync(path.join(dir, 'missing'))).toThrow(NotFoundError);
    expect(() => sandbox.openDirectorySync(path.join(dir, 'inside.txt'))).toThrow(InvalidArgumentError);
  });

  it('refuses a path that is not inside without opening it', () => {
    expect(() => sandbox.openDirectorySync(outside)).toThrow(SandboxError);
    expect(() => sandbox.openDirectorySync(`${root}/../outside`)).toThrow(SandboxError);
  });

  it('reaches entries through the directory held open, so lstat describes the entry checked and not the swapped-in link', async () => {
    const { dir, moved } = await freshDirectory();
    await fs.writeFile(path.join(outside, 'inside.txt'), 'x'.repeat(12345));
    const opened = sandbox.openDirectorySync(dir);
    try {
      await swapForOutsideLink(dir, moved);
      expect(statSync(path.join(dir, 'inside.txt')).size).toBe(12345);
      expect((await fs.lstat(opened.entryPath('inside.txt'))).size).toBe('inside'.length);
      expect(() => opened.entryPath('../x')).toThrow(InvalidArgumentError);
    } finally {
      opened.close();
      await fs.rm(path.join(outside, 'inside.txt'));
    }
  });

  it('closes its descriptor once, however often close is called', async () => {
    const { dir } = await freshDirectory();
    const before = readdirSync('/proc/self/fd').length;
    const opened = sandbox.openDirectorySync(dir);
    expect(readdirSync('/proc/self/fd').length).toBe(before + 1);
    opened.close();
    opened.close();
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('the open-then-verify fallback used where /proc/self/fd does not exist', () => {
  const isInside = (candidate: string): boolean => sandbox.isInside(candidate);

  it('refuses to list when the name no longer leads to the directory held open', async () => {
    const { dir, moved } = await freshDirectory();
    const opened = openCheckedDirectory(dir, dir, isInside, 'verified-path');
    try {
      await swapForOutsideLink(dir, moved);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(SECRET_NAMES));
      expect(() => opened.entries()).toThrow(SandboxError);
    } finally {
      opened.close();
    }
  });

  it('refuses a directory whose checked path now resolves through a link further up', async () => {
    const { dir, moved } = await freshDirectory();
    await fs.mkdir(path.join(dir, 'inner'));
    await fs.mkdir(path.join(outside, `fallback${counter}`, 'inner'), { recursive: true });
    const realPath = path.join(dir, 'inner');
    await swapForOutsideLink(dir, moved, path.join(outside, `fallback${counter}`));
    expect(() => openCheckedDirectory(realPath, realPath, isInside, 'verified-path')).toThrow(SandboxError);
  });

  it('lists a directory that stayed in place', async () => {
    const { dir } = await freshDirectory();
    const opened = openCheckedDirectory(dir, dir, isInside, 'verified-path');
    try {
      expect(names(opened.entries())).toEqual(['inside.txt']);
    } finally {
      opened.close();
    }
  });
});

describe('Sandbox.statResolved', () => {
  it('describes the entry checked, not an outside file that a link put at its name points to', async () => {
    const { dir } = await freshDirectory();
    const file = path.join(dir, 'inside.txt');
    const realPath = await sandbox.resolveInside(file, { mustExist: true });
    await fs.rm(file);
    await fs.symlink(path.join(outside, SECRET_NAMES[0]!), file);
    // Unguarded, the metadata of the outside file comes back for the checked path.
    expect((await fs.stat(realPath)).size).toBe(SECRET_SIZE);

    const error: unknown = await sandbox.statResolved(realPath, 'inside.txt').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).not.toContain(outside);
  });

  it('refuses an entry whose parent was swapped for a link to outside', async () => {
    const { dir, moved } = await freshDirectory();
    const realPath = await sandbox.resolveInside(path.join(dir, SECRET_NAMES[0]!));
    await swapForOutsideLink(dir, moved);
    expect((await fs.stat(realPath)).size).toBe(SECRET_SIZE);

    await expect(sandbox.statResolved(realPath)).rejects.toBeInstanceOf(SandboxError);
  });

  it('describes files, directories and an allowed directory itself', async () => {
    const { dir } = await freshDirectory();
    expect((await sandbox.statResolved(path.join(dir, 'inside.txt'))).size).toBe('inside'.length);
    expect((await sandbox.statResolved(dir)).isDirectory()).toBe(true);
    expect((await sandbox.statResolved(root)).isDirectory()).toBe(true);
    await expect(sandbox.statResolved(path.join(dir, 'missing'))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('Sandbox.readFileInside (files the server reads for itself)', () => {
  it('reads a regular file inside', async () => {
    const { dir } = await freshDirectory();
    expect((await sandbox.readFileInside(path.join(dir, 'inside.txt'), { maxBytes: 100 })).toString()).toBe('inside');
  });

  it('refuses a link to an outside file instead of reading its content', async () => {
    const { dir } = await freshDirectory();
    const link = path.join(dir, 'link');
    await fs.symlink(path.join(outside, SECRET_NAMES[1]!), link);
    expect(readFileSync(link, 'utf8')).toBe('SECRET');
    await expect(sandbox.readFileInside(link, { maxBytes: 100 })).rejects.toBeInstanceOf(SandboxError);
  });

  it('refuses a link to /dev/zero instead of reading without end', async () => {
    const { dir } = await freshDirectory();
    const link = path.join(dir, 'zero');
    await fs.symlink('/dev/zero', link);
    // Unguarded, the link opens and every read returns a full buffer: a whole-file read never ends.
    const handle = await fs.open(link, 'r');
    try {
      expect((await handle.read(Buffer.alloc(65536), 0, 65536, null)).bytesRead).toBe(65536);
    } finally {
      await handle.close();
    }
    await expect(sandbox.readFileInside(link, { maxBytes: 100 })).rejects.toBeInstanceOf(SandboxError);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const { dir } = await freshDirectory();
    const fifo = path.join(dir, 'fifo');
    await new Promise<void>((resolve, reject) => {
      import('node:child_process').then(
        ({ execFile }) => execFile('mkfifo', [fifo], (error) => (error ? reject(error) : resolve())),
        (error: unknown) => reject(error as Error),
      );
    });
    // Unguarded, a plain open waits until some writer appears: it is still pending after the guarded read returns.
    let plainOpened = false;
    const plain = fs.open(fifo, 'r').then((handle) => {
      plainOpened = true;
      return handle;
    });
    await expect(sandbox.readFileInside(fifo, { maxBytes: 100 })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(plainOpened).toBe(false);
    // Release the blocked open with a writer, so the test leaves no thread stuck.
    const writer = await fs.open(fifo, 'w');
    await (await plain).close();
    await writer.close();
    expect(plainOpened).toBe(true);
  });

  it('refuses a file over the cap without reading it whole', async () => {
    const { dir } = await freshDirectory();
    await fs.writeFile(path.join(dir, 'big'), 'x'.repeat(101));
    await expect(sandbox.readFileInside(path.join(dir, 'big'), { maxBytes: 100 })).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    expect((await sandbox.readFileInside(path.join(dir, 'big'), { maxBytes: 101 })).length).toBe(101);
  });

  it('refuses a directory and a path outside', async () => {
    const { dir } = await freshDirectory();
    await expect(sandbox.readFileInside(dir, { maxBytes: 100 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      sandbox.readFileInside(path.join(outside, SECRET_NAMES[1]!), { maxBytes: 100 }),
    ).rejects.toBeInstanceOf(SandboxError);
  });
});

describe('Sandbox.isOpenedInsideSync (files a walk opens by name itself)', () => {
  it('accepts a file opened inside, and refuses one reached through a directory swapped for a link to outside', async () => {
    const { dir, moved } = await freshDirectory();
    const inside = openSync(path.join(dir, 'inside.txt'), 'r');
    try {
      expect(sandbox.isOpenedInsideSync(inside)).toBe(true);
    } finally {
      closeSync(inside);
    }
    await swapForOutsideLink(dir, moved);
    // The attack is real: the walked name now opens the outside file, and O_NOFOLLOW on the last part cannot see it.
    const swapped = openSync(path.join(dir, SECRET_NAMES[1]!), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      expect(readFileSync(swapped, 'utf8')).toBe('SECRET');
      expect(sandbox.isOpenedInsideSync(swapped)).toBe(false);
    } finally {
      closeSync(swapped);
    }
  });
});
