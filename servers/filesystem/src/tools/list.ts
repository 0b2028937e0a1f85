import type { Dirent } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { truncationNotice } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { quote } from '../lib/files.js';
import { formatSize } from '../lib/format.js';
import { READ_ONLY } from './annotations.js';

/** Default cap on entries in one listing. */
export const DEFAULT_LIST_LIMIT = 1000;
const MAX_LIST_LIMIT = 50_000;

const entryKind = z.enum(['file', 'directory', 'symlink', 'other']);
type EntryKind = z.infer<typeof entryKind>;

function kindOf(entry: Dirent): EntryKind {
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  if (entry.isSymbolicLink()) return 'symlink';
  return 'other';
}

const paging = {
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT).describe(`Most entries to return (default ${DEFAULT_LIST_LIMIT}).`),
  offset: z.number().int().min(0).default(0).describe('Entries to skip, to continue a capped listing (the reply names it).'),
};

/**
 * Lists a directory through a descriptor opened and checked inside the roots, with each entry's own size
 * (lstat through that descriptor) when `sizes` is set: nothing is looked up by the checked name again, so a
 * link put there after the check is never followed.
 */
async function readDirectory(
  fs: FilesystemContext,
  given: string,
  ctx: Parameters<FilesystemContext['sandboxes']['forCall']>[0],
  options: { sizes: boolean },
): Promise<{ entries: Dirent[]; sizes: number[] }> {
  const sandbox = await fs.sandboxes.forCall(ctx);
  const realPath = await sandbox.resolveInside(given, { mustExist: true });
  if (!(await sandbox.statResolved(realPath, given)).isDirectory()) throw new InvalidArgumentError(`${quote(given)} is a file, not a directory; use get_file_info or read_text_file for a file.`);
  const directory = sandbox.openDirectorySync(realPath, given);
  try {
    const entries = directory.entries();
    // lstat: a link's own size, never that of a target that may lie outside the allowed directories.
    const sizes = options.sizes ? await Promise.all(entries.map((entry) => lstat(directory.entryPath(entry.name)).then((info) => info.size, () => 0))) : [];
    return { entries, sizes };
  } finally {
    directory.close();
  }
}

/**
 * Takes lines while the reply budget allows (each line's structured twin counted too, since both are
 * sent), starting at `offset`, at most `limit`. Returns how many were taken and why it stopped.
 */
function takeLines(lines: readonly string[], structuredBytes: (index: number) => number, offset: number, limit: number, room: number): { end: number; cutByBudget: boolean } {
  let used = 0;
  let end = offset;
  while (end < lines.length && end - offset < limit) {
    const cost = Buffer.byteLength(lines[end]!) + 1 + structuredBytes(end);
    if (used + cost > room) return { end, cutByBudget: true };
    used += cost;
    end++;
  }
  return { end, cutByBudget: false };
}

