import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

// Absent on Windows; there /proc/self/fd does not exist either, so pinning is never attempted.
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Opens a directory for pinning: read-only, must be a directory, and a final symbolic link is refused. */
export function openDirectoryNoFollow(directory: string): Promise<FileHandle> {
  return open(directory, constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

/** The name that reaches `name` inside the directory open as `handle`, whatever its path has become since. */
export function pinnedName(handle: FileHandle, name: string): string {
  return `/proc/self/fd/${handle.fd}/${name}`;
}
