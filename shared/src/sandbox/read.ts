import type { FileHandle } from 'node:fs/promises';

/** Outcome of reading an open file to its end under a byte cap. */
export type CappedRead = { readonly kind: 'read'; readonly bytes: Buffer } | { readonly kind: 'too-large' };

/**
 * Reads an open file from its start to its end, asynchronously, but never more than `maxBytes`: the size
 * fstat reported is only where to start, since a file can grow while it is read (and `readFile` would follow it).
 */
export async function readToEndCapped(handle: FileHandle, expectedSize: number, maxBytes: number): Promise<CappedRead> {
  let buffer = Buffer.allocUnsafe(Math.min(Math.max(expectedSize, 0), maxBytes) + 1);
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      if (filled > maxBytes) return { kind: 'too-large' };
      const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(grown, 0, 0, filled);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  if (filled > maxBytes) return { kind: 'too-large' };
  return { kind: 'read', bytes: buffer.subarray(0, filled) };
}
