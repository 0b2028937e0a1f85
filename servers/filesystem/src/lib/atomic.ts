import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { quote } from './files.js';

/** Default mode of a new file, before the umask, as `fs.writeFile` uses. */
const NEW_FILE_MODE = 0o666;

/** Name of a temporary file next to `target`: hidden, unique, recognisable if a crash ever leaves one behind. */
export function temporaryNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.portico-tmp`);
}

/** The permission bits of an existing regular file at `realPath`, or undefined when nothing is there. */
export async function existingFileMode(realPath: string, given: string): Promise<number | undefined> {
  try {
    const stats = await lstat(realPath);
    if (stats.isDirectory()) throw new InvalidArgumentError(`${quote(given)} is a directory; pass the path of a file.`);
    if (!stats.isFile())
      throw new InvalidArgumentError(`${quote(given)} is not a regular file; only regular files can be written.`);
    return stats.mode & 0o7777;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Throws NotFoundError when the directory a file would be created in does not exist. */
export async function requireParentDirectory(realPath: string, given: string): Promise<void> {
  try {
    const stats = await lstat(path.dirname(realPath));
    if (stats.isDirectory()) return;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT' && (error as { code?: string }).code !== 'ENOTDIR') throw error;
  }
  throw new NotFoundError(
    `The parent directory of ${quote(given)} does not exist; create it first with create_directory.`,
  );
}

/** Creates a new file only: never opens an existing one, never follows a symbolic link at the name. */
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** Moves a filled temporary file to the target's name; both names reach into the same pinned directory. */
export type PlaceTemporary = (temporary: string, target: string) => Promise<void>;

/**
 * Writes a new temporary file next to `realPath`, fills it through `fill`, fsyncs it, and lets `place` rename or
 * link it into place; the temporary file is removed on any failure. Every by-name step (create, rename, link,
 * directory fsync) goes through the parent directory the sandbox opened and checked, so a directory on the path
 * swapped for a symbolic link in the meantime cannot carry any of them outside the allowed directories.
 */
export async function replaceThroughTemporary(
  sandbox: Sandbox,
  realPath: string,
  mode: number | undefined,
  fill: (handle: FileHandle) => Promise<void>,
  place: PlaceTemporary,
): Promise<void> {
  await sandbox.withPinnedParent(realPath, async (target) => {
    const temporary = temporaryNameFor(target);
    const handle = await open(temporary, CREATE_NEW, mode ?? NEW_FILE_MODE);
    try {
      await fill(handle);
      // The umask applied at creation; an existing file's exact mode (setuid bits aside) is restored here.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await place(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await syncDirectory(path.dirname(target));
  });
}

/** Flushes a directory entry change (rename, link) to disk; best effort where directories cannot be opened. */
export async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the data itself is already synced.
  }
}

/**
 * Replaces (or creates) the file at `realPath` atomically: readers see the old content or the new, never a
 * mix. The file keeps its mode. A symbolic link is never written through here: `realPath` is already the
 * resolved target that the sandbox checked, and the rename replaces that directory entry.
 */
export async function writeFileAtomic(
  sandbox: Sandbox,
  realPath: string,
  given: string,
  data: string | Uint8Array,
): Promise<void> {
  const mode = await existingFileMode(realPath, given);
  if (mode === undefined) await requireParentDirectory(realPath, given);
  await replaceThroughTemporary(
    sandbox,
    realPath,
    mode,
    async (handle) => {
      await handle.writeFile(data);
    },
    (temporary, target) => rename(temporary, target),
  );
}
