import { pathToFileURL } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { TooLargeError } from '@portico-mcp/shared/errors';
import { errorSentence, formatBytes, TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import type { Reply } from '@portico-mcp/shared/output';
import { readToEndCapped } from '@portico-mcp/shared/sandbox';
import { defineTool, READ_ONLY } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition, ToolContext } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { openFileForRead, quote } from '../lib/files.js';
import { readTextFile } from '../lib/read-text.js';
import type { TextRead } from '../lib/read-text.js';
import { pathField } from './fields.js';

/**
 * A file of read_multiple_files gets a part of the reply only when its fair share of what is left is at least
 * this much: less would show a few lines at best, and the file is better read on its own.
 */
const MIN_FILE_SHARE_BYTES = 600;
/** Cut files named in read_multiple_files' notice; the structure lists every one. */
const CUT_FILES_NAMED = 3;

const readTextInput = z.object({
  path: pathField,
  tail: z.number().int().min(0).optional(),
  head: z.number().int().min(0).optional(),
  offset: z.number().int().min(1).optional().describe('1-based first line.'),
  limit: z.number().int().min(1).optional().describe('Lines from offset.'),
});

const readTextOutput = z.object({
  path: z.string().describe('Real path of the file read.'),
  size: z.number().describe('File size in bytes.'),
  firstLine: z.number().optional(),
  lastLine: z.number().optional(),
  totalLines: z.number().optional().describe('Lines in the file, when the read reached its end.'),
  ...TRUNCATION_SHAPE,
});

/** Adds a read's content to the reply: verbatim when it fits (final newline included), else cut on a line. */
function addContent(reply: Reply, text: string): void {
  if (!reply.line(text)) reply.text(text);
}

