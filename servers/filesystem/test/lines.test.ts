import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countLinesBefore, readLinesBackward, readLinesForward } from '../src/lib/lines.js';

let temp: TempDir;
beforeAll(async () => {
  temp = await makeTempDir('portico-fs-lines-');
});
afterAll(async () => {
  await temp.cleanup();
});

async function withFile<T>(
  content: string | Buffer,
  read: (handle: Awaited<ReturnType<typeof open>>, size: number) => Promise<T>,
): Promise<T> {
  const file = join(temp.path, `f-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, content);
  const handle = await open(file, 'r');
  try {
    return await read(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

const forward = (content: string, startLine: number, maxLines: number, maxBytes = 1_000_000) =>
  withFile(content, (handle) => readLinesForward(handle, { startLine, maxLines, maxBytes }));
const backward = (content: string | Buffer, maxLines: number, maxBytes = 1_000_000) =>
  withFile(content, (handle, size) => readLinesBackward(handle, size, { maxLines, maxBytes }));

describe('readLinesForward', () => {
  it.each([
    ['a\nb\nc\n', 1, 2, 'a\nb'],
    ['a\nb\nc', 1, 5, 'a\nb\nc'],
    ['a\nb\nc\n', 2, 1, 'b'],
    ['a\n\nc\n', 2, 2, '\nc'],
    ['only', 1, 1, 'only'],
  ])('reads %j from line %i, %i lines', async (content, start, count, expected) => {
    expect((await forward(content, start, count)).bytes.toString()).toBe(expected);
  });

  it('counts the lines of a file it read to the end', async () => {
    const window = await forward('a\nb\nc\n', 1, Number.POSITIVE_INFINITY);
    expect(window.totalLines).toBe(3);
    expect(window.reachedEnd).toBe(true);
  });

  it('counts lines when the offset is past the end', async () => {
    const window = await forward('a\nb\nc', 9, 1);
    expect(window.firstLine).toBe(0);
    expect(window.totalLines).toBe(3);
  });

  it('stops on a whole line when the byte limit is reached, so offset can resume there', async () => {
    const window = await forward('aaaa\nbbbb\ncccc\n', 1, 10, 12);
    expect(window.bytes.toString()).toBe('aaaa\nbbbb');
    expect(window.completeLines).toBe(2);
    expect(window.cutByLimit).toBe(true);
  });

  it('cuts a single line longer than the limit without splitting a character', async () => {
    const window = await forward('é'.repeat(1000), 1, 1, 101);
    expect(window.partialLine).toBe(true);
    expect(window.bytes.toString()).toBe('é'.repeat(50));
  });

  it('reads the first line of a large single-line file without reading it all', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const window = await forward(big, 1, 1, 1000);
    expect(window.bytes.length).toBe(1000);
    expect(window.partialLine).toBe(true);
  });

  it('reads lines that span read chunks', async () => {
    const long = `${'y'.repeat(300_000)}\n${'z'.repeat(300_000)}\nend\n`;
    const window = await forward(long, 2, 2);
    expect(window.bytes.toString()).toBe(`${'z'.repeat(300_000)}\nend`);
  });
});

describe('readLinesBackward', () => {
  it.each([
    ['a\nb\nc\n', 2, 'b\nc'],
    ['a\nb\nc', 2, 'b\nc'],
    ['a\nb\nc\n', 10, 'a\nb\nc'],
    ['a\nb\n\n', 1, ''],
    ['a\nb\n\n', 2, 'b\n'],
    ['', 3, ''],
  ])('reads the end of %j, %i lines', async (content, count, expected) => {
    expect((await backward(content, count)).bytes.toString()).toBe(expected);
  });

  it('finds lines far back across many chunks', async () => {
    const lines = Array.from({ length: 200_000 }, (_, index) => `line ${index + 1}`);
    const window = await backward(`${lines.join('\n')}\n`, 3);
    expect(window.bytes.toString()).toBe('line 199998\nline 199999\nline 200000');
  });

  it('keeps the whole lines nearest the end when the limit is reached', async () => {
    const window = await backward('aaaa\nbbbb\ncccc\n', 3, 10);
    expect(window.bytes.toString()).toBe('bbbb\ncccc');
    expect(window.cutByLimit).toBe(true);
    expect(window.completeLines).toBe(2);
  });

  it('numbers the first line shown by counting from the start', async () => {
    await withFile('a\nb\nc\nd\n', async (handle, size) => {
      const window = await readLinesBackward(handle, size, { maxLines: 10, maxBytes: 2 });
      expect(window.bytes.toString()).toBe('d');
      expect(await countLinesBefore(handle, window.startByte)).toBe(3);
    });
  });
});

describe('scans that start from bytes the caller already read', () => {
  const contents = [
    '',
    'a',
    'a\nb\nc\n',
    'a\n\n\n',
    `${'y'.repeat(20_000)}\n${'z'.repeat(30_000)}\nend\n`,
    Array.from({ length: 20_000 }, (_, index) => `line ${index + 1}`).join('\n'),
  ];
  const selections = [
    { startLine: 1, maxLines: 3, maxBytes: 1_000_000 },
    { startLine: 2, maxLines: 2, maxBytes: 1_000_000 },
    { startLine: 1, maxLines: Number.POSITIVE_INFINITY, maxBytes: 1_000 },
    { startLine: 19_999, maxLines: 5, maxBytes: 1_000_000 },
    { startLine: 50_000, maxLines: 1, maxBytes: 1_000_000 },
  ];

  it.each(contents.map((content) => [content.slice(0, 12), content]))(
    'reads %j forward the same from a prefetched start',
    async (_label, content) => {
      for (const selection of selections) {
        for (const prefetch of [0, 5, 8192, 100_000]) {
          await withFile(content, async (handle, size) => {
            const plain = await readLinesForward(handle, selection);
            const bytes = Buffer.alloc(Math.min(prefetch, size));
            await handle.read(bytes, 0, bytes.length, 0);
            const first = { bytes, atEnd: bytes.length < prefetch };
            expect(await readLinesForward(handle, { ...selection, first })).toEqual(plain);
          });
        }
      }
    },
  );

  it.each(contents.map((content) => [content.slice(0, 12), content]))(
    'reads the end of %j the same from a prefetched last chunk',
    async (_label, content) => {
      for (const [maxLines, maxBytes] of [
        [1, 1_000_000],
        [3, 1_000_000],
        [10, 25],
        [100_000, 1_000],
      ] as const) {
        for (const prefetch of [1, 16 * 1024, 100_000]) {
          await withFile(content, async (handle, size) => {
            const plain = await readLinesBackward(handle, size, { maxLines, maxBytes });
            const last = Buffer.alloc(Math.min(prefetch, size));
            await handle.read(last, 0, last.length, size - last.length);
            expect(await readLinesBackward(handle, size, { maxLines, maxBytes, last })).toEqual(plain);
          });
        }
      }
    },
  );
});
