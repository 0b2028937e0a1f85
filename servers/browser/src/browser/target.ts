// Finding the element an action is about: a ref from the last snapshot (re-found by frame, role and name
// when the page changed under it) or a CSS selector (searched in every frame).
import type { ElementHandle } from 'puppeteer-core';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { refind, renderNode, takeSnapshot } from '../snapshot/snapshot.js';
import type { Tab } from './tab.js';

/** What an action acts on. */
export interface ResolvedTarget {
  handle: ElementHandle;
  /** How the target reads in a reply: `e12 button "Send"` or the selector. */
  label: string;
  /** Said in the reply when the ref had to be re-found. */
  note?: string;
}

/** Resolves `ref` or `selector` to an element of the tab; one sentence when neither finds one. */
export async function resolveTarget(
  tab: Tab,
  target: { ref?: string | undefined; selector?: string | undefined },
): Promise<ResolvedTarget> {
  if (target.ref !== undefined) return resolveRef(tab, target.ref.trim());
  if (target.selector !== undefined) return resolveSelector(tab, target.selector);
  throw new InvalidArgumentError('Give the element as ref (from browser_snapshot) or as a CSS selector.');
}

async function resolveRef(tab: Tab, ref: string): Promise<ResolvedTarget> {
  if (!/^e\d+$/.test(ref))
    throw new InvalidArgumentError(
      `"${ref.slice(0, 40)}" is not a ref; refs look like e12 and come from browser_snapshot.`,
    );
  const node = tab.snapshot?.byRef.get(ref);
  if (node?.handle !== undefined && (await node.handle.evaluate((element) => element.isConnected).catch(() => false))) {
    return { handle: node.handle, label: renderNode({ ...node, depth: 0 }) };
  }
  const key = node?.key ?? tab.refs.keyOf(ref);
  if (key === undefined)
    throw new NotFoundError(
      `Ref ${ref} is not in any snapshot of this tab; call browser_snapshot and use a ref from it.`,
    );
  const fresh = await takeSnapshot(tab.page, tab.refs);
  const found = refind(fresh, key);
  await tab.setSnapshot(fresh, fresh.nodes.map(renderNode));
  if (found?.handle === undefined) {
    throw new NotFoundError(
      `Ref ${ref} is gone: the page no longer has that element (same role and name); call browser_snapshot for the current refs.`,
    );
  }
  return {
    handle: found.handle,
    label: renderNode({ ...found, depth: 0 }),
    note: `Ref ${ref} was stale (the page changed); re-found the element by its role and name.`,
  };
}

async function resolveSelector(tab: Tab, selector: string): Promise<ResolvedTarget> {
  for (const frame of tab.page.frames()) {
    let handle: ElementHandle | null;
    try {
      handle = await frame.$(selector);
    } catch (error) {
      if (/not a valid selector|SyntaxError|Unknown|invalid/i.test((error as Error).message)) {
        throw new InvalidArgumentError(
          `"${selector.slice(0, 100)}" is not a valid CSS selector; fix it or use a ref from browser_snapshot.`,
        );
      }
      continue;
    }
    if (handle) return { handle, label: `selector ${JSON.stringify(selector.slice(0, 100))}` };
  }
  throw new NotFoundError(
    `No element matches the selector ${JSON.stringify(selector.slice(0, 100))}; check it against browser_snapshot, or use a ref.`,
  );
}
