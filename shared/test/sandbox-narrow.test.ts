import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../src/errors/index.js';
import { Sandbox } from '../src/sandbox/index.js';

let base = '';
let root = '';
let other = '';
let outside = '';
let operator: Sandbox;

const uri = (target: string): string => pathToFileURL(target).href;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'portico-sandbox-narrow-')));
  root = path.join(base, 'root');
  other = path.join(base, 'other');
  outside = path.join(base, 'outside');
  await fs.mkdir(path.join(root, 'project', 'src'), { recursive: true });
  await fs.mkdir(path.join(root, 'notes'));
  await fs.mkdir(other);
  await fs.mkdir(outside);
  await fs.writeFile(path.join(root, 'project', 'readme.md'), 'project');
  await fs.writeFile(path.join(root, 'notes', 'todo.md'), 'notes');
  await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
  await fs.symlink(path.join(root, 'project'), path.join(base, 'project-link'));
  await fs.symlink(outside, path.join(root, 'link-out'));
  operator = await Sandbox.create([root, other]);
});

afterAll(async () => {
  if (base !== '') await fs.rm(base, { recursive: true, force: true });
});

describe('Sandbox.narrow', () => {
  it('keeps a client root that lies inside an operator root', async () => {
    const narrowed = await operator.narrow([uri(path.join(root, 'project'))]);
    expect(narrowed.roots).toEqual([path.join(root, 'project')]);
    expect(await narrowed.resolveInside('readme.md')).toBe(path.join(root, 'project', 'readme.md'));
    await expect(narrowed.resolveInside(path.join(root, 'notes', 'todo.md'))).rejects.toBeInstanceOf(SandboxError);
  });

  it('clips a client root wider than the operator roots to the operator roots inside it', async () => {
    const narrowed = await operator.narrow([uri(base)]);
    expect(narrowed.roots).toEqual([root, other]);
    await expect(narrowed.resolveInside(path.join(outside, 'secret.txt'))).rejects.toBeInstanceOf(SandboxError);
  });

  it('drops a client root outside every operator root', async () => {
    const narrowed = await operator.narrow([uri(outside), uri(path.join(root, 'notes'))]);
    expect(narrowed.roots).toEqual([path.join(root, 'notes')]);
  });

  it('drops a client root that reaches outside through a symlink', async () => {
    const narrowed = await operator.narrow([uri(path.join(root, 'link-out'))]);
    expect(narrowed.roots).toEqual([]);
  });

  it('realpaths a client root given through a symlink', async () => {
    const narrowed = await operator.narrow([uri(path.join(base, 'project-link'))]);
    expect(narrowed.roots).toEqual([path.join(root, 'project')]);
  });

  it('accepts a client root given as a plain absolute path', async () => {
    const narrowed = await operator.narrow([path.join(root, 'notes')]);
    expect(narrowed.roots).toEqual([path.join(root, 'notes')]);
  });

  it('drops non-file URIs, remote file URIs, relative paths and missing directories', async () => {
    const narrowed = await operator.narrow([
      'https://example.com/root',
      'file://example.com/share',
      'project',
      uri(path.join(root, 'missing')),
      uri(path.join(root, 'project', 'readme.md')),
      '',
    ]);
    expect(narrowed.roots).toEqual([]);
  });

  it('refuses every path, the roots included, when no root is left', async () => {
    const narrowed = await operator.narrow([uri(outside)]);
    for (const given of [root, '.', 'project/readme.md', path.join(outside, 'secret.txt')]) {
      const error: unknown = await narrowed.resolveInside(given).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as Error).message).toContain('no directory is allowed');
    }
    await expect(narrowed.openInside('project/readme.md', 'r')).rejects.toBeInstanceOf(SandboxError);
  });

  it('never widens back when narrowed a second time', async () => {
    const once = await operator.narrow([uri(path.join(root, 'project'))]);
    const twice = await once.narrow([uri(root), uri(base), uri(outside)]);
    expect(twice.roots).toEqual([path.join(root, 'project')]);
  });

  it('keeps client order, so the first client root is where relative paths start', async () => {
    const narrowed = await operator.narrow([uri(path.join(root, 'notes')), uri(path.join(root, 'project'))]);
    expect(narrowed.roots).toEqual([path.join(root, 'notes'), path.join(root, 'project')]);
    expect(await narrowed.resolveInside('todo.md', { mustExist: true })).toBe(path.join(root, 'notes', 'todo.md'));
  });

  it('leaves the operator sandbox unchanged', async () => {
    await operator.narrow([uri(path.join(root, 'project'))]);
    expect(operator.roots).toEqual([root, other]);
  });
});

describe('Sandbox.fromClientRoots', () => {
  it('lets the client roots define the set, realpathed and deduplicated', async () => {
    const fromClient = await Sandbox.fromClientRoots([
      uri(path.join(base, 'project-link')),
      path.join(root, 'project'),
      uri(outside),
    ]);
    expect(fromClient.roots).toEqual([path.join(root, 'project'), outside]);
  });

  it('drops what cannot name a local directory, and may end with no root', async () => {
    const fromClient = await Sandbox.fromClientRoots(['https://example.com/', 'relative/dir']);
    expect(fromClient.roots).toEqual([]);
    await expect(fromClient.resolveInside('anything')).rejects.toBeInstanceOf(SandboxError);
  });
});

describe('resolveEntryInside', () => {
  it('keeps a final symbolic link as the entry instead of following it', async () => {
    const { mkdtemp, mkdir, realpath, rm, symlink, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const join = (...parts: string[]) => path.join(...parts);
    const { Sandbox: SandboxClass } = await import('../src/sandbox/index.js');
    const base = await realpath(await mkdtemp(join(tmpdir(), 'portico-entry-')));
    try {
      const root = join(base, 'root');
      await mkdir(root);
      await writeFile(join(base, 'secret.txt'), 'secret');
      await symlink(join(base, 'secret.txt'), join(root, 'link'));
      const sandbox = await SandboxClass.create([root]);
      expect(await sandbox.resolveEntryInside('link')).toBe(join(root, 'link'));
      await expect(sandbox.resolveInside('link')).rejects.toThrow(/outside/);
      await expect(sandbox.resolveEntryInside(root)).rejects.toThrow(/Access denied/);
      await expect(sandbox.resolveEntryInside(join(root, 'sub', '..'))).rejects.toThrow(/Access denied/);
      await expect(sandbox.resolveEntryInside('../secret.txt')).rejects.toThrow(/outside/);
      await symlink(base, join(root, 'up'));
      await expect(sandbox.resolveEntryInside('up/secret.txt')).rejects.toThrow(/outside/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
