import { Transform } from 'node:stream';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/server';
import type { Writable } from 'node:stream';
import type { Logger } from '../log/index.js';

/** The SDK's stdio ReadBuffer limit: a message this long makes its transport close the whole session. */
export const STDIO_MAX_MESSAGE_BYTES: number = STDIO_DEFAULT_MAX_BUFFER_SIZE;

/** Bytes kept from each end of an oversized message, enough to find its top-level `id` and `method`. */
const KEPT_EDGE_BYTES = 512;

/** What the framer decided about an oversized message once its end arrived. */
export interface OversizedMessage {
  /** The JSON-RPC id, when it could be found at either end of the message. */
  id: string | number | undefined;
  method: string | undefined;
  bytes: number;
}

/**
 * Splits a byte stream into newline-delimited messages, passing through every message up to `maxBytes` and
 * swallowing longer ones whole (reporting them), so that the reader behind it never sees an oversized frame.
 */
export class MessageSizeFramer {
  readonly #maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #dropping = false;
  #droppedBytes = 0;
  #head: Buffer = Buffer.alloc(0);
  #tail: Buffer = Buffer.alloc(0);

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds a chunk; returns the complete messages to forward (each with its newline) and the oversized ones dropped. */
  push(chunk: Buffer): { forward: Buffer[]; dropped: OversizedMessage[] } {
    const forward: Buffer[] = [];
    const dropped: OversizedMessage[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      if (this.#dropping) this.#keepEdges(piece);
      else if (this.#pendingBytes + piece.length > this.#maxBytes) {
        this.#dropping = true;
        for (const part of this.#pending) this.#keepEdges(part);
        this.#keepEdges(piece);
        this.#pending = [];
        this.#pendingBytes = 0;
      } else {
        this.#pending.push(piece);
        this.#pendingBytes += piece.length;
      }
      if (newline !== -1) {
        if (this.#dropping) dropped.push(this.#finishDropped());
        else if (this.#pendingBytes > 0) {
          forward.push(this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending));
          this.#pending = [];
          this.#pendingBytes = 0;
        }
      }
      start = end;
    }
    return { forward, dropped };
  }

  #keepEdges(piece: Buffer): void {
    this.#droppedBytes += piece.length;
    if (this.#head.length < KEPT_EDGE_BYTES) {
      this.#head = Buffer.concat([this.#head, piece.subarray(0, KEPT_EDGE_BYTES - this.#head.length)]);
    }
    const joined = Buffer.concat([this.#tail, piece.subarray(Math.max(0, piece.length - KEPT_EDGE_BYTES))]);
    this.#tail = joined.subarray(Math.max(0, joined.length - KEPT_EDGE_BYTES));
  }

  #finishDropped(): OversizedMessage {
    const head = this.#head.toString('utf8');
    const tail = this.#tail.toString('utf8');
    const result: OversizedMessage = {
      id: findTopLevelId(head, tail),
      method: findMethod(head, tail),
      bytes: this.#droppedBytes,
    };
    this.#dropping = false;
    this.#droppedBytes = 0;
    this.#head = Buffer.alloc(0);
    this.#tail = Buffer.alloc(0);
    return result;
  }
}

const ID_VALUE = String.raw`("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})`;
/** A top-level id written first: `{"jsonrpc":"2.0","id":7,…` or `{"id":7,…`. */
const LEADING_ID = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID_VALUE}`);
/** A top-level id written last, as the SDK client does: `…,"jsonrpc":"2.0","id":7}`. */
const TRAILING_ID = new RegExp(String.raw`[,{]\s*"id"\s*:\s*${ID_VALUE}\s*\}\s*$`);
const METHOD = /"method"\s*:\s*"([a-zA-Z0-9_/.-]{1,100})"/;

function findTopLevelId(head: string, tail: string): string | number | undefined {
  const raw = LEADING_ID.exec(head)?.[1] ?? TRAILING_ID.exec(tail)?.[1];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as string | number;
  } catch {
    return undefined;
  }
}

function findMethod(head: string, tail: string): string | undefined {
  // The SDK writes method first; other clients may write it after params, near the end.
  return METHOD.exec(head.slice(0, 200))?.[1] ?? METHOD.exec(tail)?.[1];
}

/** The JSON-RPC error line answering an oversized request; `hint` says how to send the content instead. */
export function oversizeErrorLine(
  message: OversizedMessage,
  maxBytes: number,
  hint = 'send the content in smaller pieces',
): string {
  const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  const what = message.method === 'tools/call' ? 'tool call' : 'request';
  return `${JSON.stringify({
    jsonrpc: '2.0',
    id: message.id,
    error: {
      code: -32600,
      message: `The ${what} was ${mb(message.bytes)}, larger than the ${mb(maxBytes)} a stdio message may be, so it was not read; ${hint}.`,
    },
  })}\n`;
}

/**
 * A stream to put between stdin and the SDK's stdio transport. Without it, one oversized request makes the
 * SDK's read buffer overflow and the transport close, ending the session; with it, that request alone is
 * refused with a JSON-RPC error written to `stdout`.
 */
export function oversizeRequestGuard(
  stdout: Writable,
  log: Logger,
  options: { maxBytes?: number; hint?: string } = {},
): Transform {
  const maxBytes = options.maxBytes ?? STDIO_MAX_MESSAGE_BYTES;
  const framer = new MessageSizeFramer(maxBytes);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const { forward, dropped } = framer.push(chunk);
      for (const message of forward) this.push(message);
      for (const message of dropped) {
        log.warning('refused an oversized request', { bytes: message.bytes, method: message.method });
        // Requests get an error answer; an oversized notification has nobody to answer.
        if (message.id !== undefined) stdout.write(oversizeErrorLine(message, maxBytes, options.hint));
      }
      done();
    },
  });
}
