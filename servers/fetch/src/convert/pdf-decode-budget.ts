// pdf.js inflates a document's streams (Flate, LZW, RunLength, ASCIIHex/85, predictors) into buffers that
// grow by doubling in one place, DecodeStream.ensureBuffer. A 2 MB PDF can declare streams that inflate to
// gigabytes, and those buffers live outside the V8 heap, where a worker's resourceLimits do not reach. So the
// pdf.js worker module is loaded with one line added there that charges every growth to a per-document
// budget; past the budget the allocation never happens.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The decode budget of the document being read (one at a time per thread). */
export interface DecodeBudget {
  limit: number;
  used: number;
  exceeded: boolean;
}

interface BudgetHook {
  charge(bytes: number): void;
}

const HOOK = '__porticoPdfDecode';
const GROWTH = /(  ensureBuffer\(requested\) \{\n    const buffer = this\.buffer;\n    if \(requested <= buffer\.byteLength\) \{\n      return buffer;\n    \}\n    let size = this\.minBufferLength;\n    while \(size < requested\) \{\n      size \*= 2;\n    \}\n)(    const buffer2 = new Uint8Array\(size\);)/;

let current: DecodeBudget | undefined;

/** Thrown inside pdf.js when a stream would grow past the budget (pdf.js may swallow it; `exceeded` stays set). */
export class DecodeBudgetExceeded extends Error {}

/** Starts the budget of one document; `used` counts every byte of decode buffer pdf.js allocates for it. */
export function startDecodeBudget(limit: number): DecodeBudget {
  current = { limit, used: 0, exceeded: false };
  return current;
}

function installHook(): void {
  const hook: BudgetHook = {
    charge(bytes) {
      if (current === undefined) return;
      if (current.exceeded || current.used + bytes > current.limit) {
        current.exceeded = true;
        throw new DecodeBudgetExceeded('PDF decode budget exceeded');
      }
      current.used += bytes;
    },
  };
  (globalThis as Record<string, unknown>)[HOOK] = hook;
}

/**
 * Loads pdf.js's worker-side module with the budget hook in DecodeStream.ensureBuffer and registers it as
 * pdf.js's in-thread worker. Fails (refusing every PDF) if this pdf.js version no longer has that code.
 */
export async function loadBudgetedPdfWorker(from: string): Promise<void> {
  installHook();
  const path = createRequire(from).resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
  const source = await readFile(path, 'utf8');
  const matches = source.match(new RegExp(GROWTH.source, 'g'));
  if (matches?.length !== 1) throw new Error('pdf.js DecodeStream.ensureBuffer not found: the decode budget cannot be applied');
  const patched = source.replace(GROWTH, `$1    globalThis.${HOOK}.charge(size - buffer.byteLength);\n$2`);
  // The module assigns globalThis.pdfjsWorker, which pdf.js then uses instead of importing its own copy.
  await import(`data:text/javascript;base64,${Buffer.from(patched, 'utf8').toString('base64')}`);
  if ((globalThis as { pdfjsWorker?: unknown }).pdfjsWorker === undefined) throw new Error('pdf.js worker did not register');
}
