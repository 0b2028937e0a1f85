import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ERAS, makeTempDir } from '@portico-mcp/shared/testing';
import type { SpawnedServer, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, spawnPortico, spawnReference } from './helpers.js';

// Layout: base/root is the only allowed directory; everything else under base is outside it.
let temp: TempDir;
let base: string;
let root: string;
let outside: string;
let reference: SpawnedServer;

const SECRET = {
  outside: 'SECRET-outside',
  evil: 'SECRET-prefix-sibling',
  quote: 'SECRET-quote-sibling',
  space: 'SECRET-space-sibling',
  tab: 'SECRET-tab-sibling',
  singleQuoteDir: 'SECRET-in-quote-dir',
};

beforeAll(async () => {
  temp = await makeTempDir('portico-fs-escape-');
  base = temp.path;
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await mkdir(join(base, 'root-evil'));
  await mkdir(join(base, "root'"));
  await writeFile(join(root, 'inside.txt'), 'inside\n');
  await writeFile(join(outside, 'secret.txt'), SECRET.outside);
  await writeFile(join(base, 'root-evil', 'secret.txt'), SECRET.evil);
  await writeFile(`${root}"`, SECRET.quote);
  await writeFile(`${root} `, SECRET.space);
  await writeFile(`${root}\t`, SECRET.tab);
  await writeFile(join(`${root}'`, 'secret.txt'), SECRET.singleQuoteDir);
  await symlink(join(outside, 'secret.txt'), join(root, 'link-out'));
  await symlink(outside, join(root, 'dirlink'));
  await symlink(join(outside, 'created-through-dangling-link.txt'), join(root, 'dangling'));
  reference = await spawnReference([root], { env: { HOME: outside } });
});

afterAll(async () => {
  await reference?.close();
  await temp?.cleanup();
});

/**
 * Each read case: the path a caller sends, the path the OS would open for it (to prove the case really
 * reaches a secret without a guard), the secret, and whether the reference server falls for it.
 */
const READ_CASES: Array<[string, () => string, () => string, string, boolean]> = [
  [
    'a relative path climbing out with ..',
    () => '../outside/secret.txt',
    () => join(root, '../outside/secret.txt'),
    SECRET.outside,
    false,
  ],
  [
    'an absolute path outside the root',
    () => join(outside, 'secret.txt'),
    () => join(outside, 'secret.txt'),
    SECRET.outside,
    false,
  ],
  [
    'a sibling directory whose name extends the root',
    () => `${root}-evil/secret.txt`,
    () => `${root}-evil/secret.txt`,
    SECRET.evil,
    false,
  ],
  ['a sibling named like the root plus a double quote', () => `${root}"`, () => `${root}"`, SECRET.quote, true],
  ['a sibling named like the root plus a space', () => `${root} `, () => `${root} `, SECRET.space, true],
  ['a sibling named like the root plus a tab', () => `${root}\t`, () => `${root}\t`, SECRET.tab, true],
  [
    'a symbolic link inside pointing to a file outside',
    () => join(root, 'link-out'),
    () => join(root, 'link-out'),
    SECRET.outside,
    false,
  ],
  [
    'a path through a symbolic link to a directory outside',
    () => join(root, 'dirlink', 'secret.txt'),
    () => join(root, 'dirlink', 'secret.txt'),
    SECRET.outside,
    false,
  ],
  [
    'a file: URI of a file outside',
    () => pathToFileURL(join(outside, 'secret.txt')).href,
    () => join(outside, 'secret.txt'),
    SECRET.outside,
    false,
  ],
  [
    'a ~ path when the home directory is outside',
    () => '~/secret.txt',
    () => join(outside, 'secret.txt'),
    SECRET.outside,
    false,
  ],
];

describe('the escape corpus, against the reference server', () => {
  it.each(READ_CASES)('without a guard, %s reaches the secret', async (_name, _given, raw, secret) => {
    expect(await readFile(raw(), 'utf8')).toBe(secret);
  });

  // The reference's normalizePath trims white space and strips a leading or trailing quote from the path it
  // checks, then opens the path as given: a sibling named like the root plus a quote, space or tab passes.
  it.each(READ_CASES.filter((row) => row[4]))(
    'the reference server reads %s (reference behaviour: the trimmed-name gap)',
    async (_name, given, _raw, secret) => {
      const result = await call(reference, 'read_text_file', { path: given() });
      expect(result.isError).toBeFalsy();
      expect(result.text).toBe(secret);
    },
  );

  it('the reference server lists a sibling directory named like the root plus a single quote (reference behaviour: the trimmed-name gap)', async () => {
    const result = await call(reference, 'list_directory', { path: `${root}'` });
    expect(result.text).toContain('secret.txt');
  });

  it('the reference server overwrites a sibling file named like the root plus a space (reference behaviour: the trimmed-name gap)', async () => {
    const victim = `${root} `;
    await writeFile(victim, SECRET.space);
    const result = await call(reference, 'write_file', { path: victim, content: 'overwritten by the reference' });
    expect(result.isError).toBeFalsy();
    expect(await readFile(victim, 'utf8')).toBe('overwritten by the reference');
    await writeFile(victim, SECRET.space);
  });
});

