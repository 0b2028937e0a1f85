import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  RefusedStatementError,
  UpstreamError,
} from '@portico-mcp/shared/errors';
import type { EngineErrorKind } from './protocol.js';

/** Maps an engine failure to the kernel's typed error, which the kernel turns into an isError result. */
export function kernelErrorFor(kind: EngineErrorKind | 'internal', message: string): Error {
  switch (kind) {
    case 'invalid':
      return new InvalidArgumentError(message);
    case 'refused':
      return new RefusedStatementError(message);
    case 'not-found':
      return new NotFoundError(message);
    case 'exists':
      return new AlreadyExistsError(message);
    case 'sqlite':
    case 'busy':
      return new UpstreamError(message);
    case 'internal':
      return new Error(message);
  }
}
