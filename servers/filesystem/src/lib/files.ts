import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';

// O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer) so the type check below can
// refuse it; it changes nothing for regular files. Absent on Windows, where there are no FIFOs to open.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Quotes a caller's path for a message, on one line. */
export function quote(given: string): string {
  return JSON.stringify(given.length > 200 ? `${given.slice(0, 200)}…` : given);
}

/** A regular file opened for reading inside the sandbox. */
export interface OpenedForRead {
  handle: FileHandle;
  realPath: string;
  stats: Stats;
}

/** Opens an existing regular file for reading, at the real path the sandbox checked (no final link followed after the check). */
export async function openFileForRead(sandbox: Sandbox, given: string): Promise<OpenedForRead> {
  const realPath = await sandbox.resolveInside(given, { mustExist: true });
  const handle = await sandbox.openResolved(realPath, READ_FLAGS);
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw new InvalidArgumentError(`${quote(given)} is a directory, not a file; use list_directory or directory_tree to see what it holds.`);
    }
    if (!stats.isFile()) {
      throw new InvalidArgumentError(`${quote(given)} is not a regular file (a device, socket or pipe); only regular files can be read.`);
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
