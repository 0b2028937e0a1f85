import type { Dirent } from 'node:fs';
import path from 'node:path';
import { CancelledError, SandboxError } from '@portico-mcp/shared/errors';
import type { Sandbox } from '@portico-mcp/shared/sandbox';

/** One directory entry met by the walk. */
export interface WalkEntry {
  /** Path relative to the walk's root, with "/" separators. */
  relative: string;
  absolute: string;
  name: string;
  /** Symbolic links are reported as links and never followed, so the walk cannot leave the tree. */
  kind: 'file' | 'directory' | 'symlink' | 'other';
  /** 1 for the root's own entries. */
  depth: number;
}

/** What to do after visiting an entry: `skip` a directory's contents, or `stop` the whole walk. */
export type WalkDecision = 'skip' | 'stop' | undefined | void;

/** Largest .gitignore read; git's own files are a few KB, and a bigger one is left out rather than loaded. */
export const MAX_GITIGNORE_BYTES = 1024 * 1024;

/** Options of a walk. */
export interface WalkOptions {
  /** Every directory and .gitignore is opened through it, so nothing swapped in mid-walk leads outside. */
  sandbox: Sandbox;
  signal?: AbortSignal;
  /** Leave out what .gitignore files (in the root, its ancestors up to `gitignoreTop`, and below) ignore, and .git itself. */
  respectGitignore?: boolean;
  /** The highest directory whose .gitignore applies (an allowed root); defaults to the walk root. */
  gitignoreTop?: string;
  /** Deepest level whose entries are visited (1 = the root's entries only). */
  maxDepth?: number;
  /** Called at each pause with the directories and entries seen so far. */
  onProgress?: (directories: number, entries: number) => void | Promise<void>;
}

/** What a finished walk saw. */
export interface WalkStats {
  directories: number;
  entries: number;
  /** Directories that could not be read (permissions), and so were left out. */
  unreadable: number;
  stopped: boolean;
}

/** Directories read between pauses that let cancellation and progress through. */
const DIRECTORIES_PER_PAUSE = 64;

type IgnoreFilter = { ignores(relativePath: string): boolean };
interface IgnoreFrame {
  base: string;
  filter: IgnoreFilter;
}

function kindOf(entry: Dirent): WalkEntry['kind'] {
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  if (entry.isSymbolicLink()) return 'symlink';
  return 'other';
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Walks a directory tree depth-first in name order, calling `visit` for every entry. Directories are read
 * synchronously (far faster than the thread pool for many small directories), with a pause every few
 * dozen so that cancellation and progress still get through. Excluded directories are pruned, not read.
 */
export async function walkTree(
  root: string,
  visit: (entry: WalkEntry) => WalkDecision,
  options: WalkOptions,
): Promise<WalkStats> {
  const { sandbox } = options;
  const stats: WalkStats = { directories: 0, entries: 0, unreadable: 0, stopped: false };
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  let createFilter: ((text: string) => IgnoreFilter) | undefined;
  const frames: IgnoreFrame[] = [];
  if (options.respectGitignore) {
    const { default: ignore } = await import('ignore');
    createFilter = (text) => ignore().add(text);
    // The root's own .gitignore is read when the walk enters it; here only those above it.
    for (const directory of ancestorsFrom(options.gitignoreTop ?? root, root).slice(0, -1)) {
      const frame = await readIgnoreFrame(sandbox, directory, createFilter);
      if (frame) frames.push(frame);
    }
  }
  let sincePause = 0;

  const ignored = (absolute: string, isDirectory: boolean): boolean => {
    for (const frame of frames) {
      const relative = absolute
        .slice(frame.base.length + 1)
        .split(path.sep)
        .join('/');
      if (relative && frame.filter.ignores(isDirectory ? `${relative}/` : relative)) return true;
    }
    return false;
  };

  const walkDirectory = async (directory: string, relativeDirectory: string, depth: number): Promise<boolean> => {
    if (++sincePause >= DIRECTORIES_PER_PAUSE) {
      sincePause = 0;
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) throw new CancelledError();
      await options.onProgress?.(stats.directories, stats.entries);
    }
    let entries: Dirent[];
    try {
      // The listing said this was a directory, but a link may have taken its name since: it is opened without
      // following one, checked inside, and read through the descriptor, never looked up by name again.
      const opened = sandbox.openDirectorySync(directory);
      try {
        entries = opened.entries();
      } finally {
        opened.close();
      }
    } catch (error) {
      // The walk's own directory swapped since the tool checked it: say so rather than report an empty walk.
      if (depth === 1 && error instanceof SandboxError) throw error;
      stats.unreadable++;
      return true;
    }
    stats.directories++;
    entries.sort(byName);
    let pushed = false;
    if (createFilter && entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      const frame = await readIgnoreFrame(sandbox, directory, createFilter);
      if (frame) {
        frames.push(frame);
        pushed = true;
      }
    }
    try {
      for (const entry of entries) {
        const kind = kindOf(entry);
        const absolute = path.join(directory, entry.name);
        if (
          createFilter &&
          ((kind === 'directory' && entry.name === '.git') || ignored(absolute, kind === 'directory'))
        )
          continue;
        stats.entries++;
        const relative = relativeDirectory === '' ? entry.name : `${relativeDirectory}/${entry.name}`;
        const decision = visit({ relative, absolute, name: entry.name, kind, depth });
        if (decision === 'stop') {
          stats.stopped = true;
          return false;
        }
        if (kind === 'directory' && decision !== 'skip' && depth < maxDepth) {
          if (!(await walkDirectory(absolute, relative, depth + 1))) return false;
        }
      }
    } finally {
      if (pushed) frames.pop();
    }
    return true;
  };

  await walkDirectory(root, '', 1);
  return stats;
}

/** The directories from `top` down to `bottom`, both included (only `bottom` when it is not beneath `top`). */
function ancestorsFrom(top: string, bottom: string): string[] {
  if (bottom !== top && !bottom.startsWith(top + path.sep)) return [bottom];
  const chain = [bottom];
  for (let current = bottom; current !== top;) {
    current = path.dirname(current);
    chain.unshift(current);
  }
  return chain;
}

/**
 * The ignore rules of `directory`, or undefined when it has no usable .gitignore. The file goes through the
 * sandbox's own read: a link (to /dev/zero, or to an outside file whose lines would become patterns), a FIFO,
 * a device or a file over MAX_GITIGNORE_BYTES is left out, as git itself does not follow a linked .gitignore.
 */
async function readIgnoreFrame(
  sandbox: Sandbox,
  directory: string,
  createFilter: (text: string) => IgnoreFilter,
): Promise<IgnoreFrame | undefined> {
  try {
    const text = (
      await sandbox.readFileInside(path.join(directory, '.gitignore'), { maxBytes: MAX_GITIGNORE_BYTES })
    ).toString('utf8');
    return { base: directory, filter: createFilter(text) };
  } catch {
    return undefined;
  }
}
