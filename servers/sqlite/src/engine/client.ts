import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CancelledError, TimeoutError, UpstreamError } from '@portico-mcp/shared/errors';
import type { Logger } from '@portico-mcp/shared/log';
import { kernelErrorFor } from './errors.js';
import { ENGINE_CHANNEL_FD } from './protocol.js';
import type {
  EngineErrorKind,
  EngineOperations,
  EngineOptions,
  EngineRequest,
  EngineResponse,
  OperationName,
} from './protocol.js';

/** Where the bundled engine process entry lives: dist/engine/index.js beside the server's dist/index.js. */
export function defaultEnginePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'engine', 'index.js');
  // When this module ends up in a split chunk (dist/chunks/), the engine sits one level up.
  return existsSync(beside) ? beside : join(here, '..', 'engine', 'index.js');
}

/** Runs engine operations; the tools talk to this, whatever process the engine lives in. */
export interface EngineRunner {
  run<Op extends OperationName>(
    op: Op,
    args: EngineOperations[Op]['args'],
    signal?: AbortSignal,
  ): Promise<EngineOperations[Op]['result']>;
  close(): Promise<void>;
}

interface Pending {
  child: ChildProcess;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Talks to the engine process: starts it on first use, sends one request at a time, and ends the process when
 * a request passes the query time limit or is cancelled (the only way to stop a running SQLite step here).
 * The next request starts a fresh process; SQLite rolls back any write that was cut short.
 */
export class EngineProcess implements EngineRunner {
  readonly #options: EngineOptions;
  readonly #queryTimeoutMs: number;
  readonly #log: Logger;
  readonly #enginePath: string;
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #turn: Promise<unknown> = Promise.resolve();
  /** Requests accepted by run() and not yet settled. */
  #inFlight = 0;
  /** The current process has opened the database (reset when it exits or is stopped). */
  #started = false;
  #closed = false;

  constructor(options: { engine: EngineOptions; queryTimeoutMs: number; log: Logger; enginePath?: string }) {
    this.#options = options.engine;
    this.#queryTimeoutMs = options.queryTimeoutMs;
    this.#log = options.log;
    this.#enginePath = options.enginePath ?? defaultEnginePath();
  }

  /** Starts the engine process and opens the database, once. */
  start(): Promise<void> {
    this.#ready ??= this.#spawn();
    return this.#ready;
  }

