import { isWithin } from '@portico-mcp/shared/sandbox';
import type { Sandbox } from '@portico-mcp/shared/sandbox';

/** The allowed directory that holds `realPath` (the deepest one, when roots nest). */
export function rootHolding(sandbox: Sandbox, realPath: string): string | undefined {
  let best: string | undefined;
  for (const root of sandbox.roots)
    if (isWithin(realPath, root) && (best === undefined || root.length > best.length)) best = root;
  return best;
}
