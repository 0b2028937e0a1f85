import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import type { RepositoryGit } from './repository.js';
import { GitCommandError } from './runner.js';

/** The object type a revision must peel to. */
export type PeelTarget = 'commit' | 'tree' | 'blob' | 'object' | 'tag';

const MAX_REF_LENGTH = 1024;

/** Throws unless `value` is a plausible revision string: not empty, no option look, no control characters. */
export function assertRevisionText(value: string, field: string): void {
  if (value.length === 0) throw new InvalidArgumentError(`${field} is empty; pass a branch, tag or commit hash.`);
  if (value.length > MAX_REF_LENGTH)
    throw new InvalidArgumentError(`${field} is too long; pass a branch, tag or commit hash.`);
  if (value.startsWith('-')) {
    throw new InvalidArgumentError(
      `${field} ${JSON.stringify(value)} starts with "-", which git would read as an option; pass a branch, tag or commit hash.`,
    );
  }

  if (/[\x00-\x1f\x7f]/.test(value))
    throw new InvalidArgumentError(`${field} contains control characters; pass a branch, tag or commit hash.`);
}

/**
 * Resolves a caller's revision to a full object id of the wanted type with
 * `git rev-parse --verify --end-of-options <rev>^{type}`; only that id is ever passed on to other commands.
 */
export async function resolveRevision(
  git: RepositoryGit,
  value: string,
  field: string,
  signal: AbortSignal,
  peel: PeelTarget = 'commit',
): Promise<string> {
  assertRevisionText(value, field);
  try {
    const out = await git.text(['rev-parse', '--verify', '--end-of-options', `${value}^{${peel}}`], {
      mode: 'read',
      signal,
    });
    const id = out.trim();
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) throw new NotFoundError(notFound(value, field, peel));
    return id;
  } catch (error) {
    if (error instanceof GitCommandError) throw new NotFoundError(notFound(value, field, peel));
    throw error;
  }
}

/** True when `refs/heads/<name>` (or another full ref) exists. */
export async function refExists(git: RepositoryGit, fullRef: string, signal: AbortSignal): Promise<boolean> {
  try {
    await git.run(['rev-parse', '--verify', '--end-of-options', fullRef], { mode: 'read', signal });
    return true;
  } catch (error) {
    if (error instanceof GitCommandError) return false;
    throw error;
  }
}

/** Checks a new branch or tag name with `git check-ref-format`, so git's own rules decide. */
export async function assertNewRefName(
  git: RepositoryGit,
  kind: 'branch' | 'tag',
  name: string,
  field: string,
  signal: AbortSignal,
): Promise<void> {
  assertRevisionText(name, field);
  try {
    await git.run(['check-ref-format', `refs/${kind === 'branch' ? 'heads' : 'tags'}/${name}`], {
      mode: 'read',
      signal,
    });
  } catch (error) {
    if (error instanceof GitCommandError) {
      throw new InvalidArgumentError(
        `${field} ${JSON.stringify(name)} is not a valid ${kind} name; use letters, digits, "/", "-", "_" and "." (see git check-ref-format).`,
      );
    }
    throw error;
  }
}

function notFound(value: string, field: string, peel: PeelTarget): string {
  const what = peel === 'object' ? 'object' : peel;
  return `${field} ${JSON.stringify(value)} does not name a ${what} in this repository; check the branch, tag or hash (git_branch and git_log list them).`;
}

/** Splits `A..B` / `A...B` into its ends (either may be empty, meaning HEAD). */
export function splitRange(value: string): { from: string; to: string; symmetric: boolean } | undefined {
  const triple = value.indexOf('...');
  if (triple >= 0) return { from: value.slice(0, triple), to: value.slice(triple + 3), symmetric: true };
  const double = value.indexOf('..');
  if (double >= 0) return { from: value.slice(0, double), to: value.slice(double + 2), symmetric: false };
  return undefined;
}

/** Resolves the blob of `relativePath` (top-relative) in `commit` (a verified hash), or undefined when it is not a file there. */
export async function resolveBlob(
  git: RepositoryGit,
  commit: string,
  relativePath: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  // `<commit>:<path>` takes everything after the colon as the path, so the type is checked separately.
  try {
    const id = (
      await git.text(['rev-parse', '--verify', '--end-of-options', `${commit}:${relativePath}`], {
        mode: 'read',
        signal,
      })
    ).trim();
    const type = (await git.text(['cat-file', '-t', id], { mode: 'read', signal })).trim();
    return type === 'blob' ? id : undefined;
  } catch (error) {
    if (error instanceof GitCommandError) return undefined;
    throw error;
  }
}
