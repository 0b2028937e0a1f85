// A page's snapshot: every frame collected (collect.ts), nested under its iframe, with short refs that stay
// the same while an element's frame, role and name do, rendered one line per element.
import type { ElementHandle, Frame, JSHandle, Page } from 'puppeteer-core';
import { COLLECT_SOURCE } from './collect.js';
import type { CollectedEntry } from './collect.js';

/** One line of a snapshot. */
export interface SnapshotNode {
  depth: number;
  role: string;
  name: string;
  value?: string;
  states?: string[];
  level?: number;
  options?: string[];
  /** Set on elements that can be acted on (and containers, for subtrees). */
  ref?: string;
  /** The identity the ref stands for: frame, role, name and the occurrence among equals. */
  key?: string;
  frame: Frame;
  handle?: ElementHandle;
  /** The frame's URL, on frame nodes. */
  url?: string;
}

/** A page's snapshot and the element handles behind its refs (released when a newer one replaces it). */
export interface Snapshot {
  url: string;
  title: string;
  nodes: SnapshotNode[];
  byRef: Map<string, SnapshotNode>;
  dispose(): Promise<void>;
}

/** Refs of one tab: the same key keeps its ref for the life of the tab. */
export class RefTable {
  #refs = new Map<string, string>();
  #keys = new Map<string, string>();
  #next = 1;
  refFor(key: string): string {
    let ref = this.#refs.get(key);
    if (ref === undefined) {
      ref = `e${this.#next++}`;
      this.#refs.set(key, ref);
      this.#keys.set(ref, key);
    }
    return ref;
  }
  /** The identity a ref was given for. */
  keyOf(ref: string): string | undefined {
    return this.#keys.get(ref);
  }
}

const MAX_TEXT = 160;
/** Frames nested deeper than this are listed, not entered (a page can nest frames without end). */
const MAX_FRAME_DEPTH = 5;

/** Collects the snapshot of a page, frames and open shadow roots included. */
export async function takeSnapshot(page: Page, refs: RefTable): Promise<Snapshot> {
  const nodes: SnapshotNode[] = [];
  const handles: JSHandle[] = [];
  const main = page.mainFrame();
  const top = await collectFrame(main, 0, '', 0, nodes, handles, refs);
  const byRef = new Map<string, SnapshotNode>();
  for (const node of nodes) if (node.ref !== undefined) byRef.set(node.ref, node);
  return {
    url: top?.url ?? page.url(),
    title: top?.title ?? '',
    nodes,
    byRef,
    dispose: async () => {
      await Promise.all(handles.map((handle) => handle.dispose().catch(() => undefined)));
    },
  };
}

interface FrameResult {
  url: string;
  title: string;
}

async function collectFrame(
  frame: Frame,
  depthOffset: number,
  frameKey: string,
  frameDepth: number,
  nodes: SnapshotNode[],
  handles: JSHandle[],
  refs: RefTable,
): Promise<FrameResult | undefined> {
  let result: JSHandle;
  try {
    result = await frame.evaluateHandle(`${COLLECT_SOURCE}(${JSON.stringify({ maxText: MAX_TEXT })})`);
  } catch {
    // A frame that navigated or went away mid-walk; its parent's entry says it is there.
    return undefined;
  }
  handles.push(result);
  // Entries, URL and title in one round trip; the element handles in as few as puppeteer allows.
  const [plain, elements] = await Promise.all([
    result.evaluate((collected) => {
      const all = collected as { entries: unknown; url: string; title: string };
      return { entries: all.entries, url: all.url, title: all.title };
    }),
    result.getProperty('elements').then((list) => list.getProperties()),
  ]);
  const data = plain.entries as CollectedEntry[];
  const { url, title } = plain;
  for (const handle of elements.values()) handles.push(handle);
  const seen = new Map<string, number>();
  for (const entry of data) {
    const node: SnapshotNode = { depth: entry.d + depthOffset, role: entry.r, name: entry.n, frame };
    if (entry.v !== undefined) node.value = entry.v;
    if (entry.s !== undefined) node.states = entry.s;
    if (entry.l !== undefined) node.level = entry.l;
    if (entry.o !== undefined) node.options = entry.o;
    if (entry.e >= 0) {
      const identity = `${entry.r}\u0000${entry.n}`;
      const nth = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, nth);
      node.key = `${frameKey}\u0001${identity}\u0000${nth}`;
      node.ref = refs.refFor(node.key);
      const handle = elements.get(String(entry.e))?.asElement();
      if (handle) node.handle = handle as ElementHandle;
    }
    nodes.push(node);
    if (entry.r === 'frame' && node.handle !== undefined && frameDepth < MAX_FRAME_DEPTH) {
      const child = await node.handle.contentFrame().catch(() => null);
      if (child) {
        node.url = child.url();
        await collectFrame(child, node.depth + 1, node.ref ?? frameKey, frameDepth + 1, nodes, handles, refs);
      }
    }
  }
  return { url, title };
}

