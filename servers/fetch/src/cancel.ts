import { CancelledError } from '@portico-mcp/shared/errors';

/** Throws the kernel's CancelledError (one clear sentence) when the request was cancelled. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
