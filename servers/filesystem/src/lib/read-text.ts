import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { formatBytes, truncationNotice } from '@portico-mcp/shared/output';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { describeBinary, looksBinary, SNIFF_BYTES } from './binary.js';
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

/** Room kept for the truncation notice when cutting a text to the budget. */
export const NOTICE_RESERVE_BYTES = 400;

/** A text read: what to show (content plus any notice) and a small structured summary. */
export interface TextRead {
  text: string;
  summary: {
    path: string;
    size: number;
    firstLine?: number;
    lastLine?: number;
    totalLines?: number;
    truncated: boolean;
    nextOffset?: number;
  };
}

/** Reads the selected part of a text file within `maxBytes`, refusing binary files. */
export async function readTextFile(sandbox: Sandbox, given: string, selection: TextSelection, maxBytes: number, signal?: AbortSignal): Promise<TextRead> {
  // The reference treats 0 as "not given"; so do we, so that configurations written for it behave the same.
  const head = selection.head || undefined;
  const tail = selection.tail || undefined;
  const { offset, limit } = selection;
  if (head !== undefined && tail !== undefined) {
    throw new InvalidArgumentError('Pass head or tail, not both; to read a range in the middle use offset and limit.');
  }
  if ((head !== undefined || tail !== undefined) && (offset !== undefined || limit !== undefined)) {
    throw new InvalidArgumentError('Pass either head/tail or offset/limit, not both; offset and limit already select any range of lines.');
  }
  const opened = await openFileForRead(sandbox, given);
  const { handle, realPath, stats } = opened;
  try {
    const size = stats.size;
    const budget = Math.max(0, maxBytes - NOTICE_RESERVE_BYTES);
    const wholeFile = head === undefined && tail === undefined && offset === undefined && limit === undefined && size <= budget;
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
        [start, end] = await Promise.all([readRange(handle, SNIFF_BYTES, 0), readRange(handle, FIRST_CHUNK_BYTES, size - FIRST_CHUNK_BYTES)]);
      }
    } else {
      // A read with no line limit needs about the budget in bytes; head and ranges usually need a few KB.
      const wanted = head === undefined && limit === undefined && offset === undefined ? Math.min(budget + 1, CHUNK_BYTES) : FIRST_CHUNK_BYTES;
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
      const window = await readLinesBackward(handle, size, { maxLines: tail, maxBytes: budget, ...(end ? { last: end } : {}), ...(signal ? { signal } : {}) });
      const text = window.bytes.toString('utf8');
      if (!window.cutByLimit) return { text, summary: { ...base, truncated: false } };
      // Only when the tail is cut do we pay for numbering the lines, so the notice can say where to resume.
      const first = (await countLinesBefore(handle, window.startByte, signal)) + 1;
      const last = first + Math.max(window.completeLines, 1) - 1;
      const missing = tail - window.completeLines;
      const earlier = Math.max(1, first - missing);
      const notice = window.partialLine
        ? truncationNotice({
            shown: `only the end of line ${first}, which alone is longer than the reply budget`,
            reason: 'the reply budget',
            next: `read its start with offset: ${first} and limit: 1, or find text in it with search_content`,
          })
        : truncationNotice({
            shown: `the last ${window.completeLines} of the ${tail} requested lines (lines ${first}–${last})`,
            reason: 'the reply budget',
            next: `read the lines before them with offset: ${earlier} and limit: ${first - earlier}`,
          });
      return { text: `${text}\n${notice}`, summary: { ...base, firstLine: first, lastLine: last, truncated: true, ...(first > 1 ? { nextOffset: earlier } : {}) } };
    }

    if (wholeFile) {
      // The whole file fits: send it byte for byte, final newline included, as the reference does.
      return { text: start.toString('utf8'), summary: { ...base, truncated: false } };
    }

    const startLine = offset ?? 1;
    const maxLines = head ?? limit ?? Number.POSITIVE_INFINITY;
    const window = await readLinesForward(handle, { startLine, maxLines, maxBytes: budget, first: { bytes: start, atEnd: startAtEnd }, ...(signal ? { signal } : {}) });
    if (window.firstLine === 0 && !window.cutByLimit) {
      if (startLine === 1) return { text: '', summary: { ...base, totalLines: 0, truncated: false } };
      const total = window.totalLines ?? 0;
      throw new InvalidArgumentError(
        `offset ${startLine} is past the end of ${quote(given)}, which has ${total} line${total === 1 ? '' : 's'}; pass an offset from 1 to ${Math.max(total, 1)}.`,
      );
    }
    const text = window.bytes.toString('utf8');
    const last = startLine + window.completeLines - 1;
    const lines = { firstLine: startLine, lastLine: window.partialLine ? startLine : last, ...(window.totalLines !== undefined ? { totalLines: window.totalLines } : {}) };
    if (!window.cutByLimit) return { text, summary: { ...base, ...lines, truncated: false } };
    const asked = maxLines === Number.POSITIVE_INFINITY ? `of the file (${formatBytes(size)})` : `of the ${maxLines} requested`;
    const notice = window.partialLine
      ? truncationNotice({
          shown: `the first ${formatBytes(window.bytes.length)} of line ${startLine}, which alone is longer than the reply budget`,
          reason: 'the reply budget',
          next: `continue after it with offset: ${startLine + 1}, or find text inside it with search_content`,
        })
      : truncationNotice({
          shown: `lines ${startLine}–${last} ${asked}`,
          reason: 'the reply budget',
          next: `call read_text_file again with offset: ${last + 1} (and a limit)`,
        });
    const nextOffset = window.partialLine ? startLine + 1 : last + 1;
    return { text: `${text}\n${notice}`, summary: { ...base, ...lines, truncated: true, nextOffset } };
  } finally {
    closeInBackground(handle);
  }
}