describe.each(ERAS)('the escape corpus, against Portico (%s era)', (era) => {
  let portico: SpawnedServer;
  beforeAll(async () => {
    portico = await spawnPortico([root], { era, env: { HOME: outside } });
  });
  afterAll(async () => {
    await portico?.close();
  });

  it('reads a file inside the root (the guard is not simply closed)', async () => {
    expect((await call(portico, 'read_text_file', { path: 'inside.txt' })).text).toBe('inside\n');
  });

  it.each(READ_CASES)('refuses %s', async (_name, given, _raw, secret) => {
    const result = await call(portico, 'read_text_file', { path: given() });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Access denied/);
    expect(result.text).not.toContain(secret);
  });

  const quoteSibling = () => `${root}'`;
  it.each([
    ['list_directory', () => ({ path: quoteSibling() })],
    ['list_directory_with_sizes', () => ({ path: quoteSibling() })],
    ['directory_tree', () => ({ path: quoteSibling() })],
    ['search_files', () => ({ path: quoteSibling(), pattern: '**' })],
    ['search_content', () => ({ path: quoteSibling(), pattern: 'SECRET' })],
    ['get_file_info', () => ({ path: join(quoteSibling(), 'secret.txt') })],
    ['read_multiple_files', () => ({ paths: [`${root}"`, `${root}\t`] })],
    ['read_media_file', () => ({ path: `${root} ` })],
    ['copy_file', () => ({ source: `${root}"`, destination: join(root, 'stolen.txt') })],
    ['move_file', () => ({ source: `${root}"`, destination: join(root, 'stolen.txt') })],
  ])('%s refuses a sibling named like the root plus a quote, space or tab', async (tool, args) => {
    const result = await call(portico, tool, args());
    expect(result.text).not.toMatch(/SECRET/);
    if (tool === 'read_multiple_files') expect(result.text.match(/Access denied/g)).toHaveLength(2);
    else {
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^Access denied/);
    }
    expect(existsSync(join(root, 'stolen.txt'))).toBe(false);
    expect(await readFile(`${root}"`, 'utf8')).toBe(SECRET.quote);
  });

  it.each([
    ['a symbolic link to a file outside', () => join(root, 'link-out'), () => join(outside, 'secret.txt')],
    [
      'a dangling symbolic link to a path outside',
      () => join(root, 'dangling'),
      () => join(outside, 'created-through-dangling-link.txt'),
    ],
    ['a sibling named like the root plus a space', () => `${root} `, () => `${root} `],
    [
      'a path through a linked directory outside',
      () => join(root, 'dirlink', 'new.txt'),
      () => join(outside, 'new.txt'),
    ],
  ])('write_file refuses to write through %s', async (_name, given, target) => {
    const before = existsSync(target()) ? await readFile(target(), 'utf8') : undefined;
    const result = await call(portico, 'write_file', { path: given(), content: 'PWNED' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Access denied/);
    expect(existsSync(target()) ? await readFile(target(), 'utf8') : undefined).toBe(before);
  });

  it.each([
    ['append_file', () => ({ path: join(root, 'link-out'), content: 'PWNED' })],
    ['edit_file', () => ({ path: join(root, 'link-out'), edits: [{ oldText: 'SECRET', newText: 'PWNED' }] })],
    ['copy_file', () => ({ source: join(root, 'inside.txt'), destination: join(root, 'link-out'), overwrite: true })],
    ['create_directory', () => ({ path: join(root, 'dirlink', 'made-by-attack') })],
  ])('%s refuses to change anything outside through a link', async (tool, args) => {
    const result = await call(portico, tool, args());
    expect(result.isError).toBe(true);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe(SECRET.outside);
    expect(existsSync(join(outside, 'made-by-attack'))).toBe(false);
  });

  it('move_file refuses to move a file out of the root, or one in from outside', async () => {
    const out = await call(portico, 'move_file', {
      source: join(root, 'inside.txt'),
      destination: join(outside, 'exfiltrated.txt'),
    });
    const into = await call(portico, 'move_file', {
      source: join(outside, 'secret.txt'),
      destination: join(root, 'taken.txt'),
    });
    expect(out.isError).toBe(true);
    expect(into.isError).toBe(true);
    expect(existsSync(join(outside, 'exfiltrated.txt'))).toBe(false);
    expect(existsSync(join(root, 'inside.txt'))).toBe(true);
    expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
  });

  it('move_file moves a link that points outside as a link, without touching its target', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, `movable-link-${era}`));
    const result = await call(portico, 'move_file', {
      source: `movable-link-${era}`,
      destination: `moved-link-${era}`,
    });
    expect(result.isError).toBeFalsy();
    expect(existsSync(join(root, `moved-link-${era}`))).toBe(true);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe(SECRET.outside);
  });

  it('refuses a path with a NUL byte', async () => {
    const result = await call(portico, 'read_text_file', { path: `inside.txt\0/../../outside/secret.txt` });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/NUL byte/);
  });

  it('list_allowed_directories names only the root', async () => {
    expect((await call(portico, 'list_allowed_directories', {})).text).toBe(`Allowed directories:\n${root}`);
  });
});
