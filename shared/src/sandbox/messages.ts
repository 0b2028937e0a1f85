/** Longest stretch of a caller's path repeated back in an error message. */
const MAX_SHOWN_CHARS = 200;

/** Quotes a caller's path for an error message, escaping control characters so the message stays one line. */
export function quotePath(given: string): string {
  const shown = given.length > MAX_SHOWN_CHARS ? `${given.slice(0, MAX_SHOWN_CHARS)}…` : given;
  return JSON.stringify(shown);
}

/** Names the allowed directories at the end of a refusal, so the caller knows where it may go. */
function allowedList(roots: readonly string[]): string {
  return `allowed directories: ${roots.join(', ')}`;
}

/** Refusal for a path that is outside every root as written. */
export function outsideMessage(given: string, roots: readonly string[]): string {
  return `Access denied: ${quotePath(given)} is outside the allowed directories; use a path inside one of them (${allowedList(roots)}).`;
}

/** Refusal for a path that is inside as written but leads outside through a symbolic link; never names the target. */
export function resolvesOutsideMessage(given: string, roots: readonly string[]): string {
  return `Access denied: ${quotePath(given)} resolves outside the allowed directories; use a path inside one of them (${allowedList(roots)}).`;
}

/** Refusal when narrowing left no directory at all. */
export function noRootsMessage(given: string): string {
  return `Access denied: no directory is allowed in this session, so ${quotePath(given)} cannot be used; share a root directory that the server allows.`;
}

/** Refusal for a path whose symbolic links never end. */
export function loopMessage(given: string): string {
  return `Access denied: ${quotePath(given)} cannot be resolved because its symbolic links form a loop; fix or remove the link.`;
}

/** Refusal for a path the filesystem would not let us resolve (permissions, name too long). */
export function unresolvableMessage(given: string, code: string): string {
  return `Access denied: ${quotePath(given)} cannot be resolved safely (${code}); check the path and the permissions of its directories.`;
}

/** A path that is inside but does not exist. */
export function notFoundMessage(given: string): string {
  return `Not found: ${quotePath(given)} does not exist; check the path or list its parent directory.`;
}

/** Refusal for a checked path whose last component became a symbolic link before it was opened. */
export function replacedByLinkMessage(given: string): string {
  return `Access denied: ${quotePath(given)} was replaced by a symbolic link while it was being opened; try again.`;
}

/** Refusal for a checked path that the kernel places outside the roots once it is open. */
export function changedOutsideMessage(given: string): string {
  return `Access denied: ${quotePath(given)} changed while it was being opened and now resolves outside the allowed directories; try again.`;
}

/** A directory was expected at a checked path and something else is there. */
export function notDirectoryMessage(given: string): string {
  return `${quotePath(given)} is not a directory; pass the path of a directory.`;
}
