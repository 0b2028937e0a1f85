// pdf.js decodes a document's streams in two places: the JavaScript decoders (Flate, LZW, RunLength,
// ASCIIHex/85, predictors) grow their buffers by doubling in DecodeStream.ensureBuffer, and Flate streams are
// first tried through the platform's DecompressionStream, whose chunks pdf.js collects without limit. A 2 MB
// PDF can declare streams that inflate to gigabytes, in buffers outside the V8 heap, where a worker's
// resourceLimits do not reach. So pdf.js's worker module is loaded with one line added in each place that
// charges the bytes to a per-document budget; past the budget the decoding stops.
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
const ENSURE_BUFFER =
  /( {2}ensureBuffer\(requested\) \{\n {4}const buffer = this\.buffer;\n {4}if \(requested <= buffer\.byteLength\) \{\n {6}return buffer;\n {4}\}\n {4}let size = this\.minBufferLength;\n {4}while \(size < requested\) \{\n {6}size \*= 2;\n {4}\}\n)( {4}const buffer2 = new Uint8Array\(size\);)/;
const DECOMPRESSION_STREAM =
  /( {6}for await \(const chunk of readable\) \{\n)( {8}chunks\.push\(chunk\);\n {8}totalLength \+= chunk\.byteLength;)/;
const PATCHES: Array<[RegExp, string]> = [
  [ENSURE_BUFFER, `$1    globalThis.${HOOK}.charge(size - buffer.byteLength);\n$2`],
  [DECOMPRESSION_STREAM, `$1        globalThis.${HOOK}.charge(chunk.byteLength);\n$2`],
];

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
 * Loads pdf.js's worker-side module with the budget hooks and registers it as pdf.js's in-thread worker.
 * Fails (refusing every PDF) if this pdf.js version no longer has the code the hooks go into.
 */
export async function loadBudgetedPdfWorker(from: string): Promise<void> {
  installHook();
  const path = createRequire(from).resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
  let patched = await readFile(path, 'utf8');
  for (const [pattern, replacement] of PATCHES) {
    if (patched.match(new RegExp(pattern.source, 'g'))?.length !== 1) {
      throw new Error(
        `pdf.js decoding code not found (${pattern.source.slice(0, 40)}…): the decode budget cannot be applied`,
      );
    }
    patched = patched.replace(pattern, replacement);
  }
  // The module assigns globalThis.pdfjsWorker, which pdf.js then uses instead of importing its own copy.
  await import(`data:text/javascript;base64,${Buffer.from(patched, 'utf8').toString('base64')}`);
  if ((globalThis as { pdfjsWorker?: unknown }).pdfjsWorker === undefined)
    throw new Error('pdf.js worker did not register');
}
