import path from 'node:path';
import { InvalidArgumentError, SandboxError } from '@portico-mcp/shared/errors';
import { isWithin } from '@portico-mcp/shared/sandbox';
import type { Repository } from './repository.js';

/**
 * Turns a caller's path inside the repository into a path relative to the work tree's top level, refusing any
 * path (`..`, absolute, `.git/…`) that leaves the work tree. Git receives it after `--` with literal pathspecs.
 */
export function workTreePath(repository: Repository, given: string, field = 'path'): string {
  if (typeof given !== 'string' || given.length === 0)
    throw new InvalidArgumentError(`${field} is empty; pass a path inside the repository.`);
  if (given.includes('\0'))
    throw new InvalidArgumentError(`${field} contains a NUL byte; pass a path inside the repository.`);
  const top = repository.topLevel;
  if (top === undefined) {
    // A bare repository has no work tree: paths are taken as written, relative to the repository root.
    const normal = path.posix.normalize(given.replace(/^\/+/, ''));
    if (path.isAbsolute(given) || normal === '..' || normal.startsWith('../')) {
      throw new SandboxError(
        `Access denied: ${JSON.stringify(given)} is outside the repository; pass a path relative to its root.`,
      );
    }
    return normal === '.' ? '' : normal;
  }
  const absolute = path.resolve(repository.cwd, given);
  if (!isWithin(absolute, top)) {
    throw new SandboxError(
      `Access denied: ${JSON.stringify(given)} is outside the repository's work tree; pass a path inside ${top}.`,
    );
  }
  const relative = path.relative(top, absolute);
  const first = relative.split(path.sep)[0]?.toLowerCase();
  if (first === '.git' || isWithin(absolute, repository.gitDir)) {
    throw new SandboxError(
      `Access denied: ${JSON.stringify(given)} is inside the git directory; pass a path of a tracked or working file.`,
    );
  }
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}
