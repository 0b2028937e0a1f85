// Conversions run in worker threads, never on the event loop: a page built to be slow or huge to convert
// (deep nesting, decompression bombs) cannot stall other calls, and it is stopped by ending its thread on
// the call's deadline, on cancellation, or when the thread reaches its memory limit.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import {
  CancelledError,
  InvalidArgumentError,
  TimeoutError,
  TooLargeError,
  UpstreamError,
} from '@portico-mcp/shared/errors';
import type { PorticoError, PorticoErrorCode } from '@portico-mcp/shared/errors';
import type { Logger } from '@portico-mcp/shared/log';
import { displayUrl, formatSeconds } from '@portico-mcp/shared/net';
import type { ConversionInput, ConvertedDocument } from './document.js';
import type { ConversionReply, ConversionRequest } from './messages.js';

/** Settings of the conversion threads. */
export interface ConversionPoolOptions {
  /** The worker script (the bundle's dist/conversion-worker.cjs). */
  workerFile: URL;
  /** Conversions that run at once; more wait for a thread. */
  maxWorkers: number;
  /** V8 heap limit of each thread, in MB. */
  memoryMb: number;
  log: Logger;
}

/** One conversion's settings and bounds. */
export interface ConversionJob {
  raw: boolean;
  maxDecodedBytes: number;
  /** When the call must be answered (performance.now() time); the thread is ended then. */
  deadline: number;
  /** The call's whole time limit, for the message when the deadline passes. */
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

// A thread that converted one page is kept for the next (starting one costs tens of milliseconds); any
// beyond this many idle ones are ended.
const IDLE_WORKERS = 1;

/** Runs conversions in reusable worker threads under a deadline, cancellation and a memory limit. */
export class ConversionPool {
  readonly #options: ConversionPoolOptions;
  readonly #idle: Worker[] = [];
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #nextId = 1;

  constructor(options: ConversionPoolOptions) {
    this.#options = options;
  }

  /** Converts `input` in a worker thread; throws a typed error when the conversion fails or is stopped. */
  async convert(input: ConversionInput, job: ConversionJob): Promise<ConvertedDocument> {
    await this.#acquire(input.url, job);
    let worker: Worker;
    try {
      worker = this.#idle.pop() ?? this.#spawn();
    } catch (error) {
      this.#release();
      throw error;
    }
    return new Promise<ConvertedDocument>((resolve, reject) => {
      const id = this.#nextId++;
      let settled = false;
      const finish = (outcome: { document: ConvertedDocument } | { error: PorticoError }, keep: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        job.signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (keep && this.#idle.length < IDLE_WORKERS) this.#idle.push(worker);
        else void worker.terminate();
        this.#release();
        if ('document' in outcome) resolve(outcome.document);
        else reject(outcome.error);
      };
      const onMessage = (reply: ConversionReply): void => {
        if (reply.id !== id) return;
        if (reply.type === 'progress') job.onProgress?.(reply.message);
        else if (reply.type === 'done') finish({ document: reply.document }, true);
        else finish({ error: workerFailure(input.url, reply.code, reply.message) }, true);
      };
      const onError = (error: Error & { code?: string }): void => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          finish(
            {
              error: new TooLargeError(
                `Converting ${displayUrl(input.url)} needed more than the ${this.#options.memoryMb} MB of memory a conversion may use; try raw: true, or the operator can raise --max-conversion-memory.`,
              ),
            },
            false,
          );
          return;
        }
        this.#options.log.error('conversion thread failed', { error });
        finish({ error: unconvertible(input.url) }, false);
      };
      const onExit = (): void => finish({ error: unconvertible(input.url) }, false);
      const onAbort = (): void => finish({ error: new CancelledError() }, false);
      const timer = setTimeout(
        () => {
          finish(
            {
              error: new TimeoutError(
                `${displayUrl(input.url)} could not be converted within ${formatSeconds(job.timeoutMs)}, the time limit of the whole request; try raw: true for the source as sent, or a larger timeout_seconds if the operator's --timeout allows.`,
              ),
            },
            false,
          );
        },
        Math.max(0, job.deadline - performance.now()),
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      job.signal?.addEventListener('abort', onAbort, { once: true });
      if (job.signal?.aborted) return onAbort();
      // A copy the thread owns: the caller keeps its own bytes (the response may still be in use).
      const body = new Uint8Array(input.body);
      const request: ConversionRequest = {
        id,
        url: input.url.href,
        ...(input.headers.get('content-type') !== undefined ? { contentType: input.headers.get('content-type')! } : {}),
        body,
        raw: job.raw,
        maxDecodedBytes: job.maxDecodedBytes,
      };
      worker.postMessage(request, [body.buffer]);
    });
  }

  /** Ends every idle thread (running ones end with their conversion). */
  async close(): Promise<void> {
    await Promise.all(this.#idle.splice(0).map((worker) => worker.terminate()));
  }

  #spawn(): Worker {
    const worker = new Worker(fileURLToPath(this.#options.workerFile), {
      resourceLimits: { maxOldGenerationSizeMb: this.#options.memoryMb },
      // stdout carries the MCP protocol: whatever a library prints in the thread goes to stderr.
      stdout: true,
      stderr: true,
    });
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    // An idle thread must not keep the server alive after its transport closed.
    worker.unref();
    // A thread that dies while idle is simply forgotten.
    worker.once('exit', () => {
      const index = this.#idle.indexOf(worker);
      if (index >= 0) this.#idle.splice(index, 1);
    });
    return worker;
  }

  // Waits for a free slot (within the job's deadline and cancellation).
  async #acquire(url: URL, job: ConversionJob): Promise<void> {
    if (this.#running < this.#options.maxWorkers) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stop = (error: PorticoError): void => {
        const index = this.#waiting.indexOf(wake);
        if (index >= 0) this.#waiting.splice(index, 1);
        clearTimeout(timer);
        job.signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const wake = (): void => {
        clearTimeout(timer);
        job.signal?.removeEventListener('abort', onAbort);
        this.#running++;
        resolve();
      };
      const onAbort = (): void => stop(new CancelledError());
      const timer = setTimeout(
        () =>
          stop(
            new TimeoutError(
              `${displayUrl(url)} could not be converted within ${formatSeconds(job.timeoutMs)}: the server was busy converting other pages; try again shortly.`,
            ),
          ),
        Math.max(0, job.deadline - performance.now()),
      );
      job.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(wake);
      if (job.signal?.aborted) onAbort();
    });
  }

  #release(): void {
    this.#running--;
    this.#waiting.shift()?.();
  }
}

function unconvertible(url: URL): UpstreamError {
  return new UpstreamError(
    `${displayUrl(url)} could not be converted to text (the document is malformed in a way the converter cannot handle); try raw: true.`,
  );
}

const ERRORS: Partial<Record<PorticoErrorCode, new (message: string) => PorticoError>> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  TOO_LARGE: TooLargeError,
  TIMEOUT: TimeoutError,
  CANCELLED: CancelledError,
  UPSTREAM: UpstreamError,
};

function workerFailure(url: URL, code: PorticoErrorCode | undefined, message: string | undefined): PorticoError {
  const ErrorClass = code === undefined ? undefined : ERRORS[code];
  return ErrorClass !== undefined && message !== undefined ? new ErrorClass(message) : unconvertible(url);
}
