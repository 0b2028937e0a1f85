import { InvalidArgumentError } from '../errors/index.js';

/**
 * Opaque pagination cursors. A cursor is base64url JSON tagged with the kind of listing it belongs to, so a
 * cursor from one tool cannot be replayed against another and a mangled one fails with a clear sentence.
 */

/** Encodes a cursor for the listing `kind` carrying `state`. */
export function encodeCursor(kind: string, state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ k: kind, s: state }), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` for the same `kind`, or throws InvalidArgumentError. */
export function decodeCursor<T extends Record<string, unknown>>(kind: string, cursor: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { k?: unknown }).k !== kind ||
    typeof (parsed as { s?: unknown }).s !== 'object' ||
    (parsed as { s?: unknown }).s === null
  ) {
    throw new InvalidArgumentError(
      `The cursor is not valid for ${kind}; pass the cursor exactly as the previous reply gave it, or omit it to start over.`,
    );
  }
  return (parsed as { s: T }).s;
}
