import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  AlreadyExistsError,
  CancelledError,
  InvalidArgumentError,
  NotFoundError,
  SandboxError,
} from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { defineTool, DESTRUCTIVE, WRITE, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition, ToolContext } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import {
  existingFileMode,
  replaceThroughTemporary,
  requireParentDirectory,
  syncDirectory,
  writeFileAtomic,
} from '../lib/atomic.js';
import { openFileForRead, quote, resolveEntry } from '../lib/files.js';
import { rootHolding } from '../lib/roots.js';
import { pathField } from './fields.js';

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
    if (code === 'EEXIST')
      throw new AlreadyExistsError(`${quote(givenTo)} already exists; choose another destination or remove it first.`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (await lstatIfAny(to))
      throw new AlreadyExistsError(`${quote(givenTo)} already exists; choose another destination or remove it first.`);
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
  for (const name of path
    .relative(top, realPath)
    .split(path.sep)
    .filter((part) => part !== '')) {
    current = path.join(current, name);
    await sandbox.withPinnedParent(current, async (pinned) => {
      try {
        await mkdir(pinned);
        created = true;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST' && (await stat(pinned)).isDirectory()) return;
        if (code === 'EEXIST' || code === 'ENOTDIR') {
          throw new AlreadyExistsError(
            `${quote(given)} (or one of its parents) exists and is a file, not a directory; choose another path.`,
          );
        }
        throw error;
      }
    });
  }
  return created;
}

/** The reply of a change: the reference's one-line answer, and its small structure. */
function done(ctx: ToolContext, text: string, structure: Record<string, unknown>) {
  const reply = ctx.reply();
  reply.always(text);
  reply.set(structure);
  return reply.build({ structured: true });
}

