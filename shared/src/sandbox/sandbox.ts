import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  SandboxError,
  TooLargeError,
} from '../errors/index.js';
import { isInsideAny } from './contain.js';
import { openCheckedDirectory, openedInside, procFdAvailableSync } from './directory.js';
import type { OpenedDirectory } from './directory.js';
import { errorCode } from './errno.js';
import { toAbsolutePath } from './input.js';
import {
  changedOutsideMessage,
  loopMessage,
  noRootsMessage,
  notFoundMessage,
  outsideMessage,
  quotePath,
  replacedByLinkMessage,
  resolvesOutsideMessage,
  unresolvableMessage,
} from './messages.js';
import { deferTruncate, noFollowFlags, openedLocation, procFdAvailable } from './open.js';
import { openDirectoryNoFollow, pinnedName } from './pinned.js';
import { readToEndCapped } from './read.js';
import { resolveReal } from './realpath.js';
import { intersectRoots, realClientRoot, realOperatorRoot, uniqueRoots } from './roots.js';

/** Where `~` and relative operator roots are taken from; both default to the process's own. */
export interface SandboxOptions {
  readonly home?: string;
  readonly cwd?: string;
  /** What the server calls its roots in startup errors: "Allowed directory" (default), "Repository". */
  readonly rootNoun?: string;
}

/** Options of `Sandbox.resolveInside`. */
export interface ResolveOptions {
  /** Throw NotFoundError (after the containment check) when the path does not exist. */
  readonly mustExist?: boolean;
}

/** Options of `Sandbox.readFileInside`. */
export interface ReadInsideOptions {
  /** Largest file read; a larger one (or one that grows past this while read) throws TooLargeError. */
  readonly maxBytes: number;
}

// O_NONBLOCK makes a FIFO open at once (to be refused as not a regular file) instead of waiting for a writer.
const OWN_READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** A file opened inside the sandbox, with the real path it was opened at. */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly realPath: string;
}

/**
 * The set of directories a server may touch. Every decision is made on the real path (all symbolic links
 * followed), and that real path is what callers then operate on. Relative paths start at the first root.
 */
export class Sandbox {
  readonly #roots: readonly string[];
  readonly #home: string;

  private constructor(roots: readonly string[], home: string) {
    this.#roots = Object.freeze([...roots]);
    this.#home = home;
  }

  /** Builds a sandbox from operator roots: each is `~`-expanded, made absolute, realpath'd and must be a directory. */
  static async create(roots: readonly string[], options: SandboxOptions = {}): Promise<Sandbox> {
    if (roots.length === 0) {
      throw new InvalidArgumentError('No allowed directory was given; pass at least one directory the server may use.');
    }
    const cwd = options.cwd ?? process.cwd();
    const home = path.resolve(cwd, options.home ?? os.homedir());
    const real: string[] = [];
    for (const root of roots) real.push(await realOperatorRoot(root, home, cwd, options.rootNoun));
    return new Sandbox(uniqueRoots(real), home);
  }

  /** Builds a sandbox from MCP client roots alone, for a server started without operator roots; may have zero roots. */
  static async fromClientRoots(
    clientRoots: readonly string[],
    options: { readonly home?: string } = {},
  ): Promise<Sandbox> {
    const home = path.resolve(options.home ?? os.homedir());
    return new Sandbox(uniqueRoots(await realClientRoots(clientRoots)), home);
  }

