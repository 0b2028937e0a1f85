import type { Dirent, Stats } from 'node:fs';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, SandboxError } from '../errors/index.js';
import { errorCode } from './errno.js';
import { changedOutsideMessage, notDirectoryMessage, notFoundMessage, replacedByLinkMessage } from './messages.js';

// Absent on Windows (no O_DIRECTORY/O_NOFOLLOW); there the fallback's dev/ino and realpath checks carry the load.
const DIRECTORY_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** How an opened directory is read: through its descriptor (`/proc/self/fd`), or by path with a re-check. */
export type DirectoryAccess = 'descriptor' | 'verified-path';

let procFdSync: boolean | undefined;

/** Synchronous twin of `procFdAvailable`, for walks that read thousands of directories without the thread pool. */
export function procFdAvailableSync(): boolean {
  if (procFdSync === undefined) {
    try {
      procFdSync = statSync('/proc/self/fd').isDirectory();
    } catch {
      procFdSync = false;
    }
  }
  return procFdSync;
}

/**
 * A directory held open after it was checked inside the roots. Its entries are read through the descriptor,
 * so a link put at its name after the check is never followed; close it when done.
 */
export class OpenedDirectory {
  /** The real path it was checked at. */
  readonly realPath: string;
  readonly #fd: number;
  readonly #access: DirectoryAccess;
  #closed = false;

  constructor(fd: number, realPath: string, access: DirectoryAccess) {
    this.#fd = fd;
    this.realPath = realPath;
    this.#access = access;
  }

  /** Lists the directory's entries with their types, unsorted. */
  entries(): Dirent[] {
    if (this.#access === 'descriptor') return readdirSync(`/proc/self/fd/${this.#fd}`, { withFileTypes: true });
    // Node has no fdopendir: read by path, then make sure the name still leads to the directory held open,
    // which narrows the gap to the read itself (documented as a limit where /proc/self/fd is missing).
    const entries = readdirSync(this.realPath, { withFileTypes: true });
    if (!sameDirectory(this.#fd, this.realPath)) throw new SandboxError(changedOutsideMessage(this.realPath));
    return entries;
  }

  /** A path that reaches entry `name` of this directory without looking the directory up by name again. */
  entryPath(name: string): string {
    if (
      name === '' ||
      name === '.' ||
      name === '..' ||
      name.includes('/') ||
      name.includes(path.sep) ||
      name.includes('\0')
    ) {
      throw new InvalidArgumentError(`${JSON.stringify(name)} is not a single directory entry name.`);
    }
    return this.#access === 'descriptor' ? `/proc/self/fd/${this.#fd}/${name}` : path.join(this.realPath, name);
  }

  /** The directory's own metadata, from the descriptor. */
  stat(): Stats {
    return fstatSync(this.#fd);
  }

  /** Releases the descriptor; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

/**
 * Opens the directory at an already-checked real path without following a link at its last component, then
 * asks the kernel where the opened directory is (or, without /proc/self/fd, checks that the name still leads
 * to the same inode and still resolves to itself) and refuses it unless `isInside` accepts that place.
 */
export function openCheckedDirectory(
  realPath: string,
  given: string,
  isInside: (realPath: string) => boolean,
  access: DirectoryAccess = procFdAvailableSync() ? 'descriptor' : 'verified-path',
): OpenedDirectory {
  let fd: number;
  try {
    fd = openSync(realPath, DIRECTORY_FLAGS);
  } catch (error) {
    throw directoryOpenError(error, realPath, given);
  }
  try {
    if (!(access === 'descriptor' ? openedInside(fd, isInside) : openedAtPath(fd, realPath, isInside))) {
      throw new SandboxError(changedOutsideMessage(given));
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return new OpenedDirectory(fd, realPath, access);
}

/** Whether the kernel places the open descriptor `fd` where `isInside` accepts (false when it cannot say). */
export function openedInside(fd: number, isInside: (realPath: string) => boolean): boolean {
  try {
    return isInside(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}

function openedAtPath(fd: number, realPath: string, isInside: (realPath: string) => boolean): boolean {
  try {
    return sameDirectory(fd, realPath) && realpathSync.native(realPath) === realPath && isInside(realPath);
  } catch {
    return false;
  }
}

/** True when the name `realPath` is, right now, a directory (not a link) with the inode held open as `fd`. */
function sameDirectory(fd: number, realPath: string): boolean {
  try {
    const held = fstatSync(fd);
    const named = lstatSync(realPath);
    return named.isDirectory() && named.dev === held.dev && named.ino === held.ino;
  } catch {
    return false;
  }
}

function directoryOpenError(error: unknown, realPath: string, given: string): Error {
  switch (errorCode(error)) {
    case 'ENOENT':
      return new NotFoundError(notFoundMessage(given), { cause: error });
    case 'ELOOP':
    case 'EMLINK': // FreeBSD's answer to O_NOFOLLOW on a link
      return new SandboxError(replacedByLinkMessage(given), { cause: error });
    case 'ENOTDIR':
      // Linux answers O_DIRECTORY|O_NOFOLLOW on a symbolic link with ENOTDIR, as it does for a file.
      return isSymbolicLink(realPath)
        ? new SandboxError(replacedByLinkMessage(given), { cause: error })
        : new InvalidArgumentError(notDirectoryMessage(given), { cause: error });
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

function isSymbolicLink(candidate: string): boolean {
  try {
    return lstatSync(candidate).isSymbolicLink();
  } catch {
    return false;
  }
}
