// The engine process: owns the SQLite connections and answers requests over Node's IPC channel. It runs apart
// from the server so that a runaway query can be stopped by ending this process: better-sqlite3 exposes no
// sqlite3_interrupt, its SQLite is built without a progress handler, and a worker thread stuck inside one
// sqlite3_step can be neither terminated nor outlived by process.exit.
import { EngineError } from './protocol.js';
import type { EngineOptions, EngineRequest, EngineResponse, OperationName } from './protocol.js';
import { loadDriver } from './driver.js';
import { runOperation, SqliteEngine, translateError } from './engine.js';

let engine: SqliteEngine | undefined;

function reply(response: EngineResponse): void {
  process.send?.(response);
}

async function handle(request: EngineRequest): Promise<void> {
  try {
    if (request.op === 'open') {
      engine = new SqliteEngine(loadDriver(), request.args as EngineOptions);
      reply({ id: request.id, ok: true, value: null });
      return;
    }
    if (request.op === 'close') {
      engine?.close();
      engine = undefined;
      reply({ id: request.id, ok: true, value: null });
      process.disconnect?.();
      return;
    }
    if (!engine) throw new EngineError('invalid', 'The database is not open.');
    reply({ id: request.id, ok: true, value: runOperation(engine, request.op as OperationName, request.args) });
  } catch (caught) {
    const error = translateError(caught);
    if (error instanceof EngineError) reply({ id: request.id, ok: false, error: { kind: error.kind, message: error.message } });
    else reply({ id: request.id, ok: false, error: { kind: 'internal', message: error instanceof Error ? error.message : String(error) } });
  }
}

let queue = Promise.resolve();
process.on('message', (request: EngineRequest) => {
  queue = queue.then(() => handle(request));
});
// The server went away (or closed us): close the database cleanly and leave.
process.on('disconnect', () => {
  engine?.close();
  process.exit(0);
});
