import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { MAX_MEDIA_REPLY_BYTES, cutText, utf8Length } from './budget.js';
import type { CutText } from './budget.js';
import { truncationNotice } from './notice.js';

/** The arguments to pass on the next call to get the rest of a cut reply, e.g. `{ offset: 1201 }`. */
export type Continuation = Readonly<Record<string, string | number | boolean>>;

/** Why and where a reply was cut, and how to continue. */
export interface Cut {
  /** What was shown, in words: "entries 1–50 of 200", "the first 100.0 KB". */
  shown: string;
  /** Why it stopped: "the reply budget", "the limit of 50". */
  reason: string;
  /** The arguments that continue it; absent when only `alternative` can go on (narrow the request). */
  next?: Continuation;
  /** Another way on, in words: "or narrow the pattern". */
  alternative?: string;
}

/** What a cut reply carries in structure: one shape for every tool. */
export interface TruncationFields {
  truncated: boolean;
  next?: Continuation;
}

/** How a reply names the tool in its notice ("call git_log again with …"). */
export interface ReplyOptions {
  tool: string;
  /** Bytes of text and structure the whole reply may use. */
  limit: number;
}

/** What `page` needs to lay out one page of a list. */
export interface PageOptions<T> {
  /** The one text line of an item. */
  line(item: T): string;
  /** The item's structured entry, under `key`; omit to keep items out of structure. */
  entry?(item: T): unknown;
  /** Structure key of the entries (needed with `entry`). */
  key?: string;
  /** Plural noun for the notice: "entries", "commits", "rows". */
  noun: string;
  /** Position of the first item in the whole listing (default 0): numbers the notice and the continuation. */
  offset?: number;
  /** The caller's own cap: stop after this many items. */
  limit?: number;
  /** Items in the whole listing, when known. */
  total?: number;
  /** Whether the listing goes on after the given items (when `total` is not known). */
  more?: boolean;
  /** The continuation for a cut after `end` items in all (default `{ offset: end }`). */
  next?(end: number): Continuation;
  /** A way on besides the continuation, in words. */
  alternative?: string;
  /** What the cap is called in the notice when `limit` stopped it (default "the limit of N"). */
  limitReason?: string;
}

/** One page of a list as laid out by `Reply.page`. */
export interface Page<T> {
  items: T[];
  /** Position just past the last item shown. */
  end: number;
  truncated: boolean;
}

// Room that is always kept for the truncation notice and the structure's `truncated`/`next` fields, so that a
// reply cut at the last item that fits still ends in words that say how to go on.
const NOTICE_RESERVE_BYTES = 400;
// A header set after the body is laid out (it often names counts) is paid from this allowance.
const HEADER_ALLOWANCE_BYTES = 300;

/**
 * The one way a tool shapes its reply. A tool adds text lines, list items, long text and structure; the reply
 * charges everything it will send (structured content included) against the call's budget, cuts at item or
 * line boundaries, and writes the single truncation shape: `truncated` plus `next` (the arguments that
 * continue) in structure, and one notice in words at the end of the text.
 */
export class Reply {
  readonly tool: string;
  readonly limit: number;
  #header: string | undefined;
  #lines: string[] = [];
  #footer: string[] = [];
  #blocks: ContentBlock[] = [];
  #structure: Record<string, unknown> | undefined;
  #lists = new Map<string, unknown[]>();
  #used = 0;
  #mediaUsed = 0;
  #cut: Cut | undefined;

  constructor(options: ReplyOptions) {
    this.tool = options.tool;
    this.limit = options.limit;
  }

