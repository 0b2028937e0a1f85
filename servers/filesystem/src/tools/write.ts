import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AlreadyExistsError, CancelledError, InvalidArgumentError, NotFoundError, SandboxError } from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { existingFileMode, replaceThroughTemporary, requireParentDirectory, syncDirectory, writeFileAtomic } from '../lib/atomic.js';
import { openFileForRead, quote, resolveEntry } from '../lib/files.js';
import { rootHolding } from '../lib/roots.js';

const COPY_CHUNK_BYTES = 1024 * 1024;
/** append_file's open: create if missing, never through a symbolic link at the name. */
const APPEND_FLAGS = constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** lstat that answers undefined for a missing entry. */
async function lstatIfAny(realPath: string): Promise<Stats | undefined> {
  try {
    return await lstat(realPath);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Puts `from` at `to` only if nothing is at `to`: a hard link fails atomically when the name is taken, which
 * a check-then-rename cannot promise. Filesystems without hard links fall back to check-then-rename.
 */
async function placeWithoutOverwrite(from: string, to: string, givenTo: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') throw new AlreadyExistsError(`${quote(givenTo)} already exists; choose another destination or remove it first.`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (await lstatIfAny(to)) throw new AlreadyExistsError(`${quote(givenTo)} already exists; choose another destination or remove it first.`);
    await rename(from, to);
    return;
  }
  await unlink(from);
}

/**
 * mkdir -p below the allowed directory that holds `realPath`, one level at a time, each made through its parent
 * directory pinned by the sandbox so that no level can be diverted outside; true when any level was created.
 */
async function makeDirectories(sandbox: Sandbox, realPath: string, given: string): Promise<boolean> {
  const top = rootHolding(sandbox, realPath) ?? realPath;
  let created = false;
  let current = top;
  for (const name of path.relative(top, realPath).split(path.sep).filter((part) => part !== '')) {
    current = path.join(current, name);
    await sandbox.withPinnedParent(current, async (pinned) => {
      try {
        await mkdir(pinned);
        created = true;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST' && (await stat(pinned)).isDirectory()) return;
        if (code === 'EEXIST' || code === 'ENOTDIR') {
          throw new AlreadyExistsError(`${quote(given)} (or one of its parents) exists and is a file, not a directory; choose another path.`);
        }
        throw error;
      }
    });
  }
  return created;
}

/** write_file, append_file, create_directory, copy_file and move_file. */
export function writeTools(fs: FilesystemContext): AnyToolDefinition[] {
  const writeFile = defineTool({
    name: 'write_file',
    title: 'Write File',
    description:
      'Create a new file or completely overwrite an existing file with new content (atomically: readers never see a half-written file; the file keeps its permissions). ' +
      'Use with caution as it overwrites existing files without warning. Only works within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Path of the file to write: absolute, or relative to the first allowed directory.'),
      content: z.string().describe('The complete new content of the file (UTF-8 text).'),
    }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file written.'),
      bytes: z.number().describe('Bytes written.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    handler: async ({ path: given, content }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const realPath = await sandbox.resolveInside(given);
      const data = Buffer.from(content, 'utf8');
      await writeFileAtomic(sandbox, realPath, given, data);
      return { content: [{ type: 'text', text: `Successfully wrote to ${given}` }], structuredContent: { path: realPath, bytes: data.length } };
    },
  });

  const appendFile = defineTool({
    name: 'append_file',
    title: 'Append to File',
    description:
      'Append text to the end of a file, creating the file when it does not exist (its directory must exist). Nothing is added between the old end and the new text, so include a leading newline when you need one. ' +
      'Only works within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Path of the file to append to: absolute, or relative to the first allowed directory.'),
      content: z.string().describe('Text to add at the end of the file (UTF-8).'),
    }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file.'),
      bytesAppended: z.number().describe('Bytes added.'),
      size: z.number().describe('File size after the append, in bytes.'),
      created: z.boolean().describe('Whether the file was created by this call.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async ({ path: given, content }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const realPath = await sandbox.resolveInside(given);
      const existed = (await existingFileMode(realPath, given)) !== undefined;
      if (!existed) await requireParentDirectory(realPath, given);
      const data = Buffer.from(content, 'utf8');
      // Opened through the pinned parent: a by-name O_CREAT could otherwise make an empty file outside first.
      const handle = await sandbox.withPinnedParent(realPath, async (pinned) => {
        try {
          return await open(pinned, APPEND_FLAGS, 0o666);
        } catch (error) {
          const code = errorCode(error);
          if (code === 'ELOOP' || code === 'EMLINK') {
            throw new SandboxError(`Access denied: ${quote(given)} was replaced by a symbolic link while it was being opened; try again.`, { cause: error });
          }
          throw error;
        }
      });
      let size: number;
      try {
        await handle.appendFile(data);
        await handle.sync();
        size = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
      const text = `Successfully appended ${data.length} bytes to ${given}${existed ? '' : ' (created it)'}`;
      return { content: [{ type: 'text', text }], structuredContent: { path: realPath, bytesAppended: data.length, size, created: !existed } };
    },
  });

  const createDirectory = defineTool({
    name: 'create_directory',
    title: 'Create Directory',
    description:
      'Create a new directory or ensure a directory exists. Can create multiple nested directories in one operation. ' +
      'If the directory already exists, this operation will succeed silently. Only works within allowed directories.',
    inputSchema: z.object({ path: z.string().describe('Path of the directory: absolute, or relative to the first allowed directory.') }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the directory.'),
      created: z.boolean().describe('False when it already existed.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async ({ path: given }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const realPath = await sandbox.resolveInside(given);
      const created = await makeDirectories(sandbox, realPath, given);
      if (!created && !(await sandbox.statResolved(realPath, given)).isDirectory()) {
        throw new AlreadyExistsError(`${quote(given)} exists and is a file, not a directory; choose another path.`);
      }
      return { content: [{ type: 'text', text: `Successfully created directory ${given}` }], structuredContent: { path: realPath, created } };
    },
  });

  const copyFile = defineTool({
    name: 'copy_file',
    title: 'Copy File',
    description:
      'Copy a file to a new path (the copy keeps the permissions; it appears complete or not at all). Fails if the destination exists unless overwrite is true. ' +
      'Both paths must be within allowed directories.',
    inputSchema: z.object({
      source: z.string().describe('File to copy.'),
      destination: z.string().describe('Path of the copy; its directory must exist.'),
      overwrite: z.boolean().default(false).describe('Replace an existing destination file (default false: fail instead).'),
    }),
    outputSchema: z.object({
      source: z.string().describe('Real path of the source.'),
      destination: z.string().describe('Real path of the copy.'),
      bytes: z.number().describe('Bytes copied.'),
      overwritten: z.boolean().describe('Whether an existing file was replaced.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    handler: async ({ source, destination, overwrite }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const from = await openFileForRead(sandbox, source);
      try {
        const to = await sandbox.resolveInside(destination);
        if (to === from.realPath) throw new InvalidArgumentError(`${quote(destination)} is the source file itself; choose another destination.`);
        const existing = await existingFileMode(to, destination);
        if (existing !== undefined && !overwrite) {
          throw new AlreadyExistsError(`${quote(destination)} already exists; choose another destination, or pass overwrite: true to replace it.`);
        }
        if (existing === undefined) await requireParentDirectory(to, destination);
        let copied = 0;
        const fill = async (handle: FileHandle): Promise<void> => {
          const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
          for (;;) {
            if (ctx.signal.aborted) throw new CancelledError();
            const { bytesRead } = await from.handle.read(buffer, 0, buffer.length, copied);
            if (bytesRead === 0) break;
            await handle.write(buffer, 0, bytesRead);
            copied += bytesRead;
          }
        };
        await replaceThroughTemporary(sandbox, to, from.stats.mode & 0o7777, fill, (temporary, target) =>
          overwrite ? rename(temporary, target) : placeWithoutOverwrite(temporary, target, destination),
        );
        const text = `Successfully copied ${source} to ${destination}${existing !== undefined ? ' (replaced the existing file)' : ''}`;
        return { content: [{ type: 'text', text }], structuredContent: { source: from.realPath, destination: to, bytes: copied, overwritten: existing !== undefined } };
      } finally {
        await from.handle.close();
      }
    },
  });

  const moveFile = defineTool({
    name: 'move_file',
    title: 'Move File',
    description:
      'Move or rename files and directories. Can move files between directories and rename them in a single operation. ' +
      'If the destination exists, the operation will fail (nothing is ever overwritten). A symbolic link is moved as a link. ' +
      'Both source and destination must be within allowed directories.',
    inputSchema: z.object({
      source: z.string().describe('File or directory to move.'),
      destination: z.string().describe('New path; must not exist yet, and its directory must exist.'),
    }),
    outputSchema: z.object({
      source: z.string().describe('Real path the entry had.'),
      destination: z.string().describe('Real path it has now.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    handler: async ({ source, destination }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const from = await resolveEntry(sandbox, source);
      const stats = await lstatIfAny(from);
      if (!stats) throw new NotFoundError(`${quote(source)} does not exist; check the path or list its directory.`);
      const to = await resolveEntry(sandbox, destination);
      if (to === from) throw new InvalidArgumentError(`${quote(destination)} is the source itself; choose another destination.`);
      if (stats.isDirectory() && to.startsWith(from + path.sep)) {
        throw new InvalidArgumentError(`${quote(destination)} is inside ${quote(source)}; a directory cannot be moved into itself.`);
      }
      // Both names are used through their pinned parents: linking or renaming by the checked names would follow
      // a directory swapped for a symbolic link in the meantime, and could pull an outside file in or push one out.
      await sandbox.withPinnedParent(from, (pinnedFrom) =>
        sandbox.withPinnedParent(to, async (pinnedTo) => {
          if (stats.isDirectory()) {
            // rename(2) would silently replace an empty directory at the destination: check first.
            if (await lstatIfAny(pinnedTo)) throw new AlreadyExistsError(`${quote(destination)} already exists; choose another destination or remove it first.`);
            await rename(pinnedFrom, pinnedTo);
          } else {
            await placeWithoutOverwrite(pinnedFrom, pinnedTo, destination);
          }
          await syncDirectory(path.dirname(pinnedTo));
        }),
      );
      return { content: [{ type: 'text', text: `Successfully moved ${source} to ${destination}` }], structuredContent: { source: from, destination: to } };
    },
  });

  return [writeFile, appendFile, createDirectory, copyFile, moveFile];
}
