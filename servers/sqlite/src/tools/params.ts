import * as z from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** The one description of `query`, shared by every tool that takes a statement. */
export const querySchema = z.string().min(1).describe('One SQL statement.');

/** Optional bound values for `?`/`?NNN` (an array) or `:name`/`@name`/`$name` (an object keyed by name). */
export const paramsSchema = z
  .union([z.array(scalar), z.record(z.string(), scalar)])
  .optional()
  .describe('Values for ? (array) or :name (object) placeholders; never splice values into the SQL.');

/** A position in a listing, from a cut reply's `next`. */
export const offsetSchema = z.number().int().min(0).optional();

/** FNV-1a of a string: ties a cursor to the query and params it was made for. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
