import type { Continuation, Page, Reply } from '@portico-mcp/shared/output';
import type { QueryPage } from '../engine/protocol.js';
import { MAX_CELL_CHARS } from '../engine/render.js';

// One formatter for every call: toLocaleString builds a new ICU formatter each time (~30 µs, measured).
const countFormat = new Intl.NumberFormat('en-US');
/** 1,234 */
export const count = (value: number) => countFormat.format(value);

/** How to lay a page of rows into a reply. */
export interface RowOptions {
  /** Position of the page's first row in the whole result. */
  offset: number;
  /** The arguments that continue after `end` rows in all; omit when nothing can continue. */
  next?: (end: number) => Continuation;
  /** Why the engine stopped reading, in words, when its row cap did. */
  capReason: string;
  /** Put the rows' cells into structure under `rows` (only while the engine sent them: small pages). */
  structured: boolean;
}

/**
 * Lays a page of rows into the reply as table lines (the reply cuts at a row boundary and says how to go on),
 * with their cells under `rows` in structure while the page is small. A single row too large for the whole
 * reply is shown cut rather than not at all.
 */
export function layRows(reply: Reply, page: QueryPage, options: RowOptions): Page<number> {
  const { offset, next } = options;
  const indices = page.lines.map((_line, index) => index);
  const cells = options.structured ? page.rows : undefined;
  const laid = reply.page(indices, {
    line: (index) => page.lines[index]!,
    ...(cells ? { entry: (index: number) => cells[index], key: 'rows' } : {}),
    noun: 'rows',
    offset,
    more: page.more,
    next: next ?? ((end) => ({ offset: end })),
    limitReason: page.stoppedBy === 'row cap' ? options.capReason : 'the reply budget',
  });
  if (laid.items.length > 0 || page.lines.length === 0) return laid;
  reply.text(page.lines[0]!);
  const end = offset + 1;
  const more = page.lines.length > 1 || page.more;
  reply.cut({
    shown: `row ${count(end)}, cut`,
    reason: 'the reply budget',
    ...(more && next ? { next: next(end) } : {}),
    alternative: 'select substr(column, start, length) to read a long value in pieces',
  });
  return { items: [0], end, truncated: true };
}

/** The note under a page whose values were shortened, or undefined. */
export function shortenedNote(page: QueryPage): string | undefined {
  return page.shortenedValues
    ? `[Some values were shortened (marked …): text over ${count(MAX_CELL_CHARS)} characters and blobs over 64 bytes; select substr(column, start, length) or hex(substr(column, start, length)) to read them in pieces.]`
    : undefined;
}
