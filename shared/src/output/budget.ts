/** The default reply budget: about 100 KB of text, far under the 10 MiB message limit of default clients. */
export const DEFAULT_MAX_OUTPUT_BYTES = 100_000;

/** The smallest budget an operator may set; below it even a truncation notice would not fit. */
export const MIN_MAX_OUTPUT_BYTES = 1_000;

/** The largest budget an operator may set: a reply must stay well clear of the 10 MiB transport limit. */
export const MAX_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/**
 * Most base64 payload (images, audio, binary resources) one reply may carry, counted apart from the text
 * budget: 8 MiB leaves room for the rest of a reply under the 10 MiB message limit of default clients.
 */
export const MAX_MEDIA_REPLY_BYTES = 8 * 1024 * 1024;

/** Byte length of a string once encoded as UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A piece of text cut to a byte limit. */
export interface CutText {
  /** The text that fits. */
  text: string;
  /** Its UTF-8 byte length. */
  bytes: number;
  /** Whether anything was left out. */
  truncated: boolean;
  /** Number of UTF-16 code units of the input that `text` covers: the offset to continue from. */
  consumedChars: number;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character, preferring the last line break
 * in the final tenth of the allowance so that a reader can continue from a whole line.
 */
export function cutText(text: string, maxBytes: number): CutText {
  // Fast path: a UTF-8 byte is at least one code unit, so a string whose length (times 3, the worst case
  // per code unit) fits never needs an exact count.
  if (text.length * 3 <= maxBytes)
    return { text, bytes: utf8Length(text), truncated: false, consumedChars: text.length };
  const total = utf8Length(text);
  if (total <= maxBytes) return { text, bytes: total, truncated: false, consumedChars: text.length };
  if (maxBytes <= 0) return { text: '', bytes: 0, truncated: true, consumedChars: 0 };

  const encoded = Buffer.from(text, 'utf8');
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  const window = encoded.subarray(0, end);
  const lastNewline = window.lastIndexOf(0x0a);
  if (lastNewline >= 0 && lastNewline >= end - Math.max(1, Math.floor(maxBytes / 10))) end = lastNewline + 1;
  const kept = encoded.subarray(0, end).toString('utf8');
  return { text: kept, bytes: end, truncated: true, consumedChars: kept.length };
}
