import type { FileHandle } from 'node:fs/promises';
import { CancelledError } from '@portico-mcp/shared/errors';
import { readAt, readRange } from './files.js';

/** Read sizes for line scans: the first read is small (head: 10 needs a few KB), later ones grow to amortise system calls. */
export const FIRST_CHUNK_BYTES = 16 * 1024;
export const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** A run of whole lines read from a file (the last one possibly cut by the byte limit). */
export interface LineWindow {
  /** The lines' bytes, separated by "\n"; no newline after the last line. */
  bytes: Buffer;
  /** 1-based number of the first line shown; 0 when nothing was shown. */
  firstLine: number;
  /** Number of lines shown completely. */
  completeLines: number;
  /** A line after the complete ones was shown in part (it alone did not fit the byte limit). */
  partialLine: boolean;
  /** The byte limit stopped the read before the requested lines were all shown. */
  cutByLimit: boolean;
  /** The end of the file was reached: nothing follows what was shown. */
  reachedEnd: boolean;
  /** Lines in the file, when the whole file was scanned. */
  totalLines?: number;
}

/**
 * Reads up to `maxLines` lines starting at 1-based line `startLine`, keeping at most `maxBytes` bytes, in one
 * forward pass that stops as soon as it has what it needs: reading the first line of a 500 MB file reads
 * one chunk, and a single huge line is cut at the byte limit instead of being loaded.
 */
export async function readLinesForward(
  handle: FileHandle,
  options: {
    startLine: number;
    maxLines: number;
    maxBytes: number;
    signal?: AbortSignal;
    /**
     * The file's first bytes, already read by the caller (the binary sniff needs them anyway), and whether
     * that read reached the end of the file; the scan starts with them instead of reading them again.
     */
    first?: { bytes: Buffer; atEnd: boolean };
  },
): Promise<LineWindow> {
  const { startLine, maxLines, maxBytes, signal } = options;
  const first =
    options.first !== undefined && (options.first.bytes.length > 0 || options.first.atEnd) ? options.first : undefined;
  const out: Buffer[] = [];
  let outBytes = 0;
  let line = 1;
  let complete = 0;
  let atLineStart = true;
  let lineHasBytes = false;
  let cutByLimit = false;
  let position = 0;
  let reachedEnd = false;
  // Where the current line starts in `out` (before its separator), to drop it whole when it does not fit.
  let lineStartParts = 0;
  let lineStartBytes = 0;
  // Bytes after the last newline while skipping: an unterminated last line still counts as a line.
  let skippedTail = false;
  // The caller's buffer is scanned as the first chunk and never written to.
  let chunk = first?.bytes ?? Buffer.allocUnsafe(FIRST_CHUNK_BYTES);
  let prefetched = first !== undefined;
  let atEnd = false;

  scan: for (;;) {
    if (signal?.aborted) throw new CancelledError();
    let bytesRead = 0;
    if (prefetched) {
      prefetched = false;
      bytesRead = chunk.length;
      atEnd = first!.atEnd;
    } else if (!atEnd) {
      // Grow once the first read was not enough; `out` holds copies, so the old chunk can go.
      if (position > 0 && (chunk === first?.bytes || chunk.length < CHUNK_BYTES)) {
        chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, chunk.length) * 4));
      }
      bytesRead = await readAt(handle, chunk, chunk.length, position);
    }
    if (bytesRead === 0) {
      reachedEnd = true;
      break;
    }
    position += bytesRead;
    let index = 0;
    while (index < bytesRead) {
      if (line < startLine) {
        const newline = chunk.indexOf(NEWLINE, index);
        if (newline === -1 || newline >= bytesRead) {
          skippedTail = true;
          break;
        }
        skippedTail = false;
        line++;
        index = newline + 1;
        continue;
      }
      if (complete >= maxLines) break scan;
      if (atLineStart) {
        lineStartParts = out.length;
        lineStartBytes = outBytes;
      }
      if (atLineStart && complete > 0) {
        if (outBytes + 1 > maxBytes) {
          cutByLimit = true;
          break scan;
        }
        out.push(Buffer.from('\n'));
        outBytes += 1;
      }
      atLineStart = false;
      const found = chunk.indexOf(NEWLINE, index);
      const newline = found !== -1 && found < bytesRead ? found : -1;
      const end = newline === -1 ? bytesRead : newline;
      const room = maxBytes - outBytes;
      if (end - index > room) {
        if (complete === 0) {
          // The first line alone is over the limit: show its start rather than nothing.
          let cut = index + room;
          // Step back over UTF-8 continuation bytes so that no character is split.
          while (cut > index && (chunk[cut]! & 0xc0) === 0x80) cut--;
          out.push(Buffer.from(chunk.subarray(index, cut)));
          outBytes += cut - index;
          lineHasBytes = true;
        } else {
          // Drop the separator and the partial line: the reply ends on a whole line, so offset can resume there.
          out.length = lineStartParts;
          outBytes = lineStartBytes;
        }
        cutByLimit = true;
        break scan;
      }
      if (end > index) {
        out.push(Buffer.from(chunk.subarray(index, end)));
        outBytes += end - index;
        lineHasBytes = true;
      }
      if (newline === -1) break;
      complete++;
      line++;
      atLineStart = true;
      lineHasBytes = false;
      index = newline + 1;
    }
  }
  // A last line without a final newline is still a line.
  if (reachedEnd && lineHasBytes && !cutByLimit) {
    complete++;
    lineHasBytes = false;
  }
  const bytes = Buffer.concat(out, outBytes);
  const partialLine = cutByLimit && complete === 0 && lineHasBytes;
  const shownAny = complete > 0 || partialLine;
  return {
    bytes,
    firstLine: shownAny ? startLine : 0,
    completeLines: complete,
    partialLine,
    cutByLimit,
    reachedEnd: reachedEnd && !cutByLimit,
    ...(reachedEnd && !cutByLimit
      ? { totalLines: shownAny ? startLine - 1 + complete : line - 1 + (skippedTail ? 1 : 0) }
      : {}),
  };
}

