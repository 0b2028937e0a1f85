/**
 * Allow-listed roots for filesystem access: containment decided on real paths, safe open, by-name operations
 * pinned to a checked parent directory, and narrowing by the roots an MCP client sends.
 */
export { Sandbox } from './sandbox.js';
export type { OpenedFile, ResolveOptions, SandboxOptions } from './sandbox.js';
export { isCanonicalAbsolute, isWithin } from './contain.js';
export { quotePath } from './messages.js';