  async #spawn(): Promise<void> {
    // The engine talks over a plain pipe (fd 3), one JSON document per line each way, rather than Node's IPC
    // channel: the engine then waits for a request in a blocking read() instead of its event loop, and answers
    // with one write() — less work per request on both ends (see child.ts).
    const child = spawn(process.execPath, [this.#enginePath], {
      // stdout belongs to the MCP protocol: the engine never gets it.
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    });
    this.#child = child;
    const channel = child.stdio[ENGINE_CHANNEL_FD] as Duplex;
    channel.setEncoding('utf8');
    let buffered = '';
    channel.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        let response: EngineResponse;
        try {
          response = JSON.parse(line) as EngineResponse;
        } catch {
          // Never expected (the engine writes nothing else there): end it, which fails its request cleanly.
          this.#kill(child, 'unreadable answer');
          return;
        }
        this.#answer(response);
      }
    });
    // A write to an engine that just ended fails with EPIPE; the 'exit' handler below settles its request.
    channel.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      if (this.#child === child) {
        this.#child = undefined;
        this.#ready = undefined;
        this.#started = false;
      }
      if (!this.#closed && signal !== 'SIGKILL') this.#log.warning('SQLite engine process exited', { code, signal });
      for (const [id, pending] of this.#pending) {
        // Only this process's requests: a stopped engine may exit after its successor has started.
        if (pending.child !== child) continue;
        this.#pending.delete(id);
        pending.reject(new UpstreamError('The SQLite engine stopped unexpectedly; the next call starts it again.'));
      }
    });
    child.on('error', (error) => this.#log.error('SQLite engine process error', { error: error.message }));
    await this.#send(child, 'open', this.#options);
    if (this.#child === child) this.#started = true;
    this.#log.debug('SQLite engine started', { pid: child.pid });
  }

  #answer(response: EngineResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(toKernelError(response.error));
  }

  /** Writes one request to the engine; `onError` runs when it cannot be delivered. */
  #write(child: ChildProcess, request: EngineRequest, onError: () => void): void {
    const channel = child.stdio[ENGINE_CHANNEL_FD] as Duplex | null;
    if (!channel || channel.destroyed || !channel.writable) {
      queueMicrotask(onError);
      return;
    }
    channel.write(`${JSON.stringify(request)}\n`, (error) => {
      if (error) onError();
    });
  }

  #send(child: ChildProcess, op: EngineRequest['op'], args: unknown): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { child, resolve, reject });
      this.#write(child, { id, op, args }, () => {
        if (this.#pending.delete(id)) reject(new UpstreamError('The SQLite engine is not reachable; try again.'));
      });
    });
  }

  run<Op extends OperationName>(
    op: Op,
    args: EngineOperations[Op]['args'],
    signal?: AbortSignal,
  ): Promise<EngineOperations[Op]['result']> {
    // One request at a time: the time limit then measures this query, not the ones queued before it. With
    // nothing in flight the request goes out at once, without waiting a turn of the promise chain.
    const turn =
      this.#inFlight === 0 ? this.#runNow(op, args, signal) : this.#turn.then(() => this.#runNow(op, args, signal));
    this.#inFlight++;
    const done = () => {
      this.#inFlight--;
    };
    this.#turn = turn.then(done, done);
    return turn as Promise<EngineOperations[Op]['result']>;
  }

  async #runNow(op: OperationName, args: unknown, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new CancelledError();
    if (this.#child === undefined || !this.#started) {
      await this.start();
      // Cancelled while the engine was starting: nothing was sent, so nothing needs stopping.
      if (signal?.aborted) throw new CancelledError();
    }
    const child = this.#child;
    if (!child) throw new UpstreamError('The SQLite engine stopped unexpectedly; the next call starts it again.');
    return this.#request(child, op, args, signal);
  }

  /** Sends one request; settles with its answer, or at the time limit or on cancellation (both end the process). */
  #request(child: ChildProcess, op: OperationName, args: unknown, signal?: AbortSignal): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
      };
      const timer = setTimeout(() => {
        finish();
        this.#kill(child, 'query time limit');
        reject(
          new TimeoutError(
            `The statement ran longer than the ${formatSeconds(this.#queryTimeoutMs)} query time limit and was stopped; narrow it (a WHERE clause, a LIMIT) or ask the operator to raise --query-timeout.`,
          ),
        );
      }, this.#queryTimeoutMs);
      const onAbort = () => {
        finish();
        this.#kill(child, 'cancelled');
        reject(new CancelledError('The request was cancelled by the client; the statement was stopped.'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        child,
        resolve: (value) => {
          finish();
          resolve(value);
        },
        reject: (error) => {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      });
      this.#write(child, { id, op, args }, () =>
        this.#pending.get(id)?.reject(new UpstreamError('The SQLite engine is not reachable; try again.')),
      );
      this.#log.debug('sent to the SQLite engine', { op, id });
    });
  }

  #kill(child: ChildProcess, reason: string): void {
    this.#log.info('stopping the SQLite engine process', { reason, pid: child.pid });
    if (this.#child === child) {
      this.#child = undefined;
      this.#ready = undefined;
      this.#started = false;
    }
    child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await Promise.race([this.#send(child, 'close', null), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    } catch {
      // Already gone.
    }
    const force = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(force);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function toKernelError(error: { kind: EngineErrorKind | 'internal'; message: string }): Error {
  return kernelErrorFor(error.kind, error.message);
}
