import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, SandboxError } from '../src/errors/index.js';
import { Sandbox, isCanonicalAbsolute, isWithin } from '../src/sandbox/index.js';

let base = '';
let root = '';
let second = '';
let outside = '';
let sandbox: Sandbox;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sandbox-')));
  root = path.join(base, 'root');
  second = path.join(base, 'second');
  outside = path.join(base, 'outside');
  await fs.mkdir(path.join(root, 'sub', 'deeper'), { recursive: true });
  await fs.mkdir(second);
  await fs.mkdir(outside);
  await fs.writeFile(path.join(root, 'file.txt'), 'inside');
  await fs.writeFile(path.join(root, 'sub', 'nested.txt'), 'nested');
  await fs.writeFile(path.join(second, 'other.txt'), 'second');
  await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
  await fs.mkdir(path.join(root, 'with space'));
  await fs.symlink(path.join(root, 'file.txt'), path.join(root, 'link-in-file'));
  await fs.symlink('sub', path.join(root, 'link-in-dir'));
  await fs.symlink('created-by-link.txt', path.join(root, 'dangling-in'));
  await fs.symlink(path.join(second, 'made-in-second.txt'), path.join(root, 'dangling-to-second'));
  await fs.symlink(path.join(outside), path.join(root, 'link-out-dir'));
  await fs.symlink(root, path.join(base, 'root-alias'));
  await fs.mkdir(path.join(base, 'root '));
  sandbox = await Sandbox.create([root, second], { home: path.join(root, 'sub') });
});

