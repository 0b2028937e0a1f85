import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { formatBytes } from '@portico-mcp/shared/output';
import type { Cut } from '@portico-mcp/shared/output';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { describeBinary, looksBinary, SNIFF_BYTES } from '@portico-mcp/shared/output';
import { closeInBackground, openFileForRead, quote, readRange } from './files.js';
import { CHUNK_BYTES, countLinesBefore, FIRST_CHUNK_BYTES, readLinesBackward, readLinesForward } from './lines.js';

/** Which part of a file to read; all optional, at most one of head/tail and not with offset/limit. */
export interface TextSelection {
  head?: number | undefined;
  tail?: number | undefined;
  /** 1-based first line. */
  offset?: number | undefined;
  /** Number of lines from `offset`. */
  limit?: number | undefined;
}

/** Where a read stopped before what was asked, and the read_text_file arguments that continue it. */
export type TextCut = Cut & { next?: { offset: number; limit?: number } };

/** A text read: the content to show (no notice), where it was cut if it was, and a small structured summary. */
export interface TextRead {
  text: string;
  cut?: TextCut;
  summary: {
    path: string;
    size: number;
    firstLine?: number;
    lastLine?: number;
    totalLines?: number;
  };
}

/** Reads the selected part of a text file within `maxBytes` of content, refusing binary files. */
export async function readTextFile(
  sandbox: Sandbox,
  given: string,
  selection: TextSelection,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<TextRead> {
  // The reference treats 0 as "not given"; so do we, so that configurations written for it behave the same.
  const head = selection.head || undefined;
  const tail = selection.tail || undefined;
  const { offset, limit } = selection;
  if (head !== undefined && tail !== undefined) {
    throw new InvalidArgumentError('Pass head or tail, not both; to read a range in the middle use offset and limit.');
  }
  if ((head !== undefined || tail !== undefined) && (offset !== undefined || limit !== undefined)) {
    throw new InvalidArgumentError(
      'Pass either head/tail or offset/limit, not both; offset and limit already select any range of lines.',
    );
  }
  const opened = await openFileForRead(sandbox, given);
  const { handle, realPath, stats } = opened;
  try {
    const size = stats.size;
    const budget = Math.max(0, maxBytes);
    const wholeFile =
      head === undefined && tail === undefined && offset === undefined && limit === undefined && size <= budget;
    // Every byte needed is read once, and the binary sniff looks at bytes already read: a whole small file in
    // one read; otherwise the file's start (which the forward scan then continues from), plus for tail the
    // file's end, which is the backward scan's first chunk (one read when the file is small enough to hold both).
    let start: Buffer;
    let startAtEnd = false;
    let end: Buffer | undefined;
    if (wholeFile) {
      start = await readRange(handle, size, 0);
    } else if (tail !== undefined) {
      if (size <= FIRST_CHUNK_BYTES) {
        start = end = await readRange(handle, size, 0);
      } else {
        [start, end] = await Promise.all([
          readRange(handle, SNIFF_BYTES, 0),
          readRange(handle, FIRST_CHUNK_BYTES, size - FIRST_CHUNK_BYTES),
        ]);
      }
    } else {
      // A read with no line limit needs about the budget in bytes; head and ranges usually need a few KB.
      const wanted =
        head === undefined && limit === undefined && offset === undefined
          ? Math.min(budget + 1, CHUNK_BYTES)
          : FIRST_CHUNK_BYTES;
      // Not capped at the size that fstat reported, which a pseudo-file (in /proc, say) reports as 0.
      const length = Math.max(wanted, SNIFF_BYTES);
      start = await readRange(handle, length, 0);
      startAtEnd = start.length < length;
    }
    const sample = start.subarray(0, SNIFF_BYTES);
    if (looksBinary(sample)) {
      throw new InvalidArgumentError(
        `${quote(given)} is a binary file (${describeBinary(sample)}, ${formatBytes(size)}), not text; use read_media_file for images and audio, or get_file_info for its metadata.`,
      );
    }
    const base = { path: realPath, size };

    if (tail !== undefined) {
      const window = await readLinesBackward(handle, size, {
        maxLines: tail,
        maxBytes: budget,
        ...(end ? { last: end } : {}),
        ...(signal ? { signal } : {}),
      });
      const text = window.bytes.toString('utf8');
      if (!window.cutByLimit) return { text, summary: base };
      // Only when the tail is cut do we pay for numbering the lines, so the notice can say where to resume.
      const first = (await countLinesBefore(handle, window.startByte, signal)) + 1;
      const last = first + Math.max(window.completeLines, 1) - 1;
      const missing = tail - window.completeLines;
      const earlier = Math.max(1, first - missing);
      const cut: TextCut = window.partialLine
        ? {
            shown: `only the end of line ${first}, which alone is longer than the reply budget`,
            reason: 'the reply budget',
            next: { offset: first, limit: 1 },
            alternative: 'find text in it with search_content',
          }
        : {
            shown: `the last ${window.completeLines} of the ${tail} requested lines (lines ${first}–${last})`,
            reason: 'the reply budget',
            ...(first > 1 ? { next: { offset: earlier, limit: first - earlier } } : {}),
          };
      return { text, cut, summary: { ...base, firstLine: first, lastLine: last } };
    }

    if (wholeFile) {
      // The whole file fits: send it byte for byte, final newline included, as the reference does.
      return { text: start.toString('utf8'), summary: base };
    }

    const startLine = offset ?? 1;
    const maxLines = head ?? limit ?? Number.POSITIVE_INFINITY;
    const window = await readLinesForward(handle, {
      startLine,
      maxLines,
      maxBytes: budget,
      first: { bytes: start, atEnd: startAtEnd },
      ...(signal ? { signal } : {}),
    });
    if (window.firstLine === 0 && !window.cutByLimit) {
      if (startLine === 1) return { text: '', summary: { ...base, totalLines: 0 } };
      const total = window.totalLines ?? 0;
      throw new InvalidArgumentError(
        `offset ${startLine} is past the end of ${quote(given)}, which has ${total} line${total === 1 ? '' : 's'}; pass an offset from 1 to ${Math.max(total, 1)}.`,
      );
    }
    const text = window.bytes.toString('utf8');
    const last = startLine + window.completeLines - 1;
    const lines = {
      firstLine: startLine,
      lastLine: window.partialLine ? startLine : last,
      ...(window.totalLines !== undefined ? { totalLines: window.totalLines } : {}),
    };
    if (!window.cutByLimit) return { text, summary: { ...base, ...lines } };
    const asked =
      maxLines === Number.POSITIVE_INFINITY ? `of the file (${formatBytes(size)})` : `of the ${maxLines} requested`;
    const cut: TextCut = window.partialLine
      ? {
          shown: `the first ${formatBytes(window.bytes.length)} of line ${startLine}, which alone is longer than the reply budget`,
          reason: 'the reply budget',
          next: { offset: startLine + 1 },
          alternative: 'find text inside it with search_content',
        }
      : { shown: `lines ${startLine}–${last} ${asked}`, reason: 'the reply budget', next: { offset: last + 1 } };
    return { text, cut, summary: { ...base, ...lines } };
  } finally {
    closeInBackground(handle);
  }
}
