import type { ConvertedDocument } from './document.js';
import type { PorticoErrorCode } from '@portico-mcp/shared/errors';

/** One conversion, as posted to a conversion worker. */
export interface ConversionRequest {
  id: number;
  url: string;
  /** The Content-Type header as sent, if any. */
  contentType?: string;
  body: Uint8Array;
  raw: boolean;
  maxDecodedBytes: number;
}

/** What a conversion worker posts back. */
export type ConversionReply =
  | { id: number; type: 'progress'; message: string }
  | { id: number; type: 'done'; document: ConvertedDocument }
  /** `code` is set for a Portico error, whose message is one safe sentence; otherwise the failure is unexplained. */
  | { id: number; type: 'failed'; code?: PorticoErrorCode; message?: string };
