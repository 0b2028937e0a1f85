import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError } from '@modelcontextprotocol/server';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { isPorticoError } from '../errors/index.js';
import { toolError } from './result.js';

/** Where unexpected failures are reported (the server log); expected ones are not logged as errors. */
export type UnexpectedErrorReporter = (error: unknown) => void;

// Operating-system failures that reach here were not translated by the tool: answer with a sentence that
// names the condition but not the server-side path in the raw message.
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'The file or directory does not exist; check the path and try again.',
  EEXIST: 'The target already exists; choose another name or remove it first.',
  EACCES: 'The operating system denied permission for this operation.',
  EPERM: 'The operating system does not permit this operation.',
  EISDIR: 'The path is a directory, but this operation needs a file.',
  ENOTDIR: 'A component of the path is not a directory; check the path.',
  ENOTEMPTY: 'The directory is not empty.',
  ENOSPC: 'The disk is full.',
  EMFILE: 'The server has too many open files right now; try again shortly.',
  ELOOP: 'The path has too many levels of symbolic links.',
  ENAMETOOLONG: 'The path is too long.',
  EROFS: 'The file system is read-only.',
  EBUSY: 'The file or directory is busy; try again shortly.',
  EXDEV: 'The source and destination are on different file systems.',
  ENXIO: 'The path is a socket or a device, not a regular file; only regular files can be used.',
  EFBIG: 'The file is larger than the file system allows.',
  EDQUOT: 'The disk quota is exhausted.',
  EIO: 'The storage device reported an input/output error.',
  ETXTBSY: 'The file is a program that is running and cannot be written now.',
  EAGAIN: 'The resource is temporarily unavailable; try again shortly.',
  EOPNOTSUPP: 'The file system does not support this operation.',
  ENOTSUP: 'The file system does not support this operation.',
  ENODEV: 'The path names a device that is not available.',
  ESTALE: 'The file handle went stale (a network file system changed underneath); try again.',
  EOVERFLOW: 'The file is too large for this operation.',
  EINVAL: 'The operating system refused this operation as invalid for this path.',
};

const UNEXPECTED = 'The tool failed unexpectedly (an internal error); the server log has the details.';

/** The one sentence for an operating-system error code (ENOENT, EACCES, …), or undefined for codes without one. */
export function systemErrorMessage(code: unknown): string | undefined {
  return typeof code === 'string' ? SYSTEM_ERRORS[code] : undefined;
}

/**
 * The one sentence that tells a caller what went wrong: a Portico error's own message, the errno sentence,
 * or a generic one (and the value goes to `reportUnexpected`, since no tool translated it).
 */
export function errorSentence(error: unknown, reportUnexpected?: UnexpectedErrorReporter): string {
  if (isPorticoError(error)) return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'The request was cancelled by the client.';
  const system = systemErrorMessage((error as { code?: unknown } | null)?.code);
  if (system !== undefined) return system;
  reportUnexpected?.(error);
  return UNEXPECTED;
}

/** Maps any thrown value to a tool error result; this is the one place where errors become tool results. */
export function toToolError(error: unknown, reportUnexpected?: UnexpectedErrorReporter): CallToolResult {
  return toolError(errorSentence(error, reportUnexpected));
}

/**
 * Maps a failed resource read or prompt to the protocol error each era expects (resources and prompts have
 * no error results): not found as resource-not-found, a fixable argument as invalid params, the rest as an
 * internal error; always with one sentence, never a stack or a server path.
 */
export function toProtocolError(
  error: unknown,
  subject: { uri?: string },
  reportUnexpected?: UnexpectedErrorReporter,
): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const sentence = errorSentence(error, reportUnexpected).replace('The tool failed', 'The request failed');
  const code = isPorticoError(error)
    ? error.code
    : (error as { code?: unknown } | null)?.code === 'ENOENT'
      ? 'NOT_FOUND'
      : undefined;
  if (code === 'NOT_FOUND' && subject.uri !== undefined) return new ResourceNotFoundError(subject.uri, sentence);
  if (
    code === 'NOT_FOUND' ||
    code === 'INVALID_ARGUMENT' ||
    code === 'OUTSIDE_SANDBOX' ||
    code === 'POLICY_DENIED' ||
    code === 'REFUSED'
  ) {
    return new ProtocolError(ProtocolErrorCode.InvalidParams, sentence);
  }
  return new ProtocolError(ProtocolErrorCode.InternalError, sentence);
}
