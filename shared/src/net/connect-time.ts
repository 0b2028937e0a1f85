import type { Duplex } from 'node:stream';
import { TimeoutError } from '../errors/index.js';

/** Formats a duration for messages: "10 s", "1.5 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1))} s`;
}

/** Options of `limitConnectTime`. */
export interface ConnectTimeLimit {
  readonly timeoutMs: number;
  /** How the connection is named in the message: `host:port`, "the proxy host:port". */
  readonly target: string;
  /** The event that means the connection is usable: `connect` for TCP, `secureConnect` for TLS. */
  readonly connectedEvent: 'connect' | 'secureConnect';
  /** Told of the timeout and of every error the socket reports before it closes. */
  readonly onFailure?: (error: Error) => void;
}

/**
 * Destroys a socket that is not connected within the limit, with a TimeoutError that says so. A request's total
 * timeout cannot tell "the host never answered the SYN" from "the page is slow"; this can.
 */
export function limitConnectTime(socket: Duplex, limit: ConnectTimeLimit): void {
  const timer = setTimeout(() => {
    const error = new TimeoutError(
      `Could not connect to ${limit.target} within ${formatSeconds(limit.timeoutMs)}; the host may be down or unreachable, try again later.`,
    );
    limit.onFailure?.(error);
    socket.destroy(error);
  }, limit.timeoutMs);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  socket.once(limit.connectedEvent, clear);
  socket.once('close', clear);
  socket.once('error', (error: Error) => {
    clear();
    limit.onFailure?.(error);
  });
}
