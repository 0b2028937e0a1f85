import path from 'node:path';
import type { Sandbox } from '@portico-mcp/shared/sandbox';

/** The allowed directory that holds `realPath` (the deepest one, when roots nest). */
export function rootHolding(sandbox: Sandbox, realPath: string): string | undefined {
  let best: string | undefined;
  for (const root of sandbox.roots) {
    if ((realPath === root || realPath.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) && (!best || root.length > best.length)) best = root;
  }
  return best;
}
