import type { Dirent } from 'node:fs';
import path from 'node:path';
import { CancelledError, InvalidArgumentError, SandboxError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { defineTool, READ_ONLY } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { quote } from '../lib/files.js';
import { treeExcludeGlobs } from '../lib/globs.js';
import { excludeField, pathField } from './fields.js';

export const DEFAULT_TREE_ENTRIES = 1000;
const MAX_TREE_ENTRIES = 100_000;
const DIRECTORIES_PER_PAUSE = 64;

/** A node of the JSON tree; `truncated` marks a directory whose children were not all listed. */
interface TreeNode {
  name: string;
  type: 'file' | 'directory';
  children?: TreeNode[];
  truncated?: true;
}

/** Internal bookkeeping kept off the JSON: breadth-first order, for cutting to the budget. */
interface Placed {
  node: TreeNode;
  order: number;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Builds the tree breadth-first, so that a cap keeps the top levels whole and cuts the deepest ones. Stops
 * reading directories once `maxEntries` entries are placed: the cost follows what is returned.
 */
async function buildTree(
  root: string,
  options: {
    sandbox: Sandbox;
    exclude: (relative: string) => boolean;
    maxDepth: number;
    maxEntries: number;
    signal: AbortSignal;
  },
) {
  const top: TreeNode[] = [];
  const placed: Placed[] = [];
  const orderOf = new WeakMap<TreeNode, number>();
  const queue: Array<{
    absolute: string;
    relative: string;
    children: TreeNode[];
    owner: TreeNode | undefined;
    depth: number;
  }> = [{ absolute: root, relative: '', children: top, owner: undefined, depth: 1 }];
  let capped = false;
  let read = 0;
  for (let head = 0; head < queue.length; head++) {
    const job = queue[head]!;
    if (placed.length >= options.maxEntries) {
      capped = true;
      if (job.owner) {
        delete job.owner.children;
        job.owner.truncated = true;
      }
      continue;
    }
    if (++read % DIRECTORIES_PER_PAUSE === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal.aborted) throw new CancelledError();
    }
    let entries: Dirent[];
    try {
      // Classified as a directory when its parent was listed; a link may have taken the name since, so it is
      // opened without following one, checked inside, and read through the descriptor.
      const opened = options.sandbox.openDirectorySync(job.absolute);
      try {
        entries = opened.entries().sort(byName);
      } finally {
        opened.close();
      }
    } catch (error) {
      // The tree's own directory swapped since the tool checked it: say so rather than answer an empty tree.
      if (head === 0 && error instanceof SandboxError) throw error;
      continue;
    }
    for (const entry of entries) {
      const relative = job.relative === '' ? entry.name : `${job.relative}/${entry.name}`;
      if (options.exclude(relative)) continue;
      if (placed.length >= options.maxEntries) {
        capped = true;
        if (job.owner) job.owner.truncated = true;
        break;
      }
      const isDirectory = entry.isDirectory();
      const node: TreeNode = { name: entry.name, type: isDirectory ? 'directory' : 'file' };
      orderOf.set(node, placed.length);
      placed.push({ node, order: placed.length });
      job.children.push(node);
      if (isDirectory) {
        if (job.depth >= options.maxDepth) {
          node.truncated = true;
        } else {
          node.children = [];
          queue.push({
            absolute: path.join(job.absolute, entry.name),
            relative,
            children: node.children,
            owner: node,
            depth: job.depth + 1,
          });
        }
      }
    }
  }
  return { top, count: placed.length, capped, orderOf };
}

/** Keeps the first `keep` entries in breadth-first order, marking directories that lost children. */
function pruneTree(nodes: TreeNode[], keep: number, orderOf: WeakMap<TreeNode, number>): TreeNode[] {
  const kept: TreeNode[] = [];
  for (const node of nodes) {
    if ((orderOf.get(node) ?? 0) >= keep) continue;
    if (node.children) {
      const children = pruneTree(node.children, keep, orderOf);
      const copy: TreeNode = { name: node.name, type: node.type };
      if (children.length < node.children.length || node.truncated) {
        if (children.length > 0) copy.children = children;
        copy.truncated = true;
      } else copy.children = children;
      kept.push(copy);
    } else kept.push(node);
  }
  return kept;
}

function countNodes(nodes: readonly TreeNode[]): number {
  let count = 0;
  for (const node of nodes) count += 1 + (node.children ? countNodes(node.children) : 0);
  return count;
}

/** directory_tree. */
export function treeTools(fs: FilesystemContext): AnyToolDefinition[] {
  const directoryTree = defineTool({
    name: 'directory_tree',
    title: 'Directory Tree',
    description:
      "A directory's recursive tree as JSON (name, type, children), built breadth-first; a directory not fully listed is marked truncated.",
    inputSchema: z.object({
      path: pathField,
      excludePatterns: excludeField,
      maxDepth: z.number().int().min(1).max(1000).optional(),
      maxEntries: z.number().int().min(1).max(MAX_TREE_ENTRIES).default(DEFAULT_TREE_ENTRIES),
    }),
    outputSchema: z.object({
      entries: z.number().describe('Entries in the tree returned.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given, excludePatterns, maxDepth, maxEntries }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const root = await sandbox.resolveInside(given, { mustExist: true });
      if (!(await sandbox.statResolved(root, given)).isDirectory())
        throw new InvalidArgumentError(`${quote(given)} is a file, not a directory; pass a directory.`);
      const built = await buildTree(root, {
        sandbox,
        exclude: treeExcludeGlobs(excludePatterns),
        maxDepth: maxDepth ?? Number.POSITIVE_INFINITY,
        maxEntries,
        signal: ctx.signal,
      });
      const reply = ctx.reply();
      let tree = built.top;
      let text = JSON.stringify(tree, null, 2);
      let count = built.count;
      let cutByBudget = false;
      // Cut deeper entries until the JSON fits; each pass keeps about the share of entries that fitted.
      while (!reply.line(text)) {
        cutByBudget = true;
        if (count === 0) {
          reply.always(text);
          break;
        }
        // Fewer entries every pass (text.length counts characters, which multi-byte names outnumber in bytes).
        const keep = Math.min(count - 1, Math.floor((count * reply.remaining * 0.9) / text.length));
        tree = pruneTree(built.top, keep, built.orderOf);
        text = JSON.stringify(tree, null, 2);
        count = countNodes(tree);
      }
      if (built.capped || cutByBudget || text.includes('"truncated": true')) {
        reply.cut({
          shown: `${count} entries, breadth-first; directories marked "truncated" were not fully listed`,
          reason: cutByBudget
            ? 'the reply budget'
            : built.capped
              ? `the maxEntries cap of ${maxEntries}`
              : `the maxDepth of ${maxDepth}`,
          alternative:
            'call directory_tree on one of those directories, or use excludePatterns or a smaller maxDepth to spend the budget where you need it',
        });
      }
      reply.set({ entries: count });
      // The notice goes in a block of its own, so that the first stays valid JSON.
      return reply.build({ structured: true, noticeApart: true });
    },
  });
  return [directoryTree];
}
