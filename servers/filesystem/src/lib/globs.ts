import picomatch from 'picomatch';

/** A compiled test on a path relative to the walked directory, with "/" separators. */
export type PathMatcher = (relativePath: string) => boolean;

const NEVER: PathMatcher = () => false;

/**
 * search_files' pattern, as the reference reads it: a glob on the whole relative path, dot files included
 * ("*.ts" matches only at the top; "**\/*.ts" at any depth). Compiled once per call.
 */
export function relativePathGlob(pattern: string): PathMatcher {
  return picomatch(pattern, { dot: true });
}

/** search_files' excludePatterns: each a glob on the whole relative path, as in the reference. */
export function relativePathGlobs(patterns: readonly string[]): PathMatcher {
  return patterns.length === 0 ? NEVER : picomatch([...patterns], { dot: true });
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
  return picomatch(globs, { dot: true });
}

/**
 * search_content's include/exclude globs, read the way grep and ripgrep users expect: a pattern without "/"
 * matches the file or directory name at any depth ("*.ts", "node_modules"); one with "/" matches the relative path.
 */
export function nameOrPathGlobs(patterns: readonly string[]): PathMatcher {
  return patterns.length === 0 ? NEVER : picomatch([...patterns], { dot: true, basename: true });
}
