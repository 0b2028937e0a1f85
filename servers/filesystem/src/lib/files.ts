import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, SandboxError } from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';

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
  const handle = await sandbox.openResolved(realPath, 'r');
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
export async function resolveEntry(sandbox: Sandbox, given: string): Promise<string> {
  const absolute = absoluteOf(sandbox, given);
  const parent = path.dirname(absolute);
  if (parent === absolute) throw new SandboxError(`Access denied: ${quote(given)} is the filesystem root; use a path inside an allowed directory.`);
  const realParent = await sandbox.resolveInside(parent, { mustExist: true });
  const entry = path.join(realParent, path.basename(absolute));
  // A root itself lives in an outside parent; its name must not be moved or replaced.
  if (!sandbox.isInside(entry) || sandbox.roots.includes(entry)) {
    throw new SandboxError(`Access denied: ${quote(given)} is an allowed directory itself or outside them; use a path inside one (${sandbox.roots.join(', ')}).`);
  }
  return entry;
}

/** The caller's path made absolute the way the sandbox does it: file: URIs, `~`, relative to the first root. */
function absoluteOf(sandbox: Sandbox, given: string): string {
  if (typeof given !== 'string' || given === '') throw new InvalidArgumentError('The path is empty; pass a file or directory path.');
  if (given.includes('\0')) throw new SandboxError(`Access denied: ${quote(given)} contains a NUL byte, which no file name can contain; remove it.`);
  let local = given;
  if (/^file:/i.test(given)) {
    try {
      local = fileURLToPath(new URL(given));
    } catch {
      throw new InvalidArgumentError(`${quote(given)} is not a local file URI; pass an absolute path or a URI of the form file:///path.`);
    }
  } else if (given === '~') local = os.homedir();
  else if (given.startsWith('~/')) local = path.join(os.homedir(), given.slice(2));
  const base = sandbox.roots[0];
  if (base === undefined) throw new SandboxError(`Access denied: no directory is allowed in this session, so ${quote(given)} cannot be used; share a root directory that the server allows.`);
  return path.resolve(base, local);
}