afterAll(async () => {
  if (base !== '') await fs.rm(base, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the promise to reject');
  return outcome;
}

describe('Sandbox.create', () => {
  it('keeps the real path of each operator root, in order', async () => {
    expect(sandbox.roots).toEqual([root, second]);
  });

  it('realpaths a root given through a symlink', async () => {
    const aliased = await Sandbox.create([path.join(base, 'root-alias')]);
    expect(aliased.roots).toEqual([root]);
  });

  it('deduplicates roots that name the same real directory', async () => {
    const deduped = await Sandbox.create([root, `${root}/`, path.join(base, 'root-alias'), `${root}/sub/..`]);
    expect(deduped.roots).toEqual([root]);
  });

  it('expands `~` in an operator root against the given home', async () => {
    const fromHome = await Sandbox.create(['~/sub', '~'], { home: root });
    expect(fromHome.roots).toEqual([path.join(root, 'sub'), root]);
  });

  it('resolves a relative operator root against the given working directory', async () => {
    const fromCwd = await Sandbox.create(['root'], { cwd: base });
    expect(fromCwd.roots).toEqual([root]);
  });

  it('does not trim an operator root: a trailing space names a different directory', async () => {
    const spaced = await Sandbox.create([`${root} `]);
    expect(spaced.roots).toEqual([`${root} `]);
    await expect(spaced.resolveInside(path.join(root, 'file.txt'))).rejects.toBeInstanceOf(SandboxError);
  });

  it('refuses a root that does not exist, naming the path as given', async () => {
    const error = await rejection(Sandbox.create(['~/no-such-dir'], { home: base }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe('Allowed directory "~/no-such-dir" does not exist; create it or fix the path.');
  });

  it('refuses a root that is a file', async () => {
    const error = await rejection(Sandbox.create([path.join(root, 'file.txt')]));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain('is not a directory');
  });

  it('refuses an empty root list and an empty root string', async () => {
    await expect(Sandbox.create([])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Sandbox.create([''])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('exposes roots as a read-only array', () => {
    expect(Object.isFrozen(sandbox.roots)).toBe(true);
  });
});

describe('Sandbox.resolveInside', () => {
  it('accepts the root itself', async () => {
    expect(await sandbox.resolveInside(root)).toBe(root);
    expect(await sandbox.resolveInside('.')).toBe(root);
    expect(await sandbox.resolveInside(second)).toBe(second);
  });

  it('accepts a nested file by absolute path', async () => {
    expect(await sandbox.resolveInside(path.join(root, 'sub', 'nested.txt'), { mustExist: true })).toBe(
      path.join(root, 'sub', 'nested.txt'),
    );
  });

  it('resolves a relative path against the first root', async () => {
    expect(await sandbox.resolveInside('sub/nested.txt')).toBe(path.join(root, 'sub', 'nested.txt'));
  });

  it('accepts a path in the second root by absolute path', async () => {
    expect(await sandbox.resolveInside(path.join(second, 'other.txt'), { mustExist: true })).toBe(
      path.join(second, 'other.txt'),
    );
  });

  it('allows `..` that stays inside', async () => {
    expect(await sandbox.resolveInside('sub/deeper/../nested.txt')).toBe(path.join(root, 'sub', 'nested.txt'));
  });

  it('expands `~` and `~/…` when home is inside a root', async () => {
    expect(await sandbox.resolveInside('~')).toBe(path.join(root, 'sub'));
    expect(await sandbox.resolveInside('~/nested.txt')).toBe(path.join(root, 'sub', 'nested.txt'));
  });

  it('treats `~name` as a literal relative name', async () => {
    expect(await sandbox.resolveInside('~name')).toBe(path.join(root, '~name'));
  });

  it('converts a file URI, decoding percent-escapes', async () => {
    expect(await sandbox.resolveInside(pathToFileURL(path.join(root, 'with space')).href)).toBe(
      path.join(root, 'with space'),
    );
  });

  it('refuses a file URI that names another host', async () => {
    await expect(sandbox.resolveInside('file://example.com/share/file.txt')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('returns the real target of a symlink that points inside', async () => {
    expect(await sandbox.resolveInside('link-in-file')).toBe(path.join(root, 'file.txt'));
    expect(await sandbox.resolveInside('link-in-dir/nested.txt')).toBe(path.join(root, 'sub', 'nested.txt'));
  });

  it('returns the target of a dangling symlink that points inside, so a create lands there', async () => {
    const target = await sandbox.resolveInside('dangling-in');
    expect(target).toBe(path.join(root, 'created-by-link.txt'));
    await fs.writeFile(target, 'created');
    expect(await fs.readFile(path.join(root, 'dangling-in'), 'utf8')).toBe('created');
    await fs.rm(target);
  });

  it('follows a dangling symlink into another root', async () => {
    expect(await sandbox.resolveInside('dangling-to-second')).toBe(path.join(second, 'made-in-second.txt'));
  });

  it('resolves a nested create path under missing directories', async () => {
    expect(await sandbox.resolveInside('new-dir/deeper/file.txt')).toBe(
      path.join(root, 'new-dir', 'deeper', 'file.txt'),
    );
  });

  it('resolves a new file under a symlinked directory through the directory’s real path', async () => {
    expect(await sandbox.resolveInside('link-in-dir/new.txt')).toBe(path.join(root, 'sub', 'new.txt'));
  });

  it('accepts a path written through a symlinked alias of a root', async () => {
    expect(await sandbox.resolveInside(path.join(base, 'root-alias', 'file.txt'))).toBe(path.join(root, 'file.txt'));
  });

  it('applies `..` to the path as written, so `link/..` is the directory holding the link', async () => {
    expect(await sandbox.resolveInside('link-out-dir/..')).toBe(root);
  });

  it('returns a path free of symlinks that realpath leaves unchanged', async () => {
    const resolved = await sandbox.resolveInside('link-in-dir/nested.txt');
    expect(await fs.realpath(resolved)).toBe(resolved);
  });

  it('throws NotFoundError naming the path as given when mustExist is set and the path is missing', async () => {
    const error = await rejection(sandbox.resolveInside('sub/missing.txt', { mustExist: true }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(
      'Not found: "sub/missing.txt" does not exist; check the path or list its parent directory.',
    );
  });

  it('throws NotFoundError for a dangling symlink inside when mustExist is set', async () => {
    await expect(sandbox.resolveInside('dangling-in', { mustExist: true })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an empty path with InvalidArgumentError', async () => {
    await expect(sandbox.resolveInside('')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses a NUL byte even when the rest of the path is inside', async () => {
    const error = await rejection(sandbox.resolveInside('file.txt\0'));
    expect(error).toBeInstanceOf(SandboxError);
    expect(error.message).toContain('NUL byte');
  });

  it('refuses a file URI whose percent-escapes decode to a NUL byte', async () => {
    const error = await rejection(sandbox.resolveInside(`${pathToFileURL(root).href}/file.txt%00.png`));
    expect(error).toBeInstanceOf(SandboxError);
    expect(error.message).toContain('NUL byte');
  });

  it('refuses a file URI with an encoded slash, which names no single path', async () => {
    await expect(sandbox.resolveInside(`${pathToFileURL(root).href}/a%2Fb`)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('names the allowed directories in a refusal, in one sentence', async () => {
    const error = await rejection(sandbox.resolveInside('../outside/secret.txt'));
    expect(error.message).toBe(
      `Access denied: "../outside/secret.txt" is outside the allowed directories; use a path inside one of them (allowed directories: ${root}, ${second}).`,
    );
  });

  it('allows everything beneath a root of `/`', async () => {
    const everything = await Sandbox.create(['/']);
    expect(everything.roots).toEqual(['/']);
    expect(await everything.resolveInside(path.join(outside, 'secret.txt'))).toBe(path.join(outside, 'secret.txt'));
    expect(everything.isInside('/')).toBe(true);
  });
});

describe('Sandbox.isInside', () => {
  it('accepts a root and the paths beneath it', () => {
    expect(sandbox.isInside(root)).toBe(true);
    expect(sandbox.isInside(path.join(root, 'a', 'b'))).toBe(true);
  });

  it('refuses a sibling directory whose name extends the root', () => {
    expect(sandbox.isInside(`${root}-evil`)).toBe(false);
    expect(sandbox.isInside(`${root} `)).toBe(false);
    expect(sandbox.isInside(path.join(`${root}2`, 'x'))).toBe(false);
  });

  it('refuses strings that are not canonical absolute paths', () => {
    expect(sandbox.isInside(`${root}/../outside`)).toBe(false);
    expect(sandbox.isInside(`${root}/./file.txt`)).toBe(false);
    expect(sandbox.isInside(`${root}//file.txt`)).toBe(false);
    expect(sandbox.isInside(`${root}/`)).toBe(false);
    expect(sandbox.isInside('root/file.txt')).toBe(false);
    expect(sandbox.isInside(`${root}/file.txt\0`)).toBe(false);
  });

  it('is exported as pure helpers too', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/anything', '/')).toBe(true);
    expect(isCanonicalAbsolute('/a/../b')).toBe(false);
  });
});
