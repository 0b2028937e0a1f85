import type { PorticoToolAnnotations } from '@portico-mcp/shared/serve';

/** Reads and lists: changes nothing, same answer for the same state. */
export const READ_ONLY: PorticoToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