/** list_directory and list_directory_with_sizes. */
export function listTools(fs: FilesystemContext): AnyToolDefinition[] {
  const listDirectory = defineTool({
    name: 'list_directory',
    title: 'List Directory',
    description:
      'Get a detailed listing of all files and directories in a specified path. Results clearly distinguish between files and directories with [FILE] and [DIR] prefixes. ' +
      'Long listings are capped (limit, offset to continue). Only works within allowed directories.',
    inputSchema: z.object({ path: z.string().describe('Directory to list.'), ...paging }),
    outputSchema: z.object({
      entries: z.array(z.object({ name: z.string(), type: entryKind })).describe('The entries shown, in the order shown.'),
      total: z.number().describe('Entries in the directory.'),
      truncated: z.boolean().describe('True when entries were left out; continue with nextOffset.'),
      nextOffset: z.number().optional().describe('Pass as offset for the next entries.'),
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given, limit, offset }, ctx) => {
      const { entries } = await readDirectory(fs, given, ctx, { sizes: false });
      const lines = entries.map((entry) => `${entry.isDirectory() ? '[DIR]' : '[FILE]'} ${entry.name}`);
      const { end, cutByBudget } = takeLines(lines, (index) => Buffer.byteLength(entries[index]!.name) + 30, offset, limit, ctx.budget.remaining - 400);
      const shown = entries.slice(offset, end);
      let text = lines.slice(offset, end).join('\n');
      const truncated = end < entries.length;
      if (truncated) {
        text += `\n${truncationNotice({
          shown: `entries ${offset + 1}–${end} of ${entries.length}`,
          reason: cutByBudget ? 'the reply budget' : `the limit of ${limit}`,
          next: `call list_directory again with offset: ${end}`,
        })}`;
      }
      ctx.budget.spend(Buffer.byteLength(text));
      return {
        content: [{ type: 'text', text }],
        structuredContent: { entries: shown.map((entry) => ({ name: entry.name, type: kindOf(entry) })), total: entries.length, truncated, ...(truncated ? { nextOffset: end } : {}) },
      };
    },
  });

  const listDirectoryWithSizes = defineTool({
    name: 'list_directory_with_sizes',
    title: 'List Directory with Sizes',
    description:
      'Get a detailed listing of all files and directories in a specified path, including sizes. Results clearly distinguish between files and directories with [FILE] and [DIR] prefixes. ' +
      'Long listings are capped (limit, offset to continue); the totals always cover the whole directory. Only works within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Directory to list.'),
      sortBy: z.enum(['name', 'size']).optional().default('name').describe('Sort entries by name or size'),
      ...paging,
    }),
    outputSchema: z.object({
      entries: z.array(z.object({ name: z.string(), type: entryKind, size: z.number() })).describe('The entries shown, in the order shown (sizes of directories are 0).'),
      total: z.number().describe('Entries in the directory.'),
      totalFiles: z.number().describe('Files in the directory.'),
      totalDirectories: z.number().describe('Subdirectories in the directory.'),
      combinedSize: z.number().describe('Bytes in its files (not recursive).'),
      truncated: z.boolean().describe('True when entries were left out; continue with nextOffset.'),
      nextOffset: z.number().optional().describe('Pass as offset for the next entries.'),
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given, sortBy, limit, offset }, ctx) => {
      const { entries, sizes } = await readDirectory(fs, given, ctx, { sizes: true });
      const detailed = entries.map((entry, index) => ({ name: entry.name, isDirectory: entry.isDirectory(), type: kindOf(entry), size: sizes[index] ?? 0 }));
      detailed.sort(sortBy === 'size' ? (a, b) => b.size - a.size : (a, b) => a.name.localeCompare(b.name));
      const lines = detailed.map((entry) => `${entry.isDirectory ? '[DIR]' : '[FILE]'} ${entry.name.padEnd(30)} ${entry.isDirectory ? '' : formatSize(entry.size).padStart(10)}`);
      const totalFiles = detailed.filter((entry) => !entry.isDirectory).length;
      const totalDirectories = detailed.length - totalFiles;
      const combinedSize = detailed.reduce((sum, entry) => sum + (entry.isDirectory ? 0 : entry.size), 0);
      const summary = ['', `Total: ${totalFiles} files, ${totalDirectories} directories`, `Combined size: ${formatSize(combinedSize)}`];
      const { end, cutByBudget } = takeLines(lines, (index) => Buffer.byteLength(detailed[index]!.name) + 45, offset, limit, ctx.budget.remaining - 500);
      const truncated = end < detailed.length;
      const notice = truncated
        ? [
            truncationNotice({
              shown: `entries ${offset + 1}–${end} of ${detailed.length}`,
              reason: cutByBudget ? 'the reply budget' : `the limit of ${limit}`,
              next: `call list_directory_with_sizes again with offset: ${end}`,
            }),
          ]
        : [];
      const text = [...lines.slice(offset, end), ...notice, ...summary].join('\n');
      ctx.budget.spend(Buffer.byteLength(text));
      return {
        content: [{ type: 'text', text }],
        structuredContent: {
          entries: detailed.slice(offset, end).map(({ name, type, size }) => ({ name, type, size })),
          total: detailed.length,
          totalFiles,
          totalDirectories,
          combinedSize,
          truncated,
          ...(truncated ? { nextOffset: end } : {}),
        },
      };
    },
  });

  return [listDirectory, listDirectoryWithSizes];
}
