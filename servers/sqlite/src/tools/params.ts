import * as z from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Optional bound values for `?`/`?NNN` (an array) or `:name`/`@name`/`$name` (an object keyed by name). */
export const paramsSchema = z
  .union([z.array(scalar), z.record(z.string(), scalar)])
  .optional()
  .describe('Values bound to the statement\'s parameters: an array for ? placeholders, or an object for :name placeholders (booleans bind as 1/0). Never splice values into the SQL text.');

/** FNV-1a of a string: ties a cursor to the query and params it was made for. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
