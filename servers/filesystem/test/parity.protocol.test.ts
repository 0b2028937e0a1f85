import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERAS, makeTempDir } from '@portico-mcp/shared/testing';
import type { SpawnedServer, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, spawnPortico, spawnReference } from './helpers.js';

// Both servers get identical copies of one tree: reads compare on the same answers, writes on the same effects.
let temp: TempDir;
let referenceRoot: string;
let porticoRoot: string;
let reference: SpawnedServer;
let portico: SpawnedServer;

type Tool = { name: string; inputSchema: { properties?: Record<string, unknown>; required?: string[] } };
let referenceTools: Tool[];
let porticoTools: Tool[];

beforeAll(async () => {
  temp = await makeTempDir('portico-fs-parity-');
  const seed = join(temp.path, 'seed');
  await mkdir(join(seed, 'sub', 'deep'), { recursive: true });
  await writeFile(join(seed, 'a.txt'), 'alpha\nbeta\ngamma\ndelta');
  await writeFile(join(seed, 'notes.md'), '# Notes\n\nSome text.\n');
  await writeFile(join(seed, 'sub', 'b.ts'), 'export const b = 1;\n');
  await writeFile(join(seed, 'sub', 'deep', 'c.ts'), 'export const c = 2;\n');
  await writeFile(join(seed, 'sub', 'deep', 'd.md'), 'deep\n');
  await writeFile(join(seed, '.hidden.ts'), 'hidden\n');
  await writeFile(join(seed, 'edit-me.ts'), 'function f() {\n  return 1;\n}\n');
  referenceRoot = join(temp.path, 'reference');
  porticoRoot = join(temp.path, 'portico');
  await cp(seed, referenceRoot, { recursive: true });
  await cp(seed, porticoRoot, { recursive: true });
  [reference, portico] = await Promise.all([spawnReference([referenceRoot]), spawnPortico([porticoRoot])]);
  referenceTools = (await reference.client.listTools()).tools;
  porticoTools = (await portico.client.listTools()).tools;
});

afterAll(async () => {
  await Promise.all([reference?.close(), portico?.close()]);
  await temp?.cleanup();
});

/** Puts the same placeholder where each server's root appears, so answers about the same tree compare equal. */
function neutral(text: string): string {
  return text.split(referenceRoot).join('<root>').split(porticoRoot).join('<root>');
}

async function both(tool: string, args: Record<string, unknown>) {
  const [fromReference, fromPortico] = await Promise.all([call(reference, tool, args), call(portico, tool, args)]);
  return { reference: fromReference, portico: fromPortico };
}

type TreeEntry = { name: string; type: string; children?: TreeEntry[] };
function sortedTree(entries: TreeEntry[]): TreeEntry[] {
  return [...entries]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((entry) => (entry.children ? { ...entry, children: sortedTree(entry.children) } : entry));
}

const sortedLines = (text: string) => neutral(text).split('\n').sort();

describe('tool surface parity with @modelcontextprotocol/server-filesystem', () => {
  it('offers every tool of the reference under the same name', () => {
    const names = new Set(porticoTools.map((tool) => tool.name));
    expect(referenceTools.length).toBeGreaterThanOrEqual(14);
    for (const tool of referenceTools) expect(names, tool.name).toContain(tool.name);
  });

  it('accepts every argument of the reference under the same name, and requires no more', () => {
    for (const tool of referenceTools) {
      const ours = porticoTools.find((candidate) => candidate.name === tool.name)!;
      const theirProperties = Object.keys(tool.inputSchema.properties ?? {});
      expect(Object.keys(ours.inputSchema.properties ?? {}), tool.name).toEqual(
        expect.arrayContaining(theirProperties),
      );
      expect([...(ours.inputSchema.required ?? [])].sort(), tool.name).toEqual(
        [...(tool.inputSchema.required ?? [])].sort(),
      );
    }
  });

  it('adds search_content, copy_file and append_file', () => {
    expect(porticoTools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['search_content', 'copy_file', 'append_file']),
    );
  });
});

