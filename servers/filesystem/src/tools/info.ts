import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { defineTool, READ_ONLY } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { pathField } from './fields.js';

/** get_file_info and list_allowed_directories. */
export function infoTools(fs: FilesystemContext): AnyToolDefinition[] {
  const getFileInfo = defineTool({
    name: 'get_file_info',
    title: 'Get File Info',
    description:
      "A file's or directory's metadata: size, creation, modification and access times, permissions and type.",
    inputSchema: z.object({ path: pathField }),
    outputSchema: z.object({
      path: z.string().describe('Real path described.'),
      size: z.number().describe('Size in bytes.'),
      created: z.string().describe('Creation time, ISO 8601.'),
      modified: z.string().describe('Last modification time, ISO 8601.'),
      accessed: z.string().describe('Last access time, ISO 8601.'),
      isDirectory: z.boolean(),
      isFile: z.boolean(),
      permissions: z.string().describe('Permission bits in octal, e.g. 644.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const realPath = await sandbox.resolveInside(given, { mustExist: true });
      const stats = await sandbox.statResolved(realPath, given);
      const info = {
        size: stats.size,
        created: stats.birthtime,
        modified: stats.mtime,
        accessed: stats.atime,
        isDirectory: stats.isDirectory(),
        isFile: stats.isFile(),
        permissions: stats.mode.toString(8).slice(-3),
      };
      // Same lines as the reference, so anything that parsed its answer still can.
      const text = Object.entries(info)
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join('\n');
      const reply = ctx.reply();
      reply.always(text);
      reply.set({
        path: realPath,
        ...info,
        created: info.created.toISOString(),
        modified: info.modified.toISOString(),
        accessed: info.accessed.toISOString(),
      });
      return reply.build({ structured: true });
    },
  });

  const listAllowedDirectories = defineTool({
    name: 'list_allowed_directories',
    title: 'List Allowed Directories',
    description:
      'The directories this server may use, everything beneath them included (after any narrowing by the roots your client shares).',
    inputSchema: z.object({}),
    outputSchema: z.object({
      directories: z
        .array(z.string())
        .describe('Real paths of the allowed directories; relative paths resolve against the first.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async (_args, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const directories = [...sandbox.roots];
      const text =
        directories.length > 0
          ? `Allowed directories:\n${directories.join('\n')}`
          : 'Allowed directories:\n(none: the roots your client shares lie outside the directories this server was started with)';
      const reply = ctx.reply();
      reply.always(text);
      reply.set({ directories });
      return reply.build({ structured: true });
    },
  });

  return [getFileInfo, listAllowedDirectories];
}
