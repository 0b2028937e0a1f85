import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { realpath, stat } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors/index.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_EXCL, O_APPEND } = constants;
// Absent on some platforms (O_NOFOLLOW and O_SYNC on Windows); 0 leaves the flags unchanged there.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_SYNC = constants.O_SYNC ?? 0;

/** Node's string open flags, as `fs.open` understands them. */
const STRING_FLAGS: ReadonlyMap<string, number> = new Map([
  ['r', O_RDONLY],
  ['rs', O_RDONLY | O_SYNC],
  ['sr', O_RDONLY | O_SYNC],
  ['r+', O_RDWR],
  ['rs+', O_RDWR | O_SYNC],
  ['sr+', O_RDWR | O_SYNC],
  ['w', O_TRUNC | O_CREAT | O_WRONLY],
  ['wx', O_TRUNC | O_CREAT | O_WRONLY | O_EXCL],
  ['xw', O_TRUNC | O_CREAT | O_WRONLY | O_EXCL],
  ['w+', O_TRUNC | O_CREAT | O_RDWR],
  ['wx+', O_TRUNC | O_CREAT | O_RDWR | O_EXCL],
  ['xw+', O_TRUNC | O_CREAT | O_RDWR | O_EXCL],
  ['a', O_APPEND | O_CREAT | O_WRONLY],
  ['ax', O_APPEND | O_CREAT | O_WRONLY | O_EXCL],
  ['xa', O_APPEND | O_CREAT | O_WRONLY | O_EXCL],
  ['as', O_APPEND | O_CREAT | O_WRONLY | O_SYNC],
  ['sa', O_APPEND | O_CREAT | O_WRONLY | O_SYNC],
  ['a+', O_APPEND | O_CREAT | O_RDWR],
  ['ax+', O_APPEND | O_CREAT | O_RDWR | O_EXCL],
  ['xa+', O_APPEND | O_CREAT | O_RDWR | O_EXCL],
  ['as+', O_APPEND | O_CREAT | O_RDWR | O_SYNC],
  ['sa+', O_APPEND | O_CREAT | O_RDWR | O_SYNC],
]);

/** Converts `fs.open` flags (a Node flag string or a number) to a number with O_NOFOLLOW added. */
export function noFollowFlags(flags: string | number): number {
  if (typeof flags === 'number' && Number.isInteger(flags) && flags >= 0) return flags | O_NOFOLLOW;
  const numeric = typeof flags === 'string' ? STRING_FLAGS.get(flags) : undefined;
  if (numeric === undefined) {
    throw new InvalidArgumentError(
      `Open flags ${JSON.stringify(flags)} are not valid; use a flag string such as "r", "w", "wx" or "a+", or a number.`,
    );
  }
  return numeric | O_NOFOLLOW;
}

/** Splits O_TRUNC off numeric flags so the caller can truncate through the handle after the post-open check. */
export function deferTruncate(flags: number): { readonly flags: number; readonly truncate: boolean } {
  // Truncating at open time would empty a file outside the sandbox before the post-open check could refuse it.
  return { flags: flags & ~O_TRUNC, truncate: (flags & O_TRUNC) !== 0 };
}

/** Where the kernel says an open file lives, as seen through /proc/self/fd. */
export type OpenedLocation =
  | { readonly kind: 'path'; readonly realPath: string }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'unavailable' };

let procFdProbe: Promise<boolean> | undefined;

/** True where /proc/self/fd exists (Linux), so open files can be located and reached through their descriptor. */
export function procFdAvailable(): Promise<boolean> {
  procFdProbe ??= stat('/proc/self/fd').then(
    (info) => info.isDirectory(),
    () => false,
  );
  return procFdProbe;
}

/** Asks the kernel for the real path of an open file; `unavailable` where /proc/self/fd does not exist. */
export async function openedLocation(handle: FileHandle): Promise<OpenedLocation> {
  if (!(await procFdAvailable())) return { kind: 'unavailable' };
  try {
    return { kind: 'path', realPath: await realpath(`/proc/self/fd/${handle.fd}`) };
  } catch {
    // The file was unlinked or renamed away after the open; we cannot tell where it is.
    return { kind: 'unknown' };
  }
}
