import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import picomatch from 'picomatch';

/** A compiled test on a path relative to the walked directory, with "/" separators. */
export type PathMatcher = (relativePath: string) => boolean;

const NEVER: PathMatcher = () => false;

/** Longest glob repeated back in a refusal. */
const MAX_SHOWN_GLOB_CHARS = 100;

/**
 * Compiles globs, turning picomatch's own errors (an empty pattern, one over its length limit) into one
 * sentence that names the glob, rather than an internal error.
 */
function compile(patterns: string | readonly string[], options: picomatch.PicomatchOptions): PathMatcher {
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  try {
    return picomatch(typeof patterns === 'string' ? patterns : list, options);
  } catch (error) {
    const culprit = list.find((pattern) => pattern === '' || !compiles(pattern, options)) ?? list[0] ?? '';
    const shown = culprit.length > MAX_SHOWN_GLOB_CHARS ? `${culprit.slice(0, MAX_SHOWN_GLOB_CHARS)}…` : culprit;
    throw new InvalidArgumentError(
      `The glob ${JSON.stringify(shown)} is not usable (empty, or longer than globs may be); remove it or pass a shorter one.`,
      { cause: error },
    );
  }
}

function compiles(pattern: string, options: picomatch.PicomatchOptions): boolean {
  try {
    picomatch(pattern, options);
    return true;
  } catch {
    return false;
  }
}

/**
 * search_files' pattern, as the reference reads it: a glob on the whole relative path, dot files included
 * ("*.ts" matches only at the top; "**\/*.ts" at any depth). Compiled once per call.
 */
export function relativePathGlob(pattern: string): PathMatcher {
  return compile(pattern, { dot: true });
}

/** search_files' excludePatterns: each a glob on the whole relative path, as in the reference. */
export function relativePathGlobs(patterns: readonly string[]): PathMatcher {
  return patterns.length === 0 ? NEVER : compile(patterns, { dot: true });
}

/**
 * directory_tree's excludePatterns, as the reference reads them: a pattern with "*" is a glob on the
 * relative path; one without matches that name (or path) at any depth, and everything beneath it.
 */
export function treeExcludeGlobs(patterns: readonly string[]): PathMatcher {
  if (patterns.length === 0) return NEVER;
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.includes('*')) globs.push(pattern);
    else globs.push(pattern, `**/${pattern}`, `**/${pattern}/**`);
  }
  return compile(globs, { dot: true });
}

/**
 * search_content's include/exclude globs, read the way grep and ripgrep users expect: a pattern without "/"
 * matches the file or directory name at any depth ("*.ts", "node_modules"); one with "/" matches the relative path.
 */
export function nameOrPathGlobs(patterns: readonly string[]): PathMatcher {
  return patterns.length === 0 ? NEVER : compile(patterns, { dot: true, basename: true });
}