  /** The real paths of the allowed directories, in order; relative paths resolve against the first. */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** True when an already-real, absolute path is one of the roots or lies beneath one (a pure string check). */
  isInside(realPath: string): boolean {
    return isInsideAny(realPath, this.#roots);
  }

  /** Narrows this sandbox to the MCP roots a client sent; the result never allows anything this one does not. */
  async narrow(clientRoots: readonly string[]): Promise<Sandbox> {
    return new Sandbox(intersectRoots(this.#roots, await realClientRoots(clientRoots)), this.#home);
  }

  /** Resolves a caller's path to the real path to operate on, or throws SandboxError when it leads outside. */
  async resolveInside(given: string, options: ResolveOptions = {}): Promise<string> {
    const base = this.#roots[0];
    if (base === undefined) throw new SandboxError(noRootsMessage(String(given)));
    const absolute = toAbsolutePath(given, this.#home, base);
    const resolution = await resolveReal(absolute);
    // Before containment is established, an outside path gets the plain refusal whatever went wrong with it,
    // so that nothing is revealed about what exists outside.
    const insideAsWritten = this.isInside(absolute);
    switch (resolution.kind) {
      case 'loop':
        throw new SandboxError(insideAsWritten ? loopMessage(given) : outsideMessage(given, this.#roots));
      case 'unresolvable':
        throw new SandboxError(
          insideAsWritten ? unresolvableMessage(given, resolution.code) : outsideMessage(given, this.#roots),
        );
      case 'existing':
      case 'missing':
        if (!this.isInside(resolution.realPath)) {
          throw new SandboxError(
            insideAsWritten ? resolvesOutsideMessage(given, this.#roots) : outsideMessage(given, this.#roots),
          );
        }
        if (resolution.kind === 'missing' && options.mustExist === true) {
          throw new NotFoundError(notFoundMessage(given));
        }
        return resolution.realPath;
    }
  }

  /**
   * Resolves a caller's path to the directory entry itself rather than what it points to: the parent is
   * resolved and checked, the last component is kept as written (so a symbolic link is moved or removed as a
   * link), and an allowed directory itself is refused because its entry lives in an outside parent.
   */
  async resolveEntryInside(given: string): Promise<string> {
    const base = this.#roots[0];
    if (base === undefined) throw new SandboxError(noRootsMessage(String(given)));
    const absolute = toAbsolutePath(given, this.#home, base);
    const parent = path.dirname(absolute);
    if (parent === absolute) throw new SandboxError(outsideMessage(given, this.#roots));
    const entry = path.join(await this.resolveInside(parent, { mustExist: true }), path.basename(absolute));
    if (!this.isInside(entry) || this.#roots.includes(entry)) {
      throw new SandboxError(
        `Access denied: ${quotePath(given)} is an allowed directory itself or outside them; use a path inside one (${this.#roots.join(', ')}).`,
      );
    }
    return entry;
  }

  /** Resolves a caller's path and opens it without following a final symbolic link, re-checking where it landed. */
  async openInside(given: string, flags: string | number, mode?: number): Promise<OpenedFile> {
    const realPath = await this.resolveInside(given);
    return { handle: await this.#openReal(realPath, flags, mode, given), realPath };
  }

  /**
   * Opens a path previously returned by `resolveInside`, with the same no-follow open and re-check as
   * `openInside`; `given` is the caller's own spelling, for messages.
   */
  async openResolved(
    realPath: string,
    flags: string | number,
    mode?: number,
    given: string = realPath,
  ): Promise<FileHandle> {
    if (!this.isInside(realPath)) throw new SandboxError(outsideMessage(given, this.#roots));
    return this.#openReal(realPath, flags, mode, given);
  }

  /**
   * Opens the directory at a path returned by `resolveInside` for listing, without following a link put at
   * its name since, and re-checks where the kernel says it is; synchronous, for walks over many directories.
   */
  openDirectorySync(realPath: string, given: string = realPath): OpenedDirectory {
    if (!this.isInside(realPath)) throw new SandboxError(outsideMessage(given, this.#roots));
    return openCheckedDirectory(realPath, given, (where) => this.isInside(where));
  }

  /**
   * Whether a file the caller opened itself (by a walked name, without following a final link) lies inside
   * the roots, as the kernel sees it: a directory above the name may have been swapped for a link to outside,
   * which O_NOFOLLOW cannot see. Synchronous, for walks that open thousands of files. Where /proc/self/fd
   * does not exist the open is trusted, as `openResolved` does.
   */
  isOpenedInsideSync(fd: number): boolean {
    return !procFdAvailableSync() || openedInside(fd, (where) => this.isInside(where));
  }

  /**
   * The metadata of the entry at a path returned by `resolveInside`, never of what a link swapped in since
   * points to: looked up without following its last component, through its parent opened and checked inside.
   */
  async statResolved(realPath: string, given: string = realPath): Promise<Stats> {
    if (!this.isInside(realPath)) throw new SandboxError(outsideMessage(given, this.#roots));
    if (this.#roots.includes(realPath)) {
      // An allowed directory's own entry lives in an outside parent: describe the directory held open instead.
      const directory = this.openDirectorySync(realPath, given);
      try {
        return directory.stat();
      } finally {
        directory.close();
      }
    }
    const stats = await this.withPinnedParent(realPath, (pinned) =>
      lstat(pinned).catch((error: unknown) => {
        throw errorCode(error) === 'ENOENT' ? new NotFoundError(notFoundMessage(given), { cause: error }) : error;
      }),
    );
    // The path was resolved through every link, so a link there now was put there after the check.
    if (stats.isSymbolicLink()) throw new SandboxError(replacedByLinkMessage(given));
    return stats;
  }

  /**
   * Reads a whole regular file the server needs for itself (an ignore file, say) at a path inside: opened
   * without following a final link and re-checked, non-blocking so a FIFO cannot hang it, refused unless it
   * is a regular file, capped in size, and read off the event loop.
   */
  async readFileInside(realPath: string, options: ReadInsideOptions): Promise<Buffer> {
    const handle = await this.openResolved(realPath, OWN_READ_FLAGS);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw new InvalidArgumentError(
          `${quotePath(realPath)} is not a regular file (a directory, device, socket or pipe); only regular files are read.`,
        );
      }
      const read =
        stats.size > options.maxBytes
          ? ({ kind: 'too-large' } as const)
          : await readToEndCapped(handle, stats.size, options.maxBytes);
      if (read.kind === 'too-large') {
        throw new TooLargeError(
          `${quotePath(realPath)} is larger than the ${options.maxBytes} bytes read for it; shorten it.`,
        );
      }
      return read.bytes;
    } finally {
      await handle.close();
    }
  }

  /**
   * Runs `use` with a path that reaches `realPath` through its parent directory, opened and checked inside
   * the roots, so that a by-name operation (link, rename, mkdir, create) cannot be diverted outside.
   */
  async withPinnedParent<T>(realPath: string, use: (pinnedPath: string) => Promise<T>): Promise<T> {
    const parent = path.dirname(realPath);
    // The entry of an allowed directory itself lives in an outside parent, so it can never be pinned.
    if (!this.isInside(realPath) || parent === realPath || !this.isInside(parent)) {
      throw new SandboxError(
        `Access denied: ${quotePath(realPath)} is an allowed directory itself or outside them; use a path inside one (${this.#roots.join(', ')}).`,
      );
    }
    // Without /proc/self/fd (macOS, BSDs, Windows) there is no portable way to name an entry relative to an
    // open directory from Node, so the operation uses the checked path as it is; the gap remains there.
    if (!(await procFdAvailable())) return use(realPath);
    let handle: FileHandle;
    try {
      // A directory on the checked path may have been swapped for a symbolic link since it was resolved:
      // O_NOFOLLOW refuses a swapped last component, and the check below catches one further up.
      handle = await openDirectoryNoFollow(parent);
    } catch (error) {
      // Linux answers O_DIRECTORY|O_NOFOLLOW on a symbolic link with ENOTDIR rather than ELOOP.
      if (errorCode(error) === 'ENOTDIR' && (await isSymbolicLink(parent))) throw replacedByLinkError(parent, error);
      throw openError(error, parent);
    }
    try {
      const location = await openedLocation(handle);
      if (location.kind !== 'path' || !this.isInside(location.realPath)) {
        throw new SandboxError(
          `Access denied: the directory of ${quotePath(realPath)} changed while it was being used and no longer resolves inside the allowed directories; try again.`,
        );
      }
      // Every lookup through /proc/self/fd/<n> starts at the directory held open, wherever its path now leads.
      return await use(pinnedName(handle, path.basename(realPath)));
    } finally {
      await handle.close();
    }
  }

  async #openReal(
    realPath: string,
    flags: string | number,
    mode: number | undefined,
    given: string,
  ): Promise<FileHandle> {
    const opening = deferTruncate(noFollowFlags(flags));
    let handle: FileHandle;
    try {
      handle = await open(realPath, opening.flags, mode);
    } catch (error) {
      throw openError(error, given);
    }
    // O_NOFOLLOW only guards the last component; a directory above it may have been swapped for a link
    // since resolveInside ran, so ask the kernel where the file actually is.
    const location = await openedLocation(handle);
    if (location.kind === 'path' && !this.isInside(location.realPath)) {
      await handle.close();
      throw new SandboxError(changedOutsideMessage(given));
    }
    if (location.kind === 'unknown') {
      await handle.close();
      throw new SandboxError(
        `Access denied: ${quotePath(given)} was moved or deleted while it was being opened; try again.`,
      );
    }
    if (opening.truncate) {
      try {
        await handle.truncate(0);
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    return handle;
  }
}

async function realClientRoots(clientRoots: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(clientRoots.map((root) => realClientRoot(root)));
  return resolved.filter((root): root is string => root !== undefined);
}

async function isSymbolicLink(candidate: string): Promise<boolean> {
  return lstat(candidate).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
}

function replacedByLinkError(given: string, cause: unknown): SandboxError {
  return new SandboxError(replacedByLinkMessage(given), { cause });
}

function openError(error: unknown, given: string): Error {
  switch (errorCode(error)) {
    case 'ELOOP':
    case 'EMLINK': // FreeBSD's answer to O_NOFOLLOW on a link
      return replacedByLinkError(given, error);
    case 'ENOENT':
      return new NotFoundError(notFoundMessage(given), { cause: error });
    case 'EEXIST':
      return new AlreadyExistsError(`${quotePath(given)} already exists; choose another name or allow overwriting.`, {
        cause: error,
      });
    case 'ENXIO': // what opening a socket, or a device with nothing behind it, answers
      return new InvalidArgumentError(
        `${quotePath(given)} is a socket or a device, not a regular file; only regular files can be opened.`,
        { cause: error },
      );
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
