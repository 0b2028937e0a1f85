import { open, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { InProcessServer, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connectFilesystem } from './helpers.js';

// Sized to keep the suite fast; the 500 MB file and the 50,000-file tree are the benchmark's.
const BUDGET = 100_000;
const SLACK = 1024;
const LINES = 1_000_000;
const TREE_DIRECTORIES = 150;
const FILES_PER_DIRECTORY = 20;

let temp: TempDir;
let server: InProcessServer;
let bigFile: string;
let oneLine: string;
let tree: string;

beforeAll(async () => {
  temp = await makeTempDir('portico-fs-large-');
  bigFile = join(temp.path, 'big.log');
  const handle = await open(bigFile, 'w');
  for (let start = 1; start <= LINES; start += 50_000) {
    const lines: string[] = [];
    for (let line = start; line < start + 50_000; line++) lines.push(`log line ${line} ${'-'.repeat(10)}`);
    await handle.write(`${lines.join('\n')}\n`);
  }
  await handle.close();
  oneLine = join(temp.path, 'one-line.json');
  await writeFile(oneLine, `[${'"value",'.repeat(500_000)}"end"]`);
  tree = join(temp.path, 'tree');
  for (let directory = 0; directory < TREE_DIRECTORIES; directory++) {
    const path = join(tree, `group-${directory % 10}`, `dir-${directory}`);
    await mkdir(path, { recursive: true });
    await Promise.all(
      Array.from({ length: FILES_PER_DIRECTORY }, (_, file) =>
        writeFile(join(path, `file-${file}.txt`), `directory ${directory} file ${file}\nneedle ${directory}-${file}\n`),
      ),
    );
  }
  server = await connectFilesystem([temp.path], { era: 'modern' });
});

afterAll(async () => {
  await server?.close();
  await temp?.cleanup();
});

describe('a large file (about 27 MB, a million lines)', () => {
  it('head: 1 and tail: 1 return exactly the first and last lines', async () => {
    expect((await call(server, 'read_text_file', { path: bigFile, head: 1 })).text).toBe('log line 1 ----------');
    expect((await call(server, 'read_text_file', { path: bigFile, tail: 1 })).text).toBe(
      `log line ${LINES} ----------`,
    );
  });

  it('a whole-file read stays in the budget and says which offset continues it', async () => {
    const result = await call(server, 'read_text_file', { path: bigFile });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(BUDGET + SLACK);
    const next = (result.structuredContent as { next: { offset: number } }).next.offset;
    expect(result.text).toContain(`call read_text_file again with offset: ${next}.]`);
    const lines = result.text.split('\n');
    expect(lines[next - 2]).toBe(`log line ${next - 1} ----------`);
    const continued = await call(server, 'read_text_file', { path: bigFile, offset: next, limit: 2 });
    expect(continued.text).toBe(`log line ${next} ----------\nlog line ${next + 1} ----------`);
  });

  it('a range deep in the file is found by line number', async () => {
    expect((await call(server, 'read_text_file', { path: bigFile, offset: 765_432, limit: 1 })).text).toBe(
      'log line 765432 ----------',
    );
  });

  it('a tail larger than the budget keeps the last lines and names the earlier range', async () => {
    const result = await call(server, 'read_text_file', { path: bigFile, tail: 100_000 });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(BUDGET + SLACK);
    const summary = result.structuredContent as {
      firstLine: number;
      lastLine: number;
      next: { offset: number; limit: number };
    };
    expect(summary.lastLine).toBe(LINES);
    expect(result.text.split('\n')[0]).toBe(`log line ${summary.firstLine} ----------`);
    expect(summary.next.offset + summary.next.limit).toBe(summary.firstLine);
    expect(result.text).toMatch(
      new RegExp(`call read_text_file again with offset: ${summary.next.offset}, limit: ${summary.next.limit}\\.\\]$`),
    );
  });

  it('read_multiple_files shares the budget between a large and a small file', async () => {
    const result = await call(server, 'read_multiple_files', {
      paths: [bigFile, join(tree, 'group-0', 'dir-0', 'file-0.txt')],
    });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(BUDGET + SLACK);
    expect(result.text).toContain('needle 0-0');
  });
});

describe('a 4.5 MB file on one line', () => {
  it('head: 1 answers within the budget with a notice instead of the whole line', async () => {
    const result = await call(server, 'read_text_file', { path: oneLine, head: 1 });
    expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(BUDGET + SLACK);
    expect(result.text.startsWith('["value","value",')).toBe(true);
    expect(result.text).toMatch(/line 1, which alone is longer than the reply budget/);
  });
});

describe(`a tree of ${TREE_DIRECTORIES * FILES_PER_DIRECTORY} files in ${TREE_DIRECTORIES} directories`, () => {
  it('search_files pages through every match with offset', async () => {
    const seen = new Set<string>();
    let offset = 0;
    for (let page = 0; page < 10; page++) {
      const result = await call(server, 'search_files', { path: tree, pattern: '**/*.txt', offset });
      const summary = result.structuredContent as { matches: number; truncated: boolean; next?: { offset: number } };
      for (const line of result.text.split('\n')) if (line.endsWith('.txt')) seen.add(line);
      if (!summary.truncated) break;
      offset = summary.next!.offset;
    }
    expect(seen.size).toBe(TREE_DIRECTORIES * FILES_PER_DIRECTORY);
  });

  it('search_files prunes an excluded directory', async () => {
    const result = await call(server, 'search_files', {
      path: tree,
      pattern: '**/file-1.txt',
      excludePatterns: ['group-1', 'group-2'],
    });
    expect(result.text.split('\n')).toHaveLength(TREE_DIRECTORIES - 30);
    expect(result.text).not.toContain('group-1/');
  });

  it('directory_tree caps the entries, stays valid JSON within the budget, and marks what it left out', async () => {
    const result = await call(server, 'directory_tree', { path: tree });
    const json = (result.content[0] as { text: string }).text;
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(BUDGET);
    const parsed = JSON.parse(json) as Array<{ name: string; children?: unknown[] }>;
    expect(parsed.map((entry) => entry.name)).toEqual(Array.from({ length: 10 }, (_, index) => `group-${index}`));
    expect(json).toContain('"truncated": true');
    expect(result.structuredContent).toMatchObject({ truncated: true });
    expect((result.content[1] as { text: string }).text).toMatch(/^\[Truncated: showing \d+ entries, breadth-first/);
  });

  it('search_content finds one needle among all files and reports progress on the way', async () => {
    const progress: number[] = [];
    const result = await server.client.callTool(
      { name: 'search_content', arguments: { path: tree, pattern: 'needle 149-19$' } },
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(result.structuredContent).toMatchObject({
      matches: 1,
      filesSearched: TREE_DIRECTORIES * FILES_PER_DIRECTORY,
    });
    expect(progress.length).toBeGreaterThan(0);
  });

  it('search_content stops at maxResults', async () => {
    const result = await call(server, 'search_content', { path: tree, pattern: 'needle', maxResults: 7 });
    expect(result.structuredContent).toMatchObject({ matches: 7, truncated: true, next: { offset: 7 } });
  });

  it('a file written by write_file reads back the same', async () => {
    const content = Array.from({ length: 10_000 }, (_, index) => `row ${index}`).join('\n');
    await call(server, 'write_file', { path: join(temp.path, 'written.txt'), content });
    expect(await readFile(join(temp.path, 'written.txt'), 'utf8')).toBe(content);
  });
});

describe('continuing a cut read', () => {
  it('reassembles the whole file from pages at a small budget', async () => {
    const small = await connectFilesystem([temp.path, '--max-output-bytes', '2000']);
    try {
      const file = join(temp.path, 'pages.txt');
      const expected = Array.from({ length: 500 }, (_, index) => `page line ${index + 1}`);
      await writeFile(file, `${expected.join('\n')}\n`);
      const collected: string[] = [];
      let offset: number | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await call(small, 'read_text_file', { path: file, ...(offset ? { offset } : {}) });
        const summary = result.structuredContent as { truncated: boolean; next?: { offset: number } };
        expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(2000);
        collected.push(
          ...(summary.truncated ? result.text.slice(0, result.text.lastIndexOf('\n[Truncated')) : result.text).split(
            '\n',
          ),
        );
        if (!summary.truncated) break;
        offset = summary.next?.offset;
      }
      expect(collected.filter((line) => line !== '')).toEqual(expected);
    } finally {
      await small.close();
    }
  });
});
