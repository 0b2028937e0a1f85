import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, SandboxError } from '../errors/index.js';
import { quotePath } from './messages.js';

/** Scheme test for the `file:` URIs that MCP clients send in place of paths. */
const FILE_URI = /^file:/i;

/** Expands a leading `~` or `~/…` to `home`; `~user` is left literal because it names another account. */
export function expandHome(input: string, home: string): string {
  if (input === '~') return home;
  if (input.startsWith('~/') || (path.sep === '\\' && input.startsWith('~\\'))) {
    return path.join(home, input.slice(2));
  }
  return input;
}

/** True when `input` is written as a `file:` URI rather than a path. */
export function isFileUri(input: string): boolean {
  return FILE_URI.test(input);
}

/** Converts a `file:` URI to a local path; throws InvalidArgumentError for one that names no local file. */
export function fileUriToPath(input: string): string {
  try {
    return fileURLToPath(new URL(input));
  } catch (error) {
    throw new InvalidArgumentError(
      `${quotePath(input)} is not a local file URI; pass an absolute path or a URI of the form file:///path.`,
      { cause: error },
    );
  }
}

/** Throws unless `input` is a non-empty string without NUL bytes. */
export function assertPathString(input: unknown): asserts input is string {
  if (typeof input !== 'string') {
    throw new InvalidArgumentError('The path must be a string; pass a file or directory path.');
  }
  if (input === '') {
    throw new InvalidArgumentError('The path is empty; pass a file or directory path.');
  }
  rejectNul(input, input);
}

/** Refuses NUL bytes: the OS would cut the path there, so any check on the full string would be checking a different path. */
function rejectNul(candidate: string, given: string): void {
  if (candidate.includes('\0')) {
    throw new SandboxError(
      `Access denied: ${quotePath(given)} contains a NUL byte, which no file name can contain; remove it.`,
    );
  }
}

/** Turns a caller's path (or `file:` URI) into an absolute, lexically normalised path, relative to `base`. */
export function toAbsolutePath(input: unknown, home: string, base: string): string {
  assertPathString(input);
  // `..` is applied as written, before any link is followed; the result is then realpath'd and that real
  // path is both what is checked and what the caller operates on, so the two can never disagree.
  const local = isFileUri(input) ? fileUriToPath(input) : expandHome(input, home);
  rejectNul(local, input);
  return path.resolve(base, local);
}
