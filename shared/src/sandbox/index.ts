/**
 * Allow-listed roots for filesystem access: containment decided on real paths, safe open, by-name operations
 * pinned to a checked parent directory, directories listed through a checked descriptor, and narrowing by
 * the roots an MCP client sends.
 */
export { Sandbox } from './sandbox.js';
export type { OpenedFile, ReadInsideOptions, ResolveOptions, SandboxOptions } from './sandbox.js';
export type { OpenedDirectory } from './directory.js';
export { readToEndCapped } from './read.js';
export type { CappedRead } from './read.js';
export { isCanonicalAbsolute, isWithin } from './contain.js';
export { quotePath } from './messages.js';
