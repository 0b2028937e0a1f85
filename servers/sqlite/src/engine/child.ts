// The engine process: owns the SQLite connections and answers requests on the pipe from the server (fd 3, one
// JSON document per line each way). It runs apart from the server so that a runaway query can be stopped by
// ending this process: better-sqlite3 exposes no sqlite3_interrupt, its SQLite is built without a progress
// handler, and a worker thread stuck inside one sqlite3_step can be neither terminated nor outlived by
// process.exit.
//
// Every operation is synchronous and the engine has nothing else to do, so it serves requests in a plain loop:
// a blocking read() waits for the next request and one write() answers it. No event loop turn, no IPC framing
// and no extra wake-ups sit between a request and its answer (measured: this is most of a point lookup's cost).
import { readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { ENGINE_CHANNEL_FD, EngineError } from './protocol.js';
import type { EngineOptions, EngineRequest, EngineResponse } from './protocol.js';
import { loadDriver } from './driver.js';
import { runOperation, SqliteEngine, translateError } from './engine.js';

let engine: SqliteEngine | undefined;

function reply(response: EngineResponse): void {
  const bytes = Buffer.from(`${JSON.stringify(response)}\n`);
  for (let written = 0; written < bytes.length;) {
    try {
      written += writeSync(ENGINE_CHANNEL_FD, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        pause();
        continue;
      }
      // The server went away: nobody is left to answer.
      leave();
    }
  }
}

/** Handles one request; returns false once the server asked the engine to close. */
function handle(request: EngineRequest): boolean {
  try {
    if (request.op === 'open') {
      engine = new SqliteEngine(loadDriver(), request.args as EngineOptions);
      reply({ id: request.id, ok: true, value: null });
      return true;
    }
    if (request.op === 'close') {
      engine?.close();
      engine = undefined;
      reply({ id: request.id, ok: true, value: null });
      return false;
    }
    if (!engine) throw new EngineError('invalid', 'The database is not open.');
    reply({ id: request.id, ok: true, value: runOperation(engine, request.op, request.args) });
  } catch (caught) {
    const error = translateError(caught);
    if (error instanceof EngineError)
      reply({ id: request.id, ok: false, error: { kind: error.kind, message: error.message } });
    else
      reply({
        id: request.id,
        ok: false,
        error: { kind: 'internal', message: error instanceof Error ? error.message : String(error) },
      });
  }
  return true;
}

/** Closes the database cleanly and ends the process. */
function leave(): never {
  engine?.close();
  engine = undefined;
  process.exit(0);
}

/** Waits a moment without spinning (only if the pipe ever comes non-blocking, which Node does not do for slot 3). */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

function serve(): never {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  for (;;) {
    let bytes: number;
    try {
      bytes = readSync(ENGINE_CHANNEL_FD, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EINTR') {
        if (code === 'EAGAIN') pause();
        continue;
      }
      bytes = 0;
    }
    // End of the pipe: the server went away (or closed us).
    if (bytes === 0) leave();
    buffered += decoder.write(chunk.subarray(0, bytes));
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (!handle(JSON.parse(line) as EngineRequest)) leave();
    }
  }
}

serve();