/** write_file, append_file, create_directory, copy_file and move_file. */
export function writeTools(fs: FilesystemContext): AnyToolDefinition[] {
  const writeFile = defineTool({
    name: 'write_file',
    title: 'Write File',
    description:
      'Create a file, or replace its whole content (atomically, keeping its mode). Overwrites without warning.',
    inputSchema: z.object({
      path: pathField,
      content: z.string(),
    }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file written.'),
      bytes: z.number().describe('Bytes written.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: withHints(DESTRUCTIVE, { idempotentHint: true }),
    effect: ({ path: given, content }) =>
      `Write ${content.length} characters to ${given}, replacing the file if it exists`,
    handler: async ({ path: given, content }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const realPath = await sandbox.resolveInside(given);
      const data = Buffer.from(content, 'utf8');
      await writeFileAtomic(sandbox, realPath, given, data);
      return done(ctx, `Successfully wrote to ${given}`, { path: realPath, bytes: data.length });
    },
  });

  const appendFile = defineTool({
    name: 'append_file',
    title: 'Append to File',
    description:
      'Append text to a file, creating it when missing. Nothing is added before the text: start it with a newline when needed.',
    inputSchema: z.object({
      path: pathField,
      content: z.string(),
    }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file.'),
      bytesAppended: z.number().describe('Bytes added.'),
      size: z.number().describe('File size after the append, in bytes.'),
      created: z.boolean().describe('Whether the file was created by this call.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: WRITE,
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
            throw new SandboxError(
              `Access denied: ${quote(given)} was replaced by a symbolic link while it was being opened; try again.`,
              { cause: error },
            );
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
      return done(ctx, text, { path: realPath, bytesAppended: data.length, size, created: !existed });
    },
  });

  const createDirectory = defineTool({
    name: 'create_directory',
    title: 'Create Directory',
    description: 'Create a directory and any missing parents; succeeds when it already exists.',
    inputSchema: z.object({ path: pathField }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the directory.'),
      created: z.boolean().describe('False when it already existed.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: withHints(WRITE, { idempotentHint: true }),
    handler: async ({ path: given }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const realPath = await sandbox.resolveInside(given);
      const created = await makeDirectories(sandbox, realPath, given);
      if (!created && !(await sandbox.statResolved(realPath, given)).isDirectory()) {
        throw new AlreadyExistsError(`${quote(given)} exists and is a file, not a directory; choose another path.`);
      }
      return done(ctx, `Successfully created directory ${given}`, { path: realPath, created });
    },
  });

  const copyFile = defineTool({
    name: 'copy_file',
    title: 'Copy File',
    description: 'Copy a file (keeping its mode); fails when the destination exists unless overwrite is true.',
    inputSchema: z.object({
      source: pathField,
      destination: pathField,
      overwrite: z.boolean().default(false),
    }),
    outputSchema: z.object({
      source: z.string().describe('Real path of the source.'),
      destination: z.string().describe('Real path of the copy.'),
      bytes: z.number().describe('Bytes copied.'),
      overwritten: z.boolean().describe('Whether an existing file was replaced.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: DESTRUCTIVE,
    effect: ({ source, destination, overwrite }) =>
      `Copy ${source} to ${destination}${overwrite ? ', replacing it if it exists' : ''}`,
    handler: async ({ source, destination, overwrite }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const from = await openFileForRead(sandbox, source);
      try {
        const to = await sandbox.resolveInside(destination);
        if (to === from.realPath)
          throw new InvalidArgumentError(
            `${quote(destination)} is the source file itself; choose another destination.`,
          );
        const existing = await existingFileMode(to, destination);
        if (existing !== undefined && !overwrite) {
          throw new AlreadyExistsError(
            `${quote(destination)} already exists; choose another destination, or pass overwrite: true to replace it.`,
          );
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
        return done(ctx, text, {
          source: from.realPath,
          destination: to,
          bytes: copied,
          overwritten: existing !== undefined,
        });
      } finally {
        await from.handle.close();
      }
    },
  });

  const moveFile = defineTool({
    name: 'move_file',
    title: 'Move File',
    description: 'Move or rename a file or directory; fails when the destination exists.',
    inputSchema: z.object({
      source: pathField,
      destination: pathField,
    }),
    outputSchema: z.object({
      source: z.string().describe('Real path the entry had.'),
      destination: z.string().describe('Real path it has now.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: DESTRUCTIVE,
    effect: ({ source, destination }) => `Move ${source} to ${destination}`,
    handler: async ({ source, destination }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const from = await resolveEntry(sandbox, source);
      const stats = await lstatIfAny(from);
      if (!stats) throw new NotFoundError(`${quote(source)} does not exist; check the path or list its directory.`);
      const to = await resolveEntry(sandbox, destination);
      if (to === from)
        throw new InvalidArgumentError(`${quote(destination)} is the source itself; choose another destination.`);
      if (stats.isDirectory() && to.startsWith(from + path.sep)) {
        throw new InvalidArgumentError(
          `${quote(destination)} is inside ${quote(source)}; a directory cannot be moved into itself.`,
        );
      }
      // Both names are used through their pinned parents: linking or renaming by the checked names would follow
      // a directory swapped for a symbolic link in the meantime, and could pull an outside file in or push one out.
      await sandbox.withPinnedParent(from, (pinnedFrom) =>
        sandbox.withPinnedParent(to, async (pinnedTo) => {
          if (stats.isDirectory()) {
            // rename(2) would silently replace an empty directory at the destination: check first.
            if (await lstatIfAny(pinnedTo))
              throw new AlreadyExistsError(
                `${quote(destination)} already exists; choose another destination or remove it first.`,
              );
            await rename(pinnedFrom, pinnedTo);
          } else {
            await placeWithoutOverwrite(pinnedFrom, pinnedTo, destination);
          }
          await syncDirectory(path.dirname(pinnedTo));
        }),
      );
      return done(ctx, `Successfully moved ${source} to ${destination}`, { source: from, destination: to });
    },
  });

  return [writeFile, appendFile, createDirectory, copyFile, moveFile];
}
