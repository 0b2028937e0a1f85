import { pathToFileURL } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { isPorticoError, TooLargeError } from '@portico-mcp/shared/errors';
import { formatBytes } from '@portico-mcp/shared/output';
import { readToEndCapped } from '@portico-mcp/shared/sandbox';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition, ToolContext } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { openFileForRead, quote } from '../lib/files.js';
import { readTextFile } from '../lib/read-text.js';
import { READ_ONLY } from './annotations.js';

const pathField = z.string().describe('Path of the file: absolute, or relative to the first allowed directory.');

const readTextInput = z.object({
  path: pathField,
  tail: z.number().int().min(0).optional().describe('If provided, returns only the last N lines of the file'),
  head: z.number().int().min(0).optional().describe('If provided, returns only the first N lines of the file'),
  offset: z.number().int().min(1).optional().describe('1-based number of the first line to return (use with limit for a range; a cut reply names the offset to continue from).'),
  limit: z.number().int().min(1).optional().describe('Number of lines to return from offset (default: to the end, within the reply budget).'),
});

const readTextOutput = z.object({
  path: z.string().describe('Real path of the file read.'),
  size: z.number().describe('File size in bytes.'),
  firstLine: z.number().optional().describe('1-based number of the first line shown, when known.'),
  lastLine: z.number().optional().describe('1-based number of the last line shown, when known.'),
  totalLines: z.number().optional().describe('Lines in the file, when the read reached its end.'),
  truncated: z.boolean().describe('True when the reply was cut to the budget; the text ends with a notice.'),
  nextOffset: z.number().optional().describe('Pass as offset to continue after a cut reply.'),
});

const READ_TEXT_DESCRIPTION =
  'Read a text file. With no options it returns the whole file when it fits the reply budget; otherwise the first lines with a notice naming the offset to continue from. ' +
  "'head' returns the first N lines, 'tail' the last N lines (both fast on any file size); 'offset' (1-based line) and 'limit' select any range. " +
  'Binary files are refused (use read_media_file). Only works within allowed directories.';

async function readTextHandler(fs: FilesystemContext, args: z.infer<typeof readTextInput>, ctx: ToolContext): Promise<CallToolResult> {
  const sandbox = await fs.sandboxes.forCall(ctx);
  const read = await readTextFile(sandbox, args.path, args, ctx.budget.remaining, ctx.signal);
  ctx.budget.spend(Buffer.byteLength(read.text));
  return { content: [{ type: 'text', text: read.text }], structuredContent: read.summary };
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.flac': 'audio/flac',
};

function mediaTypeOf(realPath: string): string {
  const dot = realPath.lastIndexOf('.');
  const extension = dot === -1 ? '' : realPath.slice(dot).toLowerCase();
  return MEDIA_TYPES[extension] ?? 'application/octet-stream';
}

