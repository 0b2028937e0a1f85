import { passes } from './levels.js';
import type { LogLevel } from './levels.js';

/** Extra structured fields of one log record. */
export type LogFields = Record<string, unknown>;

/** Forwards a record to an MCP client (a logging notification); the SDK applies the client's own level. */
export type McpLogSender = (level: LogLevel, data: Record<string, unknown>, logger: string) => Promise<void> | void;

/** Options of a logger. */
export interface LoggerOptions {
  /** Logger name, shown in every record and as the MCP `logger` field. */
  name: string;
  /** Records below this level are dropped. */
  level: LogLevel;
  /** Where a formatted line goes; stderr by default, because stdout carries the protocol. */
  write?: (line: string) => void;
}

// Field names whose values are secrets: they are never written, whatever a caller passes.
const SECRET_FIELD = /token|secret|password|authorization|cookie|api[-_]?key/i;

function redact(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(key)) out[key] = '[redacted]';
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message, stack: value.stack };
    else out[key] = value;
  }
  return out;
}

/** What an MCP client is told of an error: its kind, never its text. */
function forClient(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { name: error.name, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
}

/**
 * A structured logger: one JSON object per line on stderr, and the same records forwarded to every attached
 * MCP client that uses log notifications (2025-era sessions that set a level; on 2026-07-28, per request, to
 * requests whose _meta sets a log level).
 */
export class Logger {
  readonly name: string;
  #level: LogLevel;
  readonly #write: (line: string) => void;
  readonly #mcpSenders: Set<McpLogSender>;

  constructor(options: LoggerOptions, senders?: Set<McpLogSender>) {
    this.name = options.name;
    this.#level = options.level;
    this.#write = options.write ?? ((line) => process.stderr.write(line));
    this.#mcpSenders = senders ?? new Set();
  }

  get level(): LogLevel {
    return this.#level;
  }

  /** A logger with a longer name that shares this one's level, output and MCP clients. */
  child(suffix: string): Logger {
    return new Logger({ name: `${this.name}.${suffix}`, level: this.#level, write: this.#write }, this.#mcpSenders);
  }

  /** A logger for one request: same name, level and output, sending to that request's client only. */
  forRequest(sender: McpLogSender): Logger {
    return new Logger({ name: this.name, level: this.#level, write: this.#write }, new Set([sender]));
  }

  /** Attaches an MCP client; returns the function that detaches it. */
  attachMcp(sender: McpLogSender): () => void {
    this.#mcpSenders.add(sender);
    return () => this.#mcpSenders.delete(sender);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  notice(message: string, fields?: LogFields): void {
    this.log('notice', message, fields);
  }

  warning(message: string, fields?: LogFields): void {
    this.log('warning', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  /** Writes one record at `level` if it passes the threshold. */
  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!passes(level, this.#level)) return;
    const clean = redact(fields);
    this.#write(
      `${JSON.stringify({ time: new Date().toISOString(), level, logger: this.name, msg: message, ...clean })}\n`,
    );
    if (this.#mcpSenders.size === 0) return;
    // MCP clients get an error's name (and code), never its message or stack: an unexpected error's text can
    // quote server-internal paths or data, and those are for the operator's log only.
    const data: Record<string, unknown> = { message };
    for (const [key, value] of Object.entries(fields ?? {})) {
      data[key] = value instanceof Error ? forClient(value) : clean[key];
    }
    for (const send of this.#mcpSenders) {
      try {
        void Promise.resolve(send(level, data, this.name)).catch(() => undefined);
      } catch {
        // A client that went away must not break logging for the others.
      }
    }
  }
}
