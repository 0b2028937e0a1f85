import * as z from 'zod';

// Argument schemas repeated across tools, described once (or not at all where the name and type say it):
// every description here is paid for in every conversation, once per tool that uses it.

/** A path: absolute, or relative to the first allowed directory (the server's instructions say so once). */
export const pathField = z.string();

/** Position in a listing to continue from; a cut reply names the value to pass. */
export const offsetField = z.number().int().min(0).default(0);

/** Globs that leave entries out of a walk. */
export const excludeField = z
  .array(z.string())
  .optional()
  .default([])
  .describe('Globs on the relative path; an excluded directory is not entered.');