describe('answer parity on representative calls', () => {
  it.each([
    ['read_text_file', { path: 'a.txt' }],
    ['read_text_file', { path: 'a.txt', head: 2 }],
    ['read_text_file', { path: 'a.txt', tail: 2 }],
    ['read_text_file', { path: 'notes.md', head: 10 }],
    ['read_file', { path: 'notes.md' }],
    ['read_multiple_files', { paths: ['a.txt', 'notes.md'] }],
    ['list_directory_with_sizes', { path: 'sub' }],
    ['list_directory_with_sizes', { path: '.', sortBy: 'size' }],
  ])('%s %j answers the same text', async (tool, args) => {
    const answers = await both(tool, args);
    expect(answers.portico.isError).toBeFalsy();
    expect(neutral(answers.portico.text)).toBe(neutral(answers.reference.text));
  });

  it.each([
    ['list_directory', { path: '.' }],
    ['list_directory', { path: 'sub' }],
    ['search_files', { path: '.', pattern: '**/*.ts' }],
    ['search_files', { path: '.', pattern: '*.md' }],
    ['search_files', { path: '.', pattern: '**/*', excludePatterns: ['sub/deep'] }],
    ['search_files', { path: '.', pattern: '**/nothing-matches' }],
  ])('%s %j answers the same entries', async (tool, args) => {
    const answers = await both(tool, args);
    expect(answers.portico.isError).toBeFalsy();
    expect(sortedLines(answers.portico.text)).toEqual(sortedLines(answers.reference.text));
  });

  it.each([[{ path: '.' }], [{ path: '.', excludePatterns: ['deep'] }], [{ path: '.', excludePatterns: ['**/*.md'] }]])(
    'directory_tree %j answers the same tree',
    async (args) => {
      const answers = await both('directory_tree', args);
      expect(sortedTree(JSON.parse(answers.portico.text) as TreeEntry[])).toEqual(
        sortedTree(JSON.parse(answers.reference.text) as TreeEntry[]),
      );
    },
  );

  it('get_file_info answers the same fields and values', async () => {
    const answers = await both('get_file_info', { path: 'notes.md' });
    // Each server's copy has its own times; the field names, order, size, type and permissions must agree.
    const fields = (text: string) => text.split('\n').map((line) => line.split(': ')[0]);
    expect(fields(answers.portico.text)).toEqual(fields(answers.reference.text));
    const stable = (text: string) => text.split('\n').filter((line) => !/^(created|modified|accessed):/.test(line));
    expect(stable(answers.portico.text)).toEqual(stable(answers.reference.text));
  });

  it('list_allowed_directories answers the same text', async () => {
    const answers = await both('list_allowed_directories', {});
    expect(neutral(answers.portico.text)).toBe(neutral(answers.reference.text));
  });

  it('write_file, create_directory and move_file answer the same and leave the same files', async () => {
    for (const [tool, args] of [
      ['write_file', { path: 'written.txt', content: 'new content\n' }],
      ['create_directory', { path: 'made/nested' }],
      ['move_file', { source: 'written.txt', destination: 'made/nested/moved.txt' }],
    ] as const) {
      const answers = await both(tool, args);
      expect(answers.portico.isError, tool).toBeFalsy();
      expect(neutral(answers.portico.text), tool).toBe(neutral(answers.reference.text));
    }
    expect(await readFile(join(porticoRoot, 'made/nested/moved.txt'), 'utf8')).toBe(
      await readFile(join(referenceRoot, 'made/nested/moved.txt'), 'utf8'),
    );
  });

  it('move_file refuses an existing destination, like the reference', async () => {
    const answers = await both('move_file', { source: 'a.txt', destination: 'notes.md' });
    expect(answers.reference.isError).toBe(true);
    expect(answers.portico.isError).toBe(true);
  });

  it.each([true, false])('edit_file (dryRun %s) answers the same diff and leaves the same file', async (dryRun) => {
    const answers = await both('edit_file', {
      path: 'edit-me.ts',
      edits: [{ oldText: 'return 1;', newText: 'return 2;' }],
      dryRun,
    });
    expect(neutral(answers.portico.text)).toBe(neutral(answers.reference.text));
    expect(await readFile(join(porticoRoot, 'edit-me.ts'), 'utf8')).toBe(
      await readFile(join(referenceRoot, 'edit-me.ts'), 'utf8'),
    );
  });
});

// What needs a process: the stdio framing guard in front of the SDK transport, in both eras.
describe('a write larger than the stdio transport allows', () => {
  const content = 'x'.repeat(11 * 1024 * 1024);

  it.each(ERAS)('gets a clear error, and the Portico session survives (%s era)', async (era) => {
    const temp = await makeTempDir('portico-fs-big-');
    const server = await spawnPortico([temp.path], { era });
    try {
      await expect(
        server.client.callTool({ name: 'write_file', arguments: { path: 'big.txt', content } }),
      ).rejects.toThrow(/larger than the 10\.0 MiB a stdio message may be.*append_file/);
      expect((await call(server, 'list_allowed_directories', {})).text).toContain(temp.path);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  // The reference has no guard for a message larger than its stdio transport accepts: instead of an answer,
  // the connection closes and the host loses the whole session.
  it('ends the session of the reference server (reference behaviour: an oversized message closes the connection)', async () => {
    const temp = await makeTempDir('portico-fs-big-ref-');
    const server = await spawnReference([temp.path]);
    try {
      await expect(
        server.client.callTool({ name: 'write_file', arguments: { path: 'big.txt', content } }),
      ).rejects.toThrow(/Connection closed/);
      await expect(server.client.callTool({ name: 'list_allowed_directories', arguments: {} })).rejects.toThrow();
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});
