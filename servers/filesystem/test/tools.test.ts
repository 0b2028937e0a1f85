import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ERAS, makeTempDir } from '@portico-mcp/shared/testing';
import type { InProcessServer, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connectFilesystem } from './helpers.js';

// A 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe.each(ERAS)('Portico filesystem tools (%s era)', (era) => {
  let temp: TempDir;
  let root: string;
  let server: InProcessServer;

  beforeAll(async () => {
    temp = await makeTempDir('portico-fs-tools-');
    root = temp.path;
    await mkdir(join(root, 'src', 'lib'), { recursive: true });
    await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
    await writeFile(
      join(root, 'lines.txt'),
      Array.from({ length: 50 }, (_, index) => `line ${index + 1}`).join('\n') + '\n',
    );
    await writeFile(
      join(root, 'src', 'app.ts'),
      'import { helper } from "./lib/helper";\n\nexport function main() {\n  return helper(TODO);\n}\n',
    );
    await writeFile(
      join(root, 'src', 'lib', 'helper.ts'),
      'export function helper(x: number) {\n  // todo: validate\n  return x * 2;\n}\n',
    );
    await writeFile(join(root, 'src', 'notes.md'), 'TODO: write docs\n');
    await writeFile(join(root, 'node_modules', 'dep', 'index.ts'), 'export const TODO = 1;\n');
    await writeFile(join(root, '.gitignore'), 'node_modules/\n*.log\n');
    await writeFile(join(root, 'debug.log'), 'TODO in a log\n');
    await writeFile(join(root, 'image.png'), PNG);
    await writeFile(join(root, 'blob.bin'), Buffer.from([0x00, 0x01, 0x02, 0x54, 0x4f, 0x44, 0x4f, 0x00]));
    server = await connectFilesystem([root], { era });
  });

  afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
  });

  describe('read_text_file', () => {
    it('returns the last lines of a file that ends with a newline, without an empty last line', async () => {
      const result = await call(server, 'read_text_file', { path: 'lines.txt', tail: 2 });
      expect(result.text).toBe('line 49\nline 50');
    });

    it('returns a range of lines with offset and limit', async () => {
      const result = await call(server, 'read_text_file', { path: 'lines.txt', offset: 10, limit: 3 });
      expect(result.text).toBe('line 10\nline 11\nline 12');
      expect(result.structuredContent).toMatchObject({ firstLine: 10, lastLine: 12, truncated: false });
    });

    it('refuses an offset past the end, saying how many lines there are', async () => {
      const result = await call(server, 'read_text_file', { path: 'lines.txt', offset: 51 });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/has 50 lines/);
    });

    it('refuses head together with tail', async () => {
      expect((await call(server, 'read_text_file', { path: 'lines.txt', head: 1, tail: 1 })).isError).toBe(true);
    });

    it('refuses to dump a binary file as text', async () => {
      const result = await call(server, 'read_text_file', { path: 'image.png' });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/binary file \(PNG image/);
    });

    it('sends the content once: the structured part is a small summary, not the text again', async () => {
      const result = await call(server, 'read_text_file', { path: 'lines.txt' });
      expect(result.text).toContain('line 50');
      expect(JSON.stringify(result.structuredContent)).not.toContain('line 1');
    });

    it('answers a directory with a sentence that points to list_directory', async () => {
      const result = await call(server, 'read_text_file', { path: 'src' });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/is a directory.*list_directory/);
    });
  });

  it('read_media_file returns an image block with its MIME type, and structure without the data', async () => {
    const result = await server.client.callTool({ name: 'read_media_file', arguments: { path: 'image.png' } });
    const [block] = result.content as Array<{ type: string; data: string; mimeType: string }>;
    expect(block).toMatchObject({ type: 'image', mimeType: 'image/png', data: PNG.toString('base64') });
    expect(result.structuredContent).toEqual({
      path: join(root, 'image.png'),
      mimeType: 'image/png',
      size: PNG.length,
      truncated: false,
    });
  });

  describe('write_file', () => {
    it('keeps the mode of the file it replaces and leaves no temporary file behind', async () => {
      const file = join(root, `script-${era}.sh`);
      await writeFile(file, '#!/bin/sh\necho old\n');
      await chmod(file, 0o750);
      const result = await call(server, 'write_file', { path: file, content: '#!/bin/sh\necho new\n' });
      expect(result.isError).toBeFalsy();
      expect(await readFile(file, 'utf8')).toBe('#!/bin/sh\necho new\n');
      expect((await stat(file)).mode & 0o777).toBe(0o750);
      expect((await readdir(root)).filter((name) => name.includes('portico-tmp'))).toEqual([]);
    });

    it('writes through a link inside the root to its target, keeping the link', async () => {
      await writeFile(join(root, `target-${era}.txt`), 'old');
      await symlink(join(root, `target-${era}.txt`), join(root, `alias-${era}.txt`));
      await call(server, 'write_file', { path: `alias-${era}.txt`, content: 'new' });
      expect(await readFile(join(root, `target-${era}.txt`), 'utf8')).toBe('new');
      expect((await import('node:fs')).lstatSync(join(root, `alias-${era}.txt`)).isSymbolicLink()).toBe(true);
    });

    it('says when the parent directory does not exist', async () => {
      const result = await call(server, 'write_file', { path: 'missing/dir/file.txt', content: 'x' });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/parent directory.*create_directory/);
    });
  });

  describe('edit_file', () => {
    it('keeps CRLF line endings, the BOM and the mode', async () => {
      const file = join(root, `crlf-${era}.txt`);
      await writeFile(file, '\ufeffone\r\ntwo\r\nthree\r\n');
      await chmod(file, 0o600);
      const result = await call(server, 'edit_file', {
        path: file,
        edits: [{ oldText: 'two\n', newText: 'TWO\nand a half\n' }],
      });
      expect(result.isError).toBeFalsy();
      expect(await readFile(file, 'utf8')).toBe('\ufeffone\r\nTWO\r\nand a half\r\nthree\r\n');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('refuses an ambiguous oldText and leaves the file unchanged', async () => {
      const file = join(root, `dup-${era}.txt`);
      await writeFile(file, 'x = 1;\nx = 1;\n');
      const result = await call(server, 'edit_file', { path: file, edits: [{ oldText: 'x = 1;', newText: 'x = 2;' }] });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/matches 2 places.*replaceAll/);
      expect(await readFile(file, 'utf8')).toBe('x = 1;\nx = 1;\n');
      const all = await call(server, 'edit_file', {
        path: file,
        edits: [{ oldText: 'x = 1;', newText: 'x = 2;', replaceAll: true }],
      });
      expect(all.structuredContent).toMatchObject({ replacements: 2, changed: true });
      expect(await readFile(file, 'utf8')).toBe('x = 2;\nx = 2;\n');
    });

    it('writes nothing on a dry run, but returns the diff', async () => {
      const file = join(root, `dry-${era}.txt`);
      await writeFile(file, 'keep me\n');
      const result = await call(server, 'edit_file', {
        path: file,
        edits: [{ oldText: 'keep', newText: 'change' }],
        dryRun: true,
      });
      expect(result.text).toMatch(/-keep me\n\+change me/);
      expect(await readFile(file, 'utf8')).toBe('keep me\n');
    });

    it('applies all edits or none', async () => {
      const file = join(root, `atomic-edit-${era}.txt`);
      await writeFile(file, 'a\nb\n');
      const result = await call(server, 'edit_file', {
        path: file,
        edits: [
          { oldText: 'a', newText: 'A' },
          { oldText: 'zzz', newText: 'Z' },
        ],
      });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^Edit 2 of 2/);
      expect(await readFile(file, 'utf8')).toBe('a\nb\n');
    });
  });

  describe('copy_file, append_file, move_file', () => {
    it('copy_file refuses an existing destination unless overwrite is true, and keeps the mode', async () => {
      const from = join(root, `copy-src-${era}.sh`);
      await writeFile(from, 'run\n');
      await chmod(from, 0o755);
      const first = await call(server, 'copy_file', { source: from, destination: `copy-dst-${era}.sh` });
      expect(first.isError).toBeFalsy();
      expect((await stat(join(root, `copy-dst-${era}.sh`))).mode & 0o777).toBe(0o755);
      await writeFile(from, 'run again\n');
      const refused = await call(server, 'copy_file', { source: from, destination: `copy-dst-${era}.sh` });
      expect(refused.isError).toBe(true);
      expect(await readFile(join(root, `copy-dst-${era}.sh`), 'utf8')).toBe('run\n');
      await call(server, 'copy_file', { source: from, destination: `copy-dst-${era}.sh`, overwrite: true });
      expect(await readFile(join(root, `copy-dst-${era}.sh`), 'utf8')).toBe('run again\n');
    });

    it('append_file creates the file, then appends to it', async () => {
      const first = await call(server, 'append_file', { path: `log-${era}.txt`, content: 'one\n' });
      expect(first.structuredContent).toMatchObject({ created: true, size: 4 });
      await call(server, 'append_file', { path: `log-${era}.txt`, content: 'two\n' });
      expect(await readFile(join(root, `log-${era}.txt`), 'utf8')).toBe('one\ntwo\n');
    });

    it('move_file never replaces an existing file or an empty directory', async () => {
      await writeFile(join(root, `m-a-${era}.txt`), 'a');
      await writeFile(join(root, `m-b-${era}.txt`), 'b');
      await mkdir(join(root, `m-dir-src-${era}`));
      await mkdir(join(root, `m-dir-dst-${era}`));
      expect(
        (await call(server, 'move_file', { source: `m-a-${era}.txt`, destination: `m-b-${era}.txt` })).isError,
      ).toBe(true);
      expect(await readFile(join(root, `m-b-${era}.txt`), 'utf8')).toBe('b');
      expect(
        (await call(server, 'move_file', { source: `m-dir-src-${era}`, destination: `m-dir-dst-${era}` })).isError,
      ).toBe(true);
      expect((await stat(join(root, `m-dir-src-${era}`))).isDirectory()).toBe(true);
    });
  });

  describe('search_content', () => {
    it('reports matches as path:line: text, skipping binary and ignored files by default', async () => {
      const result = await call(server, 'search_content', { path: '.', pattern: 'TODO' });
      expect(result.text).toContain(`${join(root, 'src', 'app.ts')}:4:   return helper(TODO);`);
      expect(result.text).toContain(`${join(root, 'src', 'notes.md')}:1: TODO: write docs`);
      expect(result.text).not.toContain('node_modules');
      expect(result.text).not.toContain('debug.log');
      expect(result.text).not.toContain('blob.bin');
      expect(result.structuredContent).toMatchObject({ matches: 2, files: 2, skippedBinary: 2 });
    });

    it('searches ignored files when asked to, and folds case when asked to', async () => {
      const result = await call(server, 'search_content', {
        path: '.',
        pattern: 'todo',
        ignoreCase: true,
        respectGitignore: false,
        include: ['*.ts', '*.log'],
      });
      expect(result.structuredContent).toMatchObject({ matches: 4 });
      expect(result.text).toContain('helper.ts:2:');
      expect(result.text).toContain('debug.log:1:');
    });

    it('treats a literal pattern as text, and shows context lines', async () => {
      const result = await call(server, 'search_content', {
        path: 'src',
        pattern: 'x * 2',
        literal: true,
        contextLines: 1,
      });
      const file = join(root, 'src', 'lib', 'helper.ts');
      expect(result.text).toContain(`${file}-2-   // todo: validate\n${file}:3:   return x * 2;\n${file}-4- }`);
    });

    it('caps results and continues from an offset', async () => {
      const first = await call(server, 'search_content', {
        path: '.',
        pattern: 'line \\d+',
        include: ['lines.txt'],
        maxResults: 20,
      });
      expect(first.structuredContent).toMatchObject({ matches: 20, truncated: true, next: { offset: 20 } });
      expect(first.text).toMatch(/call search_content again with offset: 20/);
      const rest = await call(server, 'search_content', {
        path: '.',
        pattern: 'line \\d+',
        include: ['lines.txt'],
        maxResults: 100,
        offset: 20,
      });
      expect(rest.structuredContent).toMatchObject({ matches: 30, truncated: false });
      expect(rest.text).toContain('lines.txt:21: line 21');
    });

    it('explains an invalid regular expression', async () => {
      const result = await call(server, 'search_content', { path: '.', pattern: '(unclosed' });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/not a valid regular expression.*literal: true/);
    });
  });

  it('search_files leaves out what .gitignore ignores when asked to', async () => {
    const all = await call(server, 'search_files', { path: '.', pattern: '**/*.ts' });
    const respected = await call(server, 'search_files', { path: '.', pattern: '**/*.ts', respectGitignore: true });
    expect(all.text).toContain(join(root, 'node_modules', 'dep', 'index.ts'));
    expect(respected.text).not.toContain('node_modules');
    expect(respected.text).toContain(join(root, 'src', 'app.ts'));
  });

  it('directory_tree honours maxDepth and marks the directories it did not open', async () => {
    const result = await call(server, 'directory_tree', { path: '.', maxDepth: 1 });
    const tree = JSON.parse(
      result.content[0]!.type === 'text' ? (result.content[0] as { text: string }).text : '',
    ) as Array<{ name: string; truncated?: boolean; children?: unknown }>;
    const src = tree.find((entry) => entry.name === 'src');
    expect(src).toMatchObject({ type: 'directory', truncated: true });
    expect(src?.children).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ truncated: true });
  });
});

