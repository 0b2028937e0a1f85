import { constants, fstatSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { quotePath } from '@portico-mcp/shared/sandbox';
import type { Sandbox } from '@portico-mcp/shared/sandbox';

// O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer) so the type check below can
// refuse it; it changes nothing for regular files. Absent on Windows, where there are no FIFOs to open.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** A caller's path as it appears in messages: the kernel's quoting, so every server words paths alike. */
export const quote = quotePath;

/** A regular file opened for reading inside the sandbox. */
export interface OpenedForRead {
  handle: FileHandle;
  realPath: string;
  stats: Stats;
}

/** Opens an existing regular file for reading, at the real path the sandbox checked (no final link followed after the check). */
export async function openFileForRead(sandbox: Sandbox, given: string): Promise<OpenedForRead> {
  const realPath = await sandbox.resolveInside(given, { mustExist: true });
  const handle = await sandbox.openResolved(realPath, READ_FLAGS, undefined, given);
  try {
    // fstat of a descriptor just opened is answered from the inode the open loaded: done synchronously it is one
    // system call of a few microseconds instead of a thread-pool round trip that costs ten times that.
    const stats = fstatSync(handle.fd);
    if (stats.isDirectory()) {
      throw new InvalidArgumentError(
        `${quote(given)} is a directory, not a file; use list_directory or directory_tree to see what it holds.`,
      );
    }
    if (!stats.isFile()) {
      throw new InvalidArgumentError(
        `${quote(given)} is not a regular file (a device, socket or pipe); only regular files can be read.`,
      );
    }
    return { handle, realPath, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The real path of the directory entry itself, for operations on a name rather than on what it points to
 * (move, the destination of a copy): the parent is resolved and checked, the last component is kept as is.
 */
export function resolveEntry(sandbox: Sandbox, given: string): Promise<string> {
  return sandbox.resolveEntryInside(given);
}

/**
 * Largest read done synchronously. A thread-pool round trip costs 30–80 µs, far more than copying this much
 * from the page cache, so small reads (a small file, the first or last lines of a large one) are done in
 * place; larger ones go through the pool so that the event loop is never held for long.
 */
export const SYNC_READ_MAX_BYTES = 64 * 1024;

/** Reads up to `length` bytes at `position` into `buffer` (from its start); resolves to the bytes read. */
export function readAt(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> | number {
  if (length <= SYNC_READ_MAX_BYTES) return readSync(handle.fd, buffer, 0, length, position);
  return handle.read(buffer, 0, length, position).then((result) => result.bytesRead);
}

/** Reads `length` bytes at `position` (fewer only at the end of the file) into a new buffer. */
export async function readRange(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const bytesRead =
      length - filled <= SYNC_READ_MAX_BYTES
        ? readSync(handle.fd, buffer, filled, length - filled, position + filled)
        : (await handle.read(buffer, filled, length - filled, position + filled)).bytesRead;
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * Closes a read handle without making the caller wait: nothing the caller sees depends on the close, and
 * awaiting it would add a thread-pool round trip to every reply. Close errors on a read-only descriptor mean
 * nothing to the caller and are dropped. Only for handles on which no operation is still pending.
 */
export function closeInBackground(handle: FileHandle): void {
  // Dispatched after the reply: the SDK sends it from the promise continuations of this call, which all run
  // before the next turn of the event loop, so even the close's own dispatch cost is off the reply's path.
  setImmediate(() => {
    handle.close().catch(() => undefined);
  });
}
