import { CancelledError } from '@portico-mcp/shared/errors';
import type { EngineRunner } from './client.js';
import { loadDriver } from './driver.js';
import { runOperation, SqliteEngine, translateError } from './engine.js';
import { kernelErrorFor } from './errors.js';
import { EngineError } from './protocol.js';
import type { EngineOperations, EngineOptions, OperationName } from './protocol.js';

/**
 * Runs the engine inside this process: no time limit (nothing can stop a running step here), so the server
 * uses the engine process; this one serves in-process tests of the tools and embedders that accept that.
 */
export class LocalEngine implements EngineRunner {
  readonly #engine: SqliteEngine;

  private constructor(engine: SqliteEngine) {
    this.#engine = engine;
  }

  static async open(options: EngineOptions): Promise<LocalEngine> {
    try {
      return new LocalEngine(new SqliteEngine(loadDriver(), options));
    } catch (error) {
      throw mapped(error);
    }
  }

  async run<Op extends OperationName>(
    op: Op,
    args: EngineOperations[Op]['args'],
    signal?: AbortSignal,
  ): Promise<EngineOperations[Op]['result']> {
    if (signal?.aborted) throw new CancelledError();
    try {
      return runOperation(this.#engine, op, args) as EngineOperations[Op]['result'];
    } catch (error) {
      throw mapped(error);
    }
  }

  async close(): Promise<void> {
    this.#engine.close();
  }
}

function mapped(error: unknown): unknown {
  const translated = translateError(error);
  return translated instanceof EngineError ? kernelErrorFor(translated.kind, translated.message) : translated;
}