  /** Bytes still free for body text, items and structure. */
  get remaining(): number {
    const headerRoom = this.#header === undefined ? HEADER_ALLOWANCE_BYTES : 0;
    return Math.max(0, this.limit - NOTICE_RESERVE_BYTES - headerRoom - this.#used);
  }

  /** Whether the reply has been cut. */
  get truncated(): boolean {
    return this.#cut !== undefined;
  }

  /** Sets the first line(s) of the text; may be called after the body, when counts are known. */
  header(text: string): this {
    if (this.#header !== undefined) this.#used -= utf8Length(this.#header) + 1;
    this.#header = text;
    this.#used += utf8Length(text) + 1;
    return this;
  }

  /** Adds a line of text if it fits; returns false (adding nothing) when it does not. */
  line(text: string): boolean {
    const cost = utf8Length(text) + 1;
    if (cost > this.remaining) return false;
    this.#lines.push(text);
    this.#used += cost;
    return true;
  }

  /** Adds a line that must be sent (a summary, a count), charged even past the budget. */
  always(text: string): this {
    this.#lines.push(text);
    this.#used += utf8Length(text) + 1;
    return this;
  }

  /** Adds a line after the truncation notice (totals that describe the whole listing), charged like `always`. */
  footer(text: string): this {
    this.#footer.push(text);
    this.#used += utf8Length(text) + 1;
    return this;
  }

  /** Adds one list item: its text line and, under `key`, its structured entry; false when the pair does not fit. */
  item(line: string, key?: string, entry?: unknown): boolean {
    const entryCost = key === undefined ? 0 : utf8Length(JSON.stringify(entry ?? null)) + 1;
    const cost = utf8Length(line) + 1 + entryCost;
    if (cost > this.remaining) return false;
    this.#lines.push(line);
    if (key !== undefined) {
      let list = this.#lists.get(key);
      if (list === undefined) {
        list = [];
        this.#lists.set(key, list);
        this.#used += utf8Length(JSON.stringify(key)) + 3;
      }
      list.push(entry);
    }
    this.#used += cost;
    return true;
  }

  /** Adds as much of a long text as fits (cut on a line boundary when one is near), and says what it took. */
  text(body: string): CutText {
    const cut = cutText(body, this.remaining);
    if (cut.text.length > 0) this.#lines.push(cut.text.endsWith('\n') ? cut.text.slice(0, -1) : cut.text);
    this.#used += cut.bytes + 1;
    return cut;
  }

  /** Adds a non-text block (an image, an embedded resource) if it fits; its serialised size is what it costs. */
  block(block: ContentBlock): boolean {
    const cost = utf8Length(JSON.stringify(block));
    if (cost > this.remaining) return false;
    this.#blocks.push(block);
    this.#used += cost;
    return true;
  }

  /**
   * Adds an image, audio clip or binary resource. Its encoded payload is charged against the media
   * allowance (`MAX_MEDIA_REPLY_BYTES` for the whole reply, far under the 10 MiB message limit), not the
   * text budget, since half an image is no image and a picture is not context the way text is; the block's
   * other fields are charged as text. False when the payload does not fit.
   */
  media(block: ContentBlock): boolean {
    const payload = mediaPayloadBytes(block);
    if (payload === 0) return this.block(block);
    const rest = utf8Length(JSON.stringify(withoutPayload(block)));
    if (this.#mediaUsed + payload > MAX_MEDIA_REPLY_BYTES || rest > this.remaining) return false;
    this.#blocks.push(block);
    this.#mediaUsed += payload;
    this.#used += rest;
    return true;
  }

  /** Merges small structured fields into structuredContent; they are charged, and always sent. */
  set(fields: Record<string, unknown>): this {
    this.#structure ??= {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const previous = this.#structure[key];
      if (previous !== undefined)
        this.#used -= utf8Length(JSON.stringify(key)) + utf8Length(JSON.stringify(previous)) + 2;
      this.#structure[key] = value;
      this.#used += utf8Length(JSON.stringify(key)) + utf8Length(JSON.stringify(value)) + 2;
    }
    return this;
  }

  /** Marks the reply as cut; the notice and the `truncated`/`next` fields are written at build time. */
  cut(cut: Cut): this {
    this.#cut = cut;
    return this;
  }

  /**
   * Lays out one page of a list: items from `offset` while they fit and the caller's `limit` allows, then
   * cuts the reply with the continuation when anything is left.
   */
  page<T>(items: Iterable<T>, options: PageOptions<T>): Page<T> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const shown: T[] = [];
    let stoppedByBudget = false;
    let stoppedByLimit = false;
    for (const item of items) {
      if (shown.length >= limit) {
        stoppedByLimit = true;
        break;
      }
      const fits = options.entry
        ? this.item(options.line(item), options.key, options.entry(item))
        : this.item(options.line(item));
      if (!fits) {
        stoppedByBudget = true;
        break;
      }
      shown.push(item);
    }
    const end = offset + shown.length;
    const left =
      stoppedByBudget ||
      stoppedByLimit ||
      options.more === true ||
      (options.total !== undefined && end < options.total);
    if (left) {
      const range = shown.length === 0 ? `no ${options.noun}` : `${options.noun} ${offset + 1}–${end}`;
      this.cut({
        shown: options.total !== undefined ? `${range} of ${options.total}` : range,
        reason: stoppedByBudget
          ? 'the reply budget'
          : (options.limitReason ?? `the limit of ${options.limit ?? shown.length}`),
        next: options.next ? options.next(end) : { offset: end },
        ...(options.alternative ? { alternative: options.alternative } : {}),
      });
    }
    if (options.entry && options.key !== undefined && !this.#lists.has(options.key)) this.#lists.set(options.key, []);
    return { items: shown, end, truncated: left };
  }

  /**
   * The finished result. With `structured`, structuredContent is always present and carries `truncated`
   * (and `next` when cut); without, the cut is told in words only. With `noticeApart`, the notice (and any
   * footer) is a text block of its own after the body's.
   */
  build(options: { structured?: boolean; noticeApart?: boolean } = {}): CallToolResult {
    const parts: string[] = [];
    if (this.#header !== undefined) parts.push(this.#header);
    parts.push(...this.#lines);
    // With `noticeApart`, the notice and footer lines go in a text block of their own, so that the body
    // block stays exactly what the tool wrote (a JSON document stays parseable).
    const after: string[] = [];
    if (this.#cut !== undefined)
      after.push(
        truncationNotice({ shown: this.#cut.shown, reason: this.#cut.reason, next: this.#nextInWords(this.#cut) }),
      );
    after.push(...this.#footer);
    const content: ContentBlock[] = [];
    if (options.noticeApart === true) {
      if (parts.length > 0) content.push({ type: 'text', text: parts.join('\n') });
      if (after.length > 0) content.push({ type: 'text', text: after.join('\n') });
    } else {
      parts.push(...after);
      if (parts.length > 0) content.push({ type: 'text', text: parts.join('\n') });
    }
    content.push(...this.#blocks);
    const result: CallToolResult = { content };
    const structured = options.structured ?? (this.#structure !== undefined || this.#lists.size > 0);
    if (structured) {
      result.structuredContent = {
        ...this.#structure,
        ...Object.fromEntries(this.#lists),
        truncated: this.#cut !== undefined,
        ...(this.#cut?.next !== undefined ? { next: this.#cut.next } : {}),
      };
    }
    return result;
  }

  #nextInWords(cut: Cut): string {
    if (cut.next === undefined || Object.keys(cut.next).length === 0) return cut.alternative ?? 'narrow the request';
    const args = Object.entries(cut.next)
      .map(([name, value]) => `${name}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
      .join(', ');
    return `call ${this.tool} again with ${args}${cut.alternative ? `, or ${cut.alternative}` : ''}`;
  }
}

/**
 * The truncation fields every structured reply carries, for a tool's outputSchema:
 * `z.object({ ...fields, ...TRUNCATION_SHAPE })`.
 */
export const TRUNCATION_SHAPE = {
  truncated: z.boolean(),
  next: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
};

/** The block with its base64 payload emptied: what it costs besides the payload, without serialising megabytes. */
export function withoutPayload(block: ContentBlock): ContentBlock {
  if (block.type === 'image' || block.type === 'audio') return { ...block, data: '' };
  if (block.type === 'resource' && 'blob' in block.resource)
    return { ...block, resource: { ...block.resource, blob: '' } };
  return block;
}

/** Bytes of base64 payload a block carries (an image's or audio clip's data, a resource's blob); 0 for others. */
export function mediaPayloadBytes(block: ContentBlock): number {
  if ((block.type === 'image' || block.type === 'audio') && typeof block.data === 'string') return block.data.length;
  if (block.type === 'resource' && 'blob' in block.resource && typeof block.resource.blob === 'string')
    return block.resource.blob.length;
  return 0;
}