/** Options of a rendered snapshot. */
export interface RenderOptions {
  /** Only this ref and what is inside it. */
  ref?: string;
  /** Only nodes at most this deep (0 is the top level), relative to the subtree's root. */
  depth?: number;
  /** Only elements that can be acted on (and the frames around them). */
  interactiveOnly?: boolean;
}

/** The nodes selected by the options; undefined when `ref` is not in the snapshot. */
export function selectNodes(snapshot: Snapshot, options: RenderOptions): SnapshotNode[] | undefined {
  let nodes = snapshot.nodes;
  let base = 0;
  if (options.ref !== undefined) {
    const start = nodes.findIndex((node) => node.ref === options.ref);
    if (start < 0) return undefined;
    const root = nodes[start]!;
    base = root.depth;
    let end = start + 1;
    while (end < nodes.length && nodes[end]!.depth > root.depth) end++;
    nodes = nodes.slice(start, end);
  }
  if (options.depth !== undefined) {
    const limit = base + options.depth;
    nodes = nodes.filter((node) => node.depth <= limit);
  }
  if (options.interactiveOnly === true)
    nodes = nodes.filter((node) => node.ref !== undefined && node.role !== 'list' && node.role !== 'table');
  if (base > 0) nodes = nodes.map((node) => ({ ...node, depth: node.depth - base }));
  return nodes;
}

// Names, values and options that read unambiguously go bare; anything else is JSON-quoted. A bare one has no
// quote, `=`, brackets, parentheses or comma, so it can never run into the value, states or options after it,
// and a line cannot start with one: page text (text runs) is always quoted, so it never passes for an element.
const BARE = /^[\p{L}\p{N}][\p{L}\p{N} .:;!?'&/#%+@_\u2026-]*$/u;
// The commonest field roles get short tokens; browser_snapshot's description is their one legend. A 200-field
// form pays for every letter of them 200 times.
export const SHORT_ROLES: Readonly<Record<string, string>> = {
  textbox: 'tx',
  combobox: 'sel',
  checkbox: 'chk',
  searchbox: 'search',
  spinbutton: 'number',
};

/** A name, value or option as it appears in a line: bare when that cannot be misread, JSON-quoted otherwise. */
export function renderText(text: string): string {
  return BARE.test(text) && !text.endsWith(' ') ? text : JSON.stringify(text);
}

/**
 * One node as its snapshot line: `e12 tx Email = ada@x [focused]`, `e7 sel Size (S,*M,L)`.
 * Text runs are always JSON-quoted, so page text can never pass for an element line.
 */
export function renderNode(node: SnapshotNode): string {
  // One space per level: a 200-field form pays for every byte of indentation 200 times.
  const indent = ' '.repeat(node.depth);
  if (node.role === 'text') return `${indent}${JSON.stringify(node.name)}`;
  if (node.role === 'heading') return `${indent}h${node.level ?? 2} ${renderText(node.name)}`;
  let line = `${indent}${node.ref !== undefined ? `${node.ref} ` : ''}${SHORT_ROLES[node.role] ?? node.role}`;
  // A frame's URL follows its name, so its name is always quoted.
  if (node.name !== '') line += ` ${node.url !== undefined ? JSON.stringify(node.name) : renderText(node.name)}`;
  // A select's value is one of its options: starring it there says the same as ` = value` without repeating it.
  const starred = node.value !== undefined && node.options !== undefined ? node.options.indexOf(node.value) : -1;
  if (node.value !== undefined && starred < 0) line += ` = ${renderText(node.value)}`;
  if (node.states !== undefined) line += ` [${node.states.join(' ')}]`;
  if (node.options !== undefined)
    line += ` (${node.options.map((option, i) => (i === starred ? '*' : '') + renderText(option)).join(',')})`;
  if (node.url !== undefined) line += ` ${node.url.slice(0, 200)}`;
  return line;
}

/** Lines that differ between two snapshots, as removed and added lines (order kept, multiset semantics). */
export function diffLines(before: readonly string[], after: readonly string[]): { removed: string[]; added: string[] } {
  const count = new Map<string, number>();
  for (const line of before) count.set(line, (count.get(line) ?? 0) + 1);
  const added: string[] = [];
  for (const line of after) {
    const left = count.get(line) ?? 0;
    if (left > 0) count.set(line, left - 1);
    else added.push(line);
  }
  const keep = new Map<string, number>();
  for (const line of after) keep.set(line, (keep.get(line) ?? 0) + 1);
  const removed: string[] = [];
  for (const line of before) {
    const left = keep.get(line) ?? 0;
    if (left > 0) keep.set(line, left - 1);
    else removed.push(line);
  }
  return { removed, added };
}

/** Finds the node a stale ref stood for in a newer snapshot: same frame, role, name and occurrence. */
export function refind(snapshot: Snapshot, key: string): SnapshotNode | undefined {
  return snapshot.nodes.find((node) => node.key === key);
}