/** read_text_file, read_file (its deprecated alias), read_multiple_files and read_media_file. */
export function readTools(fs: FilesystemContext): AnyToolDefinition[] {
  const readTextFileTool = defineTool({
    name: 'read_text_file',
    title: 'Read Text File',
    description: READ_TEXT_DESCRIPTION,
    inputSchema: readTextInput,
    outputSchema: readTextOutput,
    annotations: READ_ONLY,
    handler: (args, ctx) => readTextHandler(fs, args, ctx),
  });

  const readFileTool = defineTool({
    name: 'read_file',
    title: 'Read File (Deprecated)',
    description: 'Read a text file. DEPRECATED: use read_text_file instead (same arguments).',
    inputSchema: readTextInput,
    outputSchema: readTextOutput,
    annotations: READ_ONLY,
    handler: (args, ctx) => readTextHandler(fs, args, ctx),
  });

  const readMultipleFiles = defineTool({
    name: 'read_multiple_files',
    title: 'Read Multiple Files',
    description:
      "Read several text files in one call; each file's content is returned with its path as a reference, and the reply budget is shared fairly between them. " +
      "A failed read of one file does not stop the others. Only works within allowed directories.",
    inputSchema: z.object({
      paths: z
        .array(z.string())
        .min(1)
        .max(1000)
        .describe('Array of file paths to read. Each path must be a string pointing to a valid file within allowed directories.'),
    }),
    outputSchema: z.object({
      files: z
        .array(
          z.object({
            path: z.string().describe('The path as given.'),
            ok: z.boolean().describe('Whether the file was read.'),
            truncated: z.boolean().optional().describe('Whether its content was cut (read the rest with read_text_file and offset).'),
            nextOffset: z.number().optional().describe('Line to continue from with read_text_file.'),
          }),
        )
        .describe('One entry per requested path, in order.'),
    }),
    annotations: READ_ONLY,
    handler: async ({ paths }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const parts: string[] = [];
      const files: Array<{ path: string; ok: boolean; truncated?: boolean; nextOffset?: number }> = [];
      for (const [index, given] of paths.entries()) {
        // A fair share of what is left, so one large file cannot starve the ones after it.
        const share = Math.floor(ctx.budget.remaining / (paths.length - index)) - given.length - 16;
        if (share < 600) {
          const text = `${given}: Not shown - the reply budget is spent; read it with read_text_file.`;
          parts.push(text);
          ctx.budget.spend(Buffer.byteLength(text) + 5);
          files.push({ path: given, ok: false });
          continue;
        }
        try {
          const read = await readTextFile(sandbox, given, {}, share, ctx.signal);
          const text = `${given}:\n${read.text}\n`;
          parts.push(text);
          ctx.budget.spend(Buffer.byteLength(text) + 5);
          files.push({ path: given, ok: true, ...(read.summary.truncated ? { truncated: true } : {}), ...(read.summary.nextOffset ? { nextOffset: read.summary.nextOffset } : {}) });
        } catch (error) {
          if (ctx.signal.aborted) throw error;
          const text = `${given}: Error - ${isPorticoError(error) ? error.message : describeFailure(error)}`;
          parts.push(text);
          ctx.budget.spend(Buffer.byteLength(text) + 5);
          files.push({ path: given, ok: false });
        }
      }
      return { content: [{ type: 'text', text: parts.join('\n---\n') }], structuredContent: { files } };
    },
  });

  const readMediaFile = defineTool({
    name: 'read_media_file',
    title: 'Read Media File',
    description:
      'Read an image or audio file (or any file, as an embedded resource) and return it base64-encoded with its MIME type. ' +
      `Files over the configured limit (default ${formatBytes(fs.maxMediaBytes)}) are refused. Only works within allowed directories.`,
    inputSchema: z.object({ path: pathField }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file read.'),
      mimeType: z.string().describe('MIME type, from the file extension.'),
      size: z.number().describe('File size in bytes.'),
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const { handle, realPath, stats } = await openFileForRead(sandbox, given);
      try {
        // Capped while reading too: a file can grow after the fstat, and one that reports size 0 (a pseudo-file) has no end.
        const read = stats.size > fs.maxMediaBytes ? undefined : await readToEndCapped(handle, stats.size, fs.maxMediaBytes);
        if (read?.kind !== 'read') {
          throw new TooLargeError(
            `${quote(given)} is ${read ? 'growing past' : `${formatBytes(stats.size)}, over`} the ${formatBytes(fs.maxMediaBytes)} media limit; use a smaller file or ask the operator to raise --max-media-bytes.`,
          );
        }
        const data = read.bytes.toString('base64');
        const mimeType = mediaTypeOf(realPath);
        const block: CallToolResult['content'][number] = mimeType.startsWith('image/')
          ? { type: 'image', data, mimeType }
          : mimeType.startsWith('audio/')
            ? { type: 'audio', data, mimeType }
            : { type: 'resource', resource: { uri: pathToFileURL(realPath).href, mimeType, blob: data } };
        return { content: [block], structuredContent: { path: realPath, mimeType, size: stats.size } };
      } finally {
        await handle.close();
      }
    },
  });

  return [readTextFileTool, readFileTool, readMultipleFiles, readMediaFile];
}

/** One sentence for a failed read inside read_multiple_files (typed errors carry their own). */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'The file does not exist.';
  if (code === 'EACCES' || code === 'EPERM') return 'Permission denied.';
  if (code === 'EISDIR') return 'It is a directory, not a file.';
  return 'The file could not be read.';
}

