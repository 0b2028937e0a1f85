import { LRUCache } from 'lru-cache';
import type { ConvertedDocument } from './convert/document.js';

/** A converted document as served to continuation calls. */
export interface CachedDocument extends ConvertedDocument {
  /** The URL the document came from, after redirects. */
  finalUrl: string;
  /** The URLs requested before `finalUrl` (the request URL first): robots.txt is checked for each on reuse. */
  via: string[];
  status: number;
  fetchedAt: number;
}

// Per entry: the text as UTF-16 in memory, plus a little for the rest of the record.
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * Converted documents by request, so that reading a long page through `start_index` fetches and converts it
 * once. Bounded by total size (least recently used first out) and by age (the TTL).
 */
export class DocumentCache {
  readonly #entries: LRUCache<string, CachedDocument> | undefined;

  constructor(options: { ttlMs: number; maxBytes: number }) {
    this.#entries =
      options.ttlMs > 0 && options.maxBytes > 0
        ? new LRUCache<string, CachedDocument>({
            maxSize: options.maxBytes,
            sizeCalculation: (entry) => entry.text.length * 2 + ENTRY_OVERHEAD_BYTES,
            ttl: options.ttlMs,
          })
        : undefined;
  }

  /** The key of a request: the same URL read raw and converted are different documents. */
  static key(url: URL, raw: boolean): string {
    return `${raw ? 'raw' : 'converted'} ${url.href}`;
  }

  get(key: string): CachedDocument | undefined {
    return this.#entries?.get(key);
  }

  /** Stores a document; one larger than the whole cache is simply not kept. */
  set(key: string, document: CachedDocument): void {
    if (this.#entries === undefined) return;
    if (document.text.length * 2 + ENTRY_OVERHEAD_BYTES > this.#entries.maxSize) return;
    this.#entries.set(key, document);
  }

  get size(): number {
    return this.#entries?.size ?? 0;
  }
}
