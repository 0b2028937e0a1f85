import type { PorticoToolAnnotations } from './tool.js';

/** Reads and lists: changes nothing, and the same call on the same state gives the same answer. */
export const READ_ONLY: PorticoToolAnnotations = Object.freeze({
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
});

/** Adds or appends without destroying anything; calling it twice does it twice. */
export const WRITE: PorticoToolAnnotations = Object.freeze({
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
});

/** Overwrites, deletes or rewrites something that cannot be had back from the server. */
export const DESTRUCTIVE: PorticoToolAnnotations = Object.freeze({
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
});

/** A preset with some hints changed, e.g. `withHints(READ_ONLY, { openWorldHint: true })` for a web read. */
export function withHints(
  preset: PorticoToolAnnotations,
  hints: Partial<PorticoToolAnnotations>,
): PorticoToolAnnotations {
  return Object.freeze({ ...preset, ...hints });
}
