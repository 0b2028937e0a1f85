import type { Dirent } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { defineTool, READ_ONLY } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { quote } from '../lib/files.js';
import { formatSize } from '../lib/format.js';
import { offsetField, pathField } from './fields.js';

/** Default cap on entries in one listing. */
export const DEFAULT_LIST_LIMIT = 1000;
const MAX_LIST_LIMIT = 50_000;

const paging = {
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
  offset: offsetField,
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
  if (!(await sandbox.statResolved(realPath, given)).isDirectory())
    throw new InvalidArgumentError(
      `${quote(given)} is a file, not a directory; use get_file_info or read_text_file for a file.`,
    );
  const directory = sandbox.openDirectorySync(realPath, given);
  try {
    const entries = directory.entries();
    // lstat: a link's own size, never that of a target that may lie outside the allowed directories.
    const sizes = options.sizes
      ? await Promise.all(
          entries.map((entry) =>
            lstat(directory.entryPath(entry.name)).then(
              (info) => info.size,
              () => 0,
            ),
          ),
        )
      : [];
    return { entries, sizes };
  } finally {
    directory.close();
  }
}

/** list_directory and list_directory_with_sizes. */
export function listTools(fs: FilesystemContext): AnyToolDefinition[] {
  const listDirectory = defineTool({
    name: 'list_directory',
    title: 'List Directory',
    description: "List a directory's entries, each marked [FILE] or [DIR].",
    inputSchema: z.object({ path: pathField, ...paging }),
    outputSchema: z.object({
      total: z.number().describe('Entries in the directory.'),
      shown: z.number().describe('Entries in this reply.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given, limit, offset }, ctx) => {
      const { entries } = await readDirectory(fs, given, ctx, { sizes: false });
      const reply = ctx.reply();
      const page = reply.page(entries.slice(offset), {
        line: (entry) => `${entry.isDirectory() ? '[DIR]' : '[FILE]'} ${entry.name}`,
        noun: 'entries',
        offset,
        limit,
        total: entries.length,
      });
      // An empty directory answers an empty text, as the reference does.
      if (page.items.length === 0 && !page.truncated) reply.always('');
      reply.set({ total: entries.length, shown: page.items.length });
      return reply.build({ structured: true });
    },
  });

  const listDirectoryWithSizes = defineTool({
    name: 'list_directory_with_sizes',
    title: 'List Directory with Sizes',
    description:
      "List a directory's entries, each marked [FILE] or [DIR], with sizes and totals for the whole directory.",
    inputSchema: z.object({
      path: pathField,
      sortBy: z.enum(['name', 'size']).optional().default('name'),
      ...paging,
    }),
    outputSchema: z.object({
      total: z.number().describe('Entries in the directory.'),
      shown: z.number().describe('Entries in this reply.'),
      totalFiles: z.number(),
      totalDirectories: z.number(),
      combinedSize: z.number().describe('Bytes in its files (not recursive).'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given, sortBy, limit, offset }, ctx) => {
      const { entries, sizes } = await readDirectory(fs, given, ctx, { sizes: true });
      const detailed = entries.map((entry, index) => ({
        name: entry.name,
        isDirectory: entry.isDirectory(),
        size: sizes[index] ?? 0,
      }));
      detailed.sort(sortBy === 'size' ? (a, b) => b.size - a.size : (a, b) => a.name.localeCompare(b.name));
      const totalFiles = detailed.filter((entry) => !entry.isDirectory).length;
      const totalDirectories = detailed.length - totalFiles;
      const combinedSize = detailed.reduce((sum, entry) => sum + (entry.isDirectory ? 0 : entry.size), 0);
      const reply = ctx.reply();
      const page = reply.page(detailed.slice(offset), {
        line: (entry) =>
          `${entry.isDirectory ? '[DIR]' : '[FILE]'} ${entry.name.padEnd(30)} ${entry.isDirectory ? '' : formatSize(entry.size).padStart(10)}`,
        noun: 'entries',
        offset,
        limit,
        total: detailed.length,
      });
      // The totals cover the whole directory, so they come after any notice, as the reference ends its listing.
      reply.footer('');
      reply.footer(`Total: ${totalFiles} files, ${totalDirectories} directories`);
      reply.footer(`Combined size: ${formatSize(combinedSize)}`);
      reply.set({ total: detailed.length, shown: page.items.length, totalFiles, totalDirectories, combinedSize });
      return reply.build({ structured: true });
    },
  });

  return [listDirectory, listDirectoryWithSizes];
}
