import { execFileSync } from 'node:child_process';
import { open as openFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { SpawnedServer, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, spawnPortico } from './helpers.js';

// Every failure reply is one sentence of Portico's own: never the OS's or a library's text, which quotes the
// server's real or internal paths (/proc/self/fd/…), and never a path outside the allowed directories.
let temp: TempDir;
let root: string;
let outside: string;
let portico: SpawnedServer;
// Listening for the whole file: Node removes the socket's name when the listener closes.
const listener = createServer();

beforeAll(async () => {
  temp = await makeTempDir('portico-fs-failures-');
  root = join(temp.path, 'root');
  outside = join(temp.path, 'outside');
  await mkdir(join(root, 'dir'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'SECRET');
  await writeFile(join(root, 'file.txt'), 'inside\n');
  execFileSync('mkfifo', [join(root, 'fifo')]);
  await new Promise<void>((resolve) => listener.listen(join(root, 'sock'), resolve));
  await symlink('loop-b', join(root, 'loop-a'));
  await symlink('loop-a', join(root, 'loop-b'));
  await symlink(outside, join(root, 'out-link'));
  portico = await spawnPortico([root]);
});

afterAll(async () => {
  await portico?.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  await temp?.cleanup();
});

const CASES: Array<[string, string, () => Record<string, unknown>]> = [
  ['read_text_file', 'a socket', () => ({ path: 'sock' })],
  ['read_media_file', 'a socket', () => ({ path: 'sock' })],
  ['edit_file', 'a socket', () => ({ path: 'sock', edits: [{ oldText: 'a', newText: 'b' }] })],
  ['copy_file', 'a socket as the source', () => ({ source: 'sock', destination: 'copy.txt' })],
  ['read_text_file', 'a FIFO', () => ({ path: 'fifo' })],
  ['read_text_file', 'a loop of links', () => ({ path: 'loop-a' })],
  ['read_text_file', 'a directory', () => ({ path: 'dir' })],
  ['write_file', 'a directory', () => ({ path: 'dir', content: 'x' })],
  ['list_directory', 'a file', () => ({ path: 'file.txt' })],
  ['list_directory', 'a link to an outside directory', () => ({ path: 'out-link' })],
  ['list_directory_with_sizes', 'a path through a link to outside', () => ({ path: join('out-link', 'secret.txt') })],
  ['get_file_info', 'a path through a link to outside', () => ({ path: join('out-link', 'secret.txt') })],
  ['directory_tree', 'a link to an outside directory', () => ({ path: 'out-link' })],
  ['search_files', 'an empty exclude glob', () => ({ path: '.', pattern: '**', excludePatterns: [''] })],
  ['directory_tree', 'an empty exclude glob', () => ({ path: '.', excludePatterns: [''] })],
  ['search_content', 'an empty include glob', () => ({ path: '.', pattern: 'x', include: [''] })],
  [
    'search_content',
    'a glob longer than picomatch accepts',
    () => ({ path: '.', pattern: 'x', exclude: ['*'.repeat(70_000)] }),
  ],
  ['search_content', 'a socket', () => ({ path: 'sock', pattern: 'x' })],
  [
    'move_file',
    'a name too long for the file system',
    () => ({ source: 'file.txt', destination: join('dir', 'y'.repeat(300)) }),
  ],
  ['create_directory', 'a path beneath a file', () => ({ path: join('file.txt', 'sub') })],
];

describe('filesystem failure replies', () => {
  it('the OS text for a socket open quotes the real path (what a raw error would leak)', async () => {
    const error: unknown = await openFile(join(root, 'sock'), 'r').catch((reason: unknown) => reason);
    expect((error as { code?: string }).code).toBe('ENXIO');
    expect((error as Error).message).toContain(join(root, 'sock'));
  });

  it.each(CASES)(
    "%s refuses %s with one sentence of its own, quoting nothing but the caller's input",
    async (tool, _case, args) => {
      const given = args();
      const result = await call(portico, tool, given);
      expect(result.isError).toBe(true);
      expect(result.text.split('\n')).toHaveLength(1);
      expect(result.text).not.toMatch(/internal error|\bE[A-Z]{3,}\b:|errno|\/proc\/|\n\s+at /);
      expect(result.text).not.toContain(outside);
      expect(result.text).not.toContain('SECRET');
      // The only paths in the sentence are the ones the caller wrote (the allowed directory may be named too).
      expect(result.text.replaceAll(root, '')).not.toMatch(
        new RegExp(temp.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
    },
  );

  it('read_multiple_files reports a socket among its files as a sentence naming the path given', async () => {
    const result = await call(portico, 'read_multiple_files', { paths: ['sock', 'file.txt'] });
    expect(result.text).toContain('sock: Error - "sock" is a socket or a device');
    expect(result.text).not.toContain(join(root, 'sock'));
    expect(result.text).toContain('inside');
  });
});
