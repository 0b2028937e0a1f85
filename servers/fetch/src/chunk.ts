import { utf8Length } from '@portico-mcp/shared/output';

/** One continuation chunk of a document: `text` is exactly `document.slice(start, end)`. */
export interface DocumentChunk {
  text: string;
  start: number;
  end: number;
  total: number;
  /** Where the next call starts, when the document goes on. */
  next?: number;
  /** What ended a chunk the document goes on after: `maxChars`, or the byte room. */
  cutBy?: 'length' | 'bytes';
}

// A cut prefers the end of a paragraph, then of a line, then a space, when one lies in the last part of the window;
// otherwise the window is cut exactly at its length (never inside a surrogate pair).
const PARAGRAPH_WINDOW = 0.3;
const LINE_WINDOW = 0.1;

/**
 * Cuts the chunk that starts at `start`: at most `maxChars` characters and `maxBytes` UTF-8 bytes, ending at
 * a paragraph boundary where one is near. Consecutive chunks concatenate to exactly the document.
 */
export function sliceDocument(document: string, start: number, maxChars: number, maxBytes: number): DocumentChunk {
  const total = document.length;
  const byLength = Math.min(total, start + maxChars);
  let end = byLength;
  let byBytes = false;
  if (end < total || utf8Length(document.slice(start, end)) > maxBytes) {
    end = start + fitBytes(document, start, end, maxBytes);
    byBytes = end < byLength;
    if (end < total) end = start + preferredCut(document.slice(start, end));
  }
  if (end <= start && start < total) end = start + Math.min(total - start, codeUnitsAt(document, start));
  const text = document.slice(start, end);
  return { text, start, end, total, ...(end < total ? { next: end, cutBy: byBytes ? 'bytes' : 'length' } : {}) };
}

// The longest prefix of document[start, end) that fits in maxBytes, in code units (pairs kept whole).
function fitBytes(document: string, start: number, end: number, maxBytes: number): number {
  let bytes = 0;
  let index = start;
  while (index < end) {
    const code = document.charCodeAt(index);
    const pair = code >= 0xd800 && code <= 0xdbff && index + 1 < end;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    index += pair ? 2 : 1;
  }
  return index - start;
}

function preferredCut(window: string): number {
  const length = window.length;
  const paragraph = window.lastIndexOf('\n\n');
  if (paragraph >= 0 && paragraph + 2 >= length * (1 - PARAGRAPH_WINDOW)) return paragraph + 2;
  const line = window.lastIndexOf('\n');
  if (line >= 0 && line + 1 >= length * (1 - LINE_WINDOW)) return line + 1;
  const space = window.lastIndexOf(' ');
  if (space >= 0 && space + 1 >= length * (1 - LINE_WINDOW)) return space + 1;
  // Never end between the halves of a surrogate pair.
  const last = window.charCodeAt(length - 1);
  return last >= 0xd800 && last <= 0xdbff && length > 1 ? length - 1 : length;
}

function codeUnitsAt(document: string, index: number): number {
  const code = document.charCodeAt(index);
  return code >= 0xd800 && code <= 0xdbff ? 2 : 1;
}
