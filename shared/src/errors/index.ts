/**
 * Typed errors of the Portico kernel. Each one carries a stable `code` and a message that is a single
 * actionable sentence, safe to show to a model: it never contains a stack trace or a server-internal path
 * the caller did not give. `toToolError` (in `output`) is the one place that maps them to tool results.
 */

/** Stable machine-readable codes of every expected failure. */
export type PorticoErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'OUTSIDE_SANDBOX'
  | 'POLICY_DENIED'
  | 'REFUSED'
  | 'TOO_LARGE'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'UPSTREAM'
  | 'INPUT_UNAVAILABLE'
  | 'INVALID_STATE'
  | 'CONFIG';

/** Base class of every expected failure: a code plus one sentence that tells the caller what to do next. */
export class PorticoError extends Error {
  readonly code: PorticoErrorCode;
  constructor(code: PorticoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A path that resolves outside every allowed root, or that cannot be safely resolved. */
export class SandboxError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OUTSIDE_SANDBOX', message, options);
  }
}

/** An outbound request refused by the network policy (scheme, host or resolved address). */
export class PolicyError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POLICY_DENIED', message, options);
  }
}

/**
 * A request the server will not carry out as asked, by its own rules rather than the data source's: a SQL
 * statement a read-only server refuses, a git argument that could change how git runs. Distinct from
 * PolicyError, which is about outbound network requests.
 */
export class RefusedError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REFUSED', message, options);
  }
}

/** A SQL statement refused by the server's guard (a write on a read-only server, ATTACH, a stateful pragma). */
export class RefusedStatementError extends RefusedError {}

/** A command argument refused because it could change what the subprocess runs or reads (git options, config). */
export class RefusedArgumentError extends RefusedError {}

/** An argument the caller can fix: wrong shape, out of range, unknown name. */
export class InvalidArgumentError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** The named thing (file, ref, table, page) does not exist. */
export class NotFoundError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
  }
}

/** The target already exists and the operation will not overwrite it. */
export class AlreadyExistsError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ALREADY_EXISTS', message, options);
  }
}

/** Input or output over a configured limit. */
export class TooLargeError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOO_LARGE', message, options);
  }
}

/** Work that did not finish within its time limit. */
export class TimeoutError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

/** Work stopped because the client cancelled the request. */
export class CancelledError extends PorticoError {
  constructor(message = 'The request was cancelled by the client.', options?: { cause?: unknown }) {
    super('CANCELLED', message, options);
  }
}

/** A failure reported by the data source itself (git, SQLite, an HTTP server, the GitHub API). */
export class UpstreamError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UPSTREAM', message, options);
  }
}

/** The client cannot be asked for input here: it did not declare the capability, or the request has no session. */
export class InputUnavailableError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INPUT_UNAVAILABLE', message, options);
  }
}

/** A requestState that was issued for another call (a different tool or other arguments). */
export class RequestStateError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_STATE', message, options);
  }
}

/** A command-line flag or environment variable that cannot be used; reported before the server starts. */
export class ConfigError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** Narrows an unknown thrown value to a Portico error. */
export function isPorticoError(value: unknown): value is PorticoError {
  return value instanceof PorticoError;
}
