import type { Dirent } from 'node:fs';
import path from 'node:path';
import { CancelledError, InvalidArgumentError, SandboxError } from '@portico-mcp/shared/errors';
import { truncationNotice } from '@portico-mcp/shared/output';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { quote } from '../lib/files.js';
import { treeExcludeGlobs } from '../lib/globs.js';
import { READ_ONLY } from './annotations.js';

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
async function buildTree(root: string, options: { sandbox: Sandbox; exclude: (relative: string) => boolean; maxDepth: number; maxEntries: number; signal: AbortSignal }) {
  const top: TreeNode[] = [];
  const placed: Placed[] = [];
  const orderOf = new WeakMap<TreeNode, number>();
  const queue: Array<{ absolute: string; relative: string; children: TreeNode[]; owner: TreeNode | undefined; depth: number }> = [
    { absolute: root, relative: '', children: top, owner: undefined, depth: 1 },
  ];
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
          queue.push({ absolute: path.join(job.absolute, entry.name), relative, children: node.children, owner: node, depth: job.depth + 1 });
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
      "Get a recursive tree view of files and directories as a JSON structure. Each entry includes 'name', 'type' (file/directory), and 'children' for directories. " +
      "The tree is built breadth-first up to maxDepth and maxEntries; a directory whose contents were not (all) listed has 'truncated': true (and no 'children' when none were listed). " +
      'The output is formatted with 2-space indentation for readability. Only works within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Directory at the top of the tree.'),
      excludePatterns: z.array(z.string()).optional().default([]).describe("Names or globs to leave out, e.g. 'node_modules' (at any depth) or '**/*.log'."),
      maxDepth: z.number().int().min(1).max(1000).optional().describe('Levels to descend (1 = the directory\'s own entries); default unlimited.'),
      maxEntries: z.number().int().min(1).max(MAX_TREE_ENTRIES).default(DEFAULT_TREE_ENTRIES).describe(`Most entries in the tree (default ${DEFAULT_TREE_ENTRIES}); the reply budget may cut it further.`),
    }),
    outputSchema: z.object({
      entries: z.number().describe('Entries in the tree returned.'),
      truncated: z.boolean().describe('True when entries were left out (see the truncated marks in the tree).'),
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given, excludePatterns, maxDepth, maxEntries }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const root = await sandbox.resolveInside(given, { mustExist: true });
      if (!(await sandbox.statResolved(root, given)).isDirectory()) throw new InvalidArgumentError(`${quote(given)} is a file, not a directory; pass a directory.`);
      const built = await buildTree(root, {
        sandbox,
        exclude: treeExcludeGlobs(excludePatterns),
        maxDepth: maxDepth ?? Number.POSITIVE_INFINITY,
        maxEntries,
        signal: ctx.signal,
      });
      let tree = built.top;
      let text = JSON.stringify(tree, null, 2);
      let count = built.count;
      let cutByBudget = false;
      const room = ctx.budget.remaining - 500;
      // Cut deeper entries until the JSON fits; each pass shrinks by the measured overshoot.
      for (let keep = count; Buffer.byteLength(text) > room && keep > 0; ) {
        cutByBudget = true;
        keep = Math.max(0, Math.floor((keep * room) / Buffer.byteLength(text) * 0.95));
        tree = pruneTree(built.top, keep, built.orderOf);
        text = JSON.stringify(tree, null, 2);
        count = countNodes(tree);
      }
      const truncated = built.capped || cutByBudget || text.includes('"truncated": true');
      const content: Array<{ type: 'text'; text: string }> = [{ type: 'text', text }];
      if (truncated) {
        // A separate block, so the first one stays valid JSON.
        content.push({
          type: 'text',
          text: truncationNotice({
            shown: `${count} entries, breadth-first; directories marked "truncated" were not fully listed`,
            reason: cutByBudget ? 'the reply budget' : built.capped ? `the maxEntries cap of ${maxEntries}` : `the maxDepth of ${maxDepth}`,
            next: 'call directory_tree on one of those directories, or use excludePatterns or a smaller maxDepth to spend the budget where you need it',
          }),
        });
      }
      ctx.budget.spend(Buffer.byteLength(text));
      return { content, structuredContent: { entries: count, truncated } };
    },
  });
  return [directoryTree];
}
