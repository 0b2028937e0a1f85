import { describe, expect, it } from 'vitest';
import { sliceDocument } from '../src/chunk.js';

function readAll(document: string, maxChars: number, maxBytes = Number.MAX_SAFE_INTEGER): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (;;) {
    const chunk = sliceDocument(document, start, maxChars, maxBytes);
    chunks.push(chunk.text);
    if (chunk.next === undefined) return chunks;
    expect(chunk.next).toBeGreaterThan(start);
    start = chunk.next;
  }
}

const paragraphs = Array.from({ length: 200 }, (_, i) => `Paragraph ${i} ${'word '.repeat(i % 37)}end.`).join('\n\n');

describe('sliceDocument', () => {
  it.each([
    ['paragraphs of plain text', paragraphs, 500],
    ['one long line without breaks', 'x'.repeat(12_345), 1000],
    ['text full of astral characters (surrogate pairs)', '😀a𝄞b'.repeat(3000), 777],
    ['multi-byte text with line breaks', 'Grüße, 東京!\n'.repeat(2000), 333],
  ])('returns chunks that concatenate to exactly the whole document: %s', (_name, document, maxChars) => {
    const chunks = readAll(document, maxChars);
    expect(chunks.join('')).toBe(document);
    expect(chunks.every((chunk) => chunk.length <= maxChars)).toBe(true);
  });

  it('never splits a surrogate pair at a cut', () => {
    const document = '😀'.repeat(5000);
    for (const chunk of readAll(document, 1001)) {
      expect(chunk.length % 2).toBe(0);
    }
  });

  it('ends a cut chunk at a paragraph boundary when one lies in the last part of the window', () => {
    const chunk = sliceDocument(paragraphs, 0, 500, Number.MAX_SAFE_INTEGER);
    expect(chunk.text.endsWith('\n\n')).toBe(true);
    expect(chunk.text.length).toBeGreaterThan(350);
    expect(chunk.next).toBe(chunk.end);
  });

  it('cuts at max_length exactly when no boundary is near', () => {
    const chunk = sliceDocument('y'.repeat(10_000), 100, 2500, Number.MAX_SAFE_INTEGER);
    expect(chunk).toMatchObject({ start: 100, end: 2600, next: 2600, total: 10_000 });
  });

  it('keeps a chunk within the byte budget even when max_length would allow more', () => {
    const document = '東'.repeat(10_000);
    const chunk = sliceDocument(document, 0, 9_000, 3_000);
    expect(Buffer.byteLength(chunk.text, 'utf8')).toBeLessThanOrEqual(3_000);
    expect(chunk.next).toBe(chunk.text.length);
  });

  it('reports no next index for the last chunk', () => {
    const chunk = sliceDocument('short document', 6, 5000, 100_000);
    expect(chunk).toEqual({ text: 'document', start: 6, end: 14, total: 14 });
  });
});
