import path from 'node:path';

/** True when `realPath` is `root` itself or lies beneath it; both must be real, absolute paths. */
export function isWithin(realPath: string, root: string): boolean {
  if (realPath === root) return true;
  // Compare against root + separator so that `/srv/root-evil` is not taken for a child of `/srv/root`.
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return realPath.startsWith(prefix);
}

/** True when `candidate` is absolute and already normalised (no `.`, `..`, doubled or trailing separators, NUL). */
export function isCanonicalAbsolute(candidate: string): boolean {
  if (!path.isAbsolute(candidate) || candidate.includes('\0')) return false;
  if (path.normalize(candidate) !== candidate) return false;
  return candidate === path.parse(candidate).root || !candidate.endsWith(path.sep);
}

/** True when `realPath` is canonical and within at least one of `roots`. */
export function isInsideAny(realPath: string, roots: readonly string[]): boolean {
  return isCanonicalAbsolute(realPath) && roots.some((root) => isWithin(realPath, root));
}