/** The last lines of a file, found by reading backwards from its end. */
export interface TailWindow {
  bytes: Buffer;
  /** Lines shown completely (the first one shown may be partial when it alone exceeds the limit). */
  completeLines: number;
  /** Only the end of the first line shown fitted the byte limit. */
  partialLine: boolean;
  /** The byte limit stopped the read before `maxLines` lines were shown. */
  cutByLimit: boolean;
  /** Byte offset in the file where the shown text starts. */
  startByte: number;
}

/**
 * Reads the last `maxLines` lines, backwards from the end in chunks, so the cost depends on what is shown and
 * not on the file size. A final newline ends the last line; it does not start an empty one.
 */
export async function readLinesBackward(
  handle: FileHandle,
  size: number,
  options: {
    maxLines: number;
    maxBytes: number;
    signal?: AbortSignal;
    /** The file's last bytes, already read by the caller: the first chunk of the scan. */
    last?: Buffer;
  },
): Promise<TailWindow> {
  const { maxLines, maxBytes, signal } = options;
  if (size === 0 || maxLines <= 0)
    return { bytes: Buffer.alloc(0), completeLines: 0, partialLine: false, cutByLimit: false, startByte: size };

  const chunks: Buffer[] = [];
  let position = size;
  let end = size;
  let newlines = 0;
  let start = -1;
  // Scan back for the newline that precedes the first wanted line, but never hold more than the limit.
  let chunkBytes = FIRST_CHUNK_BYTES;
  let prefetched =
    options.last !== undefined && options.last.length > 0 && options.last.length <= size ? options.last : undefined;
  while (position > 0 && start === -1) {
    if (signal?.aborted) throw new CancelledError();
    let data: Buffer;
    if (prefetched !== undefined) {
      data = prefetched;
      prefetched = undefined;
      position -= data.length;
    } else {
      const length = Math.min(chunkBytes, position);
      position -= length;
      data = await readRange(handle, length, position);
    }
    chunkBytes = Math.min(CHUNK_BYTES, Math.max(chunkBytes, data.length) * 4);
    if (end === size && position + data.length === size && data[data.length - 1] === NEWLINE) {
      // A final newline ends the last line; it does not start an empty one.
      end = size - 1;
      data = data.subarray(0, data.length - 1);
    }
    chunks.unshift(data);
    for (
      let index = data.lastIndexOf(NEWLINE);
      index !== -1;
      index = index > 0 ? data.lastIndexOf(NEWLINE, index - 1) : -1
    ) {
      newlines++;
      if (newlines === maxLines) {
        start = position + index + 1;
        break;
      }
    }
    if (end - position > maxBytes + 1 && start === -1) break;
  }
  if (start === -1 && position === 0) start = 0;
  const held = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const heldStart = position;
  const wantedStart = start === -1 ? heldStart : start;
  if (end - wantedStart <= maxBytes) {
    return {
      bytes: held.subarray(wantedStart - heldStart, end - heldStart),
      completeLines: Math.min(
        maxLines,
        countNewlines(held.subarray(wantedStart - heldStart, end - heldStart)) + (end > wantedStart ? 1 : 0),
      ),
      partialLine: false,
      cutByLimit: false,
      startByte: wantedStart,
    };
  }
  // Over the limit: keep the whole lines that fit, nearest the end.
  const windowStart = end - maxBytes;
  const window = held.subarray(windowStart - heldStart, end - heldStart);
  const firstNewline = window.indexOf(NEWLINE);
  if (firstNewline === -1) {
    // The last line alone is larger than the limit: show its end, starting on a character boundary.
    let cut = 0;
    while (cut < window.length && (window[cut]! & 0xc0) === 0x80) cut++;
    return {
      bytes: window.subarray(cut),
      completeLines: 0,
      partialLine: true,
      cutByLimit: true,
      startByte: windowStart + cut,
    };
  }
  const kept = window.subarray(firstNewline + 1);
  return {
    bytes: kept,
    completeLines: countNewlines(kept) + 1,
    partialLine: false,
    cutByLimit: true,
    startByte: windowStart + firstNewline + 1,
  };
}

/** Counts "\n" bytes. */
export function countNewlines(buffer: Uint8Array): number {
  let count = 0;
  for (let index = buffer.indexOf(NEWLINE); index !== -1; index = buffer.indexOf(NEWLINE, index + 1)) count++;
  return count;
}

/** Counts the lines that start before byte `end` (the 1-based number of the line holding byte `end`, minus one). */
export async function countLinesBefore(handle: FileHandle, end: number, signal?: AbortSignal): Promise<number> {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  let count = 0;
  while (position < end) {
    if (signal?.aborted) throw new CancelledError();
    const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK_BYTES, end - position), position);
    if (bytesRead === 0) break;
    count += countNewlines(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  return count;
}