describe('read-only mode', () => {
  it('registers no tool that can change anything', async () => {
    const temp = await makeTempDir('portico-fs-ro-');
    const server = await connectFilesystem([temp.path, '--read-only']);
    try {
      const names = (await server.client.listTools()).tools.map((tool) => tool.name).sort();
      expect(names).toEqual([
        'directory_tree',
        'get_file_info',
        'list_allowed_directories',
        'list_directory',
        'list_directory_with_sizes',
        'read_file',
        'read_media_file',
        'read_multiple_files',
        'read_text_file',
        'search_content',
        'search_files',
      ]);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});

describe('MCP roots from the client', () => {
  it('narrow the command-line directories and never widen them', async () => {
    const temp = await makeTempDir('portico-fs-roots-');
    const allowed = join(temp.path, 'allowed');
    await mkdir(join(allowed, 'project'), { recursive: true });
    await mkdir(join(temp.path, 'elsewhere'));
    await writeFile(join(allowed, 'top.txt'), 'top');
    await writeFile(join(allowed, 'project', 'inner.txt'), 'inner');
    await writeFile(join(temp.path, 'elsewhere', 'x.txt'), 'x');
    const server = await connectFilesystem([allowed], { capabilities: { roots: { listChanged: true } } });
    try {
      server.client.setRequestHandler('roots/list', () => ({
        roots: [
          { uri: pathToFileURL(join(allowed, 'project')).href },
          { uri: pathToFileURL(join(temp.path, 'elsewhere')).href },
        ],
      }));
      expect((await call(server, 'list_allowed_directories', {})).text).toBe(
        `Allowed directories:\n${join(allowed, 'project')}`,
      );
      expect((await call(server, 'read_text_file', { path: join(allowed, 'project', 'inner.txt') })).text).toBe(
        'inner',
      );
      expect((await call(server, 'read_text_file', { path: join(allowed, 'top.txt') })).isError).toBe(true);
      expect((await call(server, 'read_text_file', { path: join(temp.path, 'elsewhere', 'x.txt') })).isError).toBe(
        true,
      );
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('are used alone when the server was started without directories', async () => {
    const temp = await makeTempDir('portico-fs-roots-only-');
    await writeFile(join(temp.path, 'f.txt'), 'from roots');
    const server = await connectFilesystem([], { capabilities: { roots: { listChanged: true } } });
    try {
      server.client.setRequestHandler('roots/list', () => ({ roots: [{ uri: pathToFileURL(temp.path).href }] }));
      expect((await call(server, 'read_text_file', { path: join(temp.path, 'f.txt') })).text).toBe('from roots');
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('without directories or roots, every call explains how to allow one', async () => {
    const server = await connectFilesystem([]);
    try {
      const result = await call(server, 'list_allowed_directories', {});
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/start the server with at least one directory/);
    } finally {
      await server.close();
    }
  });
});

describe('a FIFO inside an allowed directory', () => {
  it('is refused at once by the tools that read a file, instead of hanging until a writer comes', async () => {
    const temp = await makeTempDir('portico-fs-fifo-');
    execFileSync('mkfifo', [join(temp.path, 'pipe')]);
    const server = await connectFilesystem([temp.path]);
    try {
      // Without O_NONBLOCK the open waits for a writer that never comes, and the call never answers.
      const hung = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the call did not answer within 3 s')), 3000).unref(),
      );
      for (const [tool, args] of [
        ['read_text_file', { path: 'pipe' }],
        ['edit_file', { path: 'pipe', edits: [{ oldText: 'a', newText: 'b' }] }],
        ['copy_file', { source: 'pipe', destination: 'copy' }],
      ] as const) {
        const result = await Promise.race([call(server, tool, args), hung]);
        expect(result.isError, tool).toBe(true);
        expect(result.text, tool).toMatch(/not a regular file/);
      }
      const search = await Promise.race([call(server, 'search_content', { path: '.', pattern: 'x' }), hung]);
      expect(search.isError).toBeFalsy();
      expect(await readdir(temp.path)).toEqual(['pipe']);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});

describe('replies within a small budget (2,000 bytes)', () => {
  let temp: TempDir;
  let server: InProcessServer;
  const names = Array.from({ length: 200 }, (_, index) => `entry-${String(index).padStart(3, '0')}.txt`);

  beforeAll(async () => {
    temp = await makeTempDir('portico-fs-budget-');
    await mkdir(join(temp.path, 'many'));
    await Promise.all(names.map((name) => writeFile(join(temp.path, 'many', name), 'x')));
    await writeFile(
      join(temp.path, 'long.txt'),
      Array.from({ length: 400 }, (_, index) => `long line ${index + 1}`).join('\n'),
    );
    await writeFile(join(temp.path, 'short.txt'), 'short\n');
    await writeFile(join(temp.path, 'big.png'), Buffer.alloc(4000, 1));
    server = await connectFilesystem([temp.path, '--max-output-bytes', '2000']);
  });

  afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
  });

  it('list_directory cuts at an entry, keeps the entries out of structure, and next continues the listing', async () => {
    const seen: string[] = [];
    let next: Record<string, unknown> = {};
    for (let page = 0; page < 50; page++) {
      const result = await call(server, 'list_directory', { path: 'many', ...next });
      const structure = result.structuredContent as {
        total: number;
        shown: number;
        truncated: boolean;
        next?: { offset: number };
      };
      // What the kernel charges: the text and the structure.
      expect(Buffer.byteLength(result.text) + Buffer.byteLength(JSON.stringify(structure))).toBeLessThanOrEqual(2000);
      expect(JSON.stringify(structure)).not.toContain('entry-');
      expect(structure.total).toBe(200);
      const lines = result.text.split('\n').filter((line) => line.startsWith('[FILE] '));
      expect(lines).toHaveLength(structure.shown);
      seen.push(...lines.map((line) => line.slice('[FILE] '.length)));
      if (!structure.truncated) break;
      expect(result.text).toContain(`To get more, call list_directory again with offset: ${structure.next!.offset}.]`);
      next = structure.next!;
    }
    expect(seen.sort()).toEqual(names);
  });

  it('list_directory_with_sizes keeps the totals of the whole directory after the notice', async () => {
    const result = await call(server, 'list_directory_with_sizes', { path: 'many' });
    expect(result.structuredContent).toMatchObject({
      total: 200,
      totalFiles: 200,
      totalDirectories: 0,
      combinedSize: 200,
      truncated: true,
    });
    expect(result.text.split('\n').slice(-3)).toEqual(['', 'Total: 200 files, 0 directories', 'Combined size: 200 B']);
  });

  it('read_text_file says where to continue, in words and in next', async () => {
    const result = await call(server, 'read_text_file', { path: 'long.txt' });
    const structure = result.structuredContent as { truncated: boolean; next: { offset: number }; lastLine: number };
    expect(structure.truncated).toBe(true);
    expect(structure.next).toEqual({ offset: structure.lastLine + 1 });
    expect(result.text).toMatch(new RegExp(`call read_text_file again with offset: ${structure.next.offset}\\.\\]$`));
    const continued = await call(server, 'read_text_file', { path: 'long.txt', ...structure.next, limit: 1 });
    expect(continued.text).toBe(`long line ${structure.next.offset}`);
  });

  it('read_multiple_files shares the budget, and its one notice says how to read the rest of a cut file', async () => {
    const result = await call(server, 'read_multiple_files', { paths: ['long.txt', 'short.txt'] });
    const structure = result.structuredContent as {
      files: Array<{ path: string; ok: boolean; cut?: boolean; next?: { offset: number } }>;
      truncated: boolean;
    };
    expect(result.text).toContain('short.txt:\nshort\n');
    expect(structure.truncated).toBe(true);
    expect(structure.files[1]).toEqual({ path: 'short.txt', ok: true });
    expect(structure.files[0]).toMatchObject({ path: 'long.txt', ok: true, cut: true });
    const offset = structure.files[0]!.next!.offset;
    expect(result.text).toContain(`read the rest of "long.txt" from offset ${offset} with read_text_file`);
    expect((await call(server, 'read_text_file', { path: 'long.txt', offset, limit: 1 })).text).toBe(
      `long line ${offset}`,
    );
  });

  it('directory_tree sends its notice apart, so the tree stays valid JSON', async () => {
    const result = await call(server, 'directory_tree', { path: '.' });
    const blocks = result.content as Array<{ type: 'text'; text: string }>;
    expect(Array.isArray(JSON.parse(blocks[0]!.text))).toBe(true);
    expect(blocks[1]!.text).toMatch(/^\[Truncated: showing \d+ entries, breadth-first.*\(the reply budget\)/);
    expect(result.structuredContent).toMatchObject({ truncated: true });
  });

  it('edit_file cuts a long diff on a line and says the edit was applied in full', async () => {
    await writeFile(
      join(temp.path, 'edit.txt'),
      Array.from({ length: 100 }, (_, index) => `value ${index}`).join('\n'),
    );
    const result = await call(server, 'edit_file', {
      path: 'edit.txt',
      edits: [{ oldText: 'value', newText: 'VALUE', replaceAll: true }],
    });
    expect(result.structuredContent).toMatchObject({ replacements: 100, changed: true, truncated: true });
    expect(result.text).toMatch(
      /\[Truncated: showing the first \d+ of \d+ diff lines \(the reply budget\)\. To get more, read the changed lines with read_text_file \(the edit was applied in full\)\.\]$/,
    );
    expect(await readFile(join(temp.path, 'edit.txt'), 'utf8')).toContain('VALUE 99');
  });

  it('read_media_file sends an image larger than the text budget whole: media have their own allowance', async () => {
    const result = await call(server, 'read_media_file', { path: 'big.png' });
    expect(result.isError).toBeFalsy();
    const image = (result.content as Array<{ type: string; data?: string }>).find((block) => block.type === 'image');
    expect(Buffer.from(image!.data!, 'base64')).toEqual(Buffer.alloc(4000, 1));
  });
});

describe('--max-media-bytes', () => {
  it('takes a size with a unit, and refuses a file over it', async () => {
    const temp = await makeTempDir('portico-fs-media-');
    await writeFile(join(temp.path, 'two-kb.png'), Buffer.alloc(2048, 1));
    const server = await connectFilesystem([temp.path, '--max-media-bytes', '1KiB']);
    try {
      const result = await call(server, 'read_media_file', { path: 'two-kb.png' });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/is 2\.0 KB, over the 1\.0 KB media limit/);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('refuses a value that is not a size', async () => {
    await expect(connectFilesystem(['/tmp', '--max-media-bytes', 'lots'])).rejects.toThrow(
      /--max-media-bytes must be a size in bytes/,
    );
  });
});