async function readTextHandler(
  fs: FilesystemContext,
  args: z.infer<typeof readTextInput>,
  ctx: ToolContext,
): Promise<CallToolResult> {
  const sandbox = await fs.sandboxes.forCall(ctx);
  const reply = ctx.reply();
  const read = await readTextFile(sandbox, args.path, args, reply.remaining, ctx.signal);
  addContent(reply, read.text);
  if (read.cut) reply.cut(read.cut);
  reply.set(read.summary);
  return reply.build({ structured: true });
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

/** The one notice of read_multiple_files: which files were cut or left out, and how to read the rest. */
function multipleFilesCut(
  cutFiles: ReadonlyArray<{ path: string; offset?: number }>,
  notShown: number,
  total: number,
): Parameters<Reply['cut']>[0] {
  const named = cutFiles
    .slice(0, CUT_FILES_NAMED)
    .map((file) => (file.offset !== undefined ? `${quote(file.path)} from offset ${file.offset}` : quote(file.path)));
  const others = cutFiles.length - named.length;
  const parts = [
    ...(named.length > 0
      ? [
          `read the rest of ${named.join(', ')}${others > 0 ? ` (and ${others} more, listed in files)` : ''} with read_text_file`,
        ]
      : []),
    ...(notShown > 0 ? [`read the ${notShown} not shown with read_text_file or in a smaller batch`] : []),
  ];
  return {
    shown: `${total - notShown} of ${total} files${cutFiles.length > 0 ? `, ${cutFiles.length} of them in part` : ''}`,
    reason: 'the reply budget',
    alternative: parts.join('; '),
  };
}

/** read_text_file, read_file (its deprecated alias), read_multiple_files and read_media_file. */
export function readTools(fs: FilesystemContext): AnyToolDefinition[] {
  const readTextFileTool = defineTool({
    name: 'read_text_file',
    title: 'Read Text File',
    description:
      'Read a text file, whole or in part: the first or last N lines (head, tail), or a line range (offset, limit). Refuses binary files (use read_media_file).',
    inputSchema: readTextInput,
    outputSchema: readTextOutput,
    annotations: READ_ONLY,
    handler: (args, ctx) => readTextHandler(fs, args, ctx),
  });

  const readFileTool = defineTool({
    name: 'read_file',
    title: 'Read File (Deprecated)',
    description: 'Read a text file. Deprecated: use read_text_file (same arguments).',
    inputSchema: readTextInput,
    outputSchema: readTextOutput,
    annotations: READ_ONLY,
    handler: (args, ctx) => readTextHandler(fs, args, ctx),
  });

  const readMultipleFiles = defineTool({
    name: 'read_multiple_files',
    title: 'Read Multiple Files',
    description:
      'Read several text files in one call, each under its path; the reply budget is shared between them, and a failed read does not stop the others.',
    inputSchema: z.object({ paths: z.array(z.string()).min(1).max(1000) }),
    outputSchema: z.object({
      files: z
        .array(
          z.object({
            path: z.string().describe('The path as given.'),
            ok: z.boolean().describe('Whether the file was read (in part when cut).'),
            cut: z.boolean().optional().describe('Its content was cut: read the rest with read_text_file and next.'),
            next: z
              .object({ offset: z.number(), limit: z.number().optional() })
              .optional()
              .describe('read_text_file arguments that continue the file.'),
          }),
        )
        .describe('One entry per requested path, in order.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ paths }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const reply = ctx.reply();
      const files: Array<{ path: string; ok: boolean; cut?: boolean; next?: { offset: number; limit?: number } }> = [];
      const cutFiles: Array<{ path: string; offset?: number }> = [];
      let notShown = 0;
      for (const [index, given] of paths.entries()) {
        if (index > 0) reply.always('---');
        // A fair share of what is left, so one large file cannot starve the ones after it.
        const share = Math.floor(reply.remaining / (paths.length - index));
        if (share < MIN_FILE_SHARE_BYTES) {
          reply.always(`${given}: Not shown - the reply budget is spent; read it with read_text_file.`);
          files.push({ path: given, ok: false });
          notShown++;
          continue;
        }
        let read: TextRead;
        try {
          read = await readTextFile(sandbox, given, {}, share, ctx.signal);
        } catch (error) {
          if (ctx.signal.aborted) throw error;
          reply.always(
            `${given}: Error - ${errorSentence(error, (unexpected) => ctx.log.error('read failed unexpectedly', { error: unexpected }))}`,
          );
          files.push({ path: given, ok: false });
          continue;
        }
        reply.always(`${given}:`);
        // As the reference lays it out: the content, then an empty line.
        if (!reply.line(`${read.text}\n`)) {
          // The last file's share was all that was left, before its path line took some: read it again within the rest.
          read = await readTextFile(sandbox, given, {}, reply.remaining, ctx.signal);
          reply.text(read.text);
        }
        if (read.cut) {
          files.push({ path: given, ok: true, cut: true, ...(read.cut.next ? { next: read.cut.next } : {}) });
          cutFiles.push({ path: given, ...(read.cut.next ? { offset: read.cut.next.offset } : {}) });
        } else {
          files.push({ path: given, ok: true });
        }
      }
      if (cutFiles.length > 0 || notShown > 0) reply.cut(multipleFilesCut(cutFiles, notShown, paths.length));
      reply.set({ files });
      return reply.build({ structured: true });
    },
  });

  const readMediaFile = defineTool({
    name: 'read_media_file',
    title: 'Read Media File',
    description:
      'Read an image or audio file (any other file comes as an embedded resource), base64-encoded with its MIME type.',
    inputSchema: z.object({ path: pathField }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file read.'),
      mimeType: z.string().describe('MIME type, from the file extension.'),
      size: z.number().describe('File size in bytes.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ path: given }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const { handle, realPath, stats } = await openFileForRead(sandbox, given);
      let bytes: Buffer;
      try {
        // Capped while reading too: a file can grow after the fstat, and one that reports size 0 (a pseudo-file) has no end.
        const read =
          stats.size > fs.maxMediaBytes ? undefined : await readToEndCapped(handle, stats.size, fs.maxMediaBytes);
        if (read?.kind !== 'read') {
          throw new TooLargeError(
            `${quote(given)} is ${read ? 'growing past' : `${formatBytes(stats.size)}, over`} the ${formatBytes(fs.maxMediaBytes)} media limit; use a smaller file or ask the operator to raise --max-media-bytes.`,
          );
        }
        bytes = read.bytes;
      } finally {
        await handle.close();
      }
      const data = bytes.toString('base64');
      const mimeType = mediaTypeOf(realPath);
      const block: CallToolResult['content'][number] = mimeType.startsWith('image/')
        ? { type: 'image', data, mimeType }
        : mimeType.startsWith('audio/')
          ? { type: 'audio', data, mimeType }
          : { type: 'resource', resource: { uri: pathToFileURL(realPath).href, mimeType, blob: data } };
      const reply = ctx.reply();
      // Media have their own allowance beside the text budget; --max-media-bytes keeps within it.
      if (!reply.media(block)) {
        throw new TooLargeError(
          `${quote(given)} is ${formatBytes(data.length)} base64-encoded, more than one reply may carry; use a smaller file.`,
        );
      }
      reply.set({ path: realPath, mimeType, size: stats.size });
      return reply.build({ structured: true });
    },
  });

  return [readTextFileTool, readFileTool, readMultipleFiles, readMediaFile];
}
