import { isPorticoError, TooLargeError, UpstreamError } from '@portico-mcp/shared/errors';
import { importExternal } from '@portico-mcp/shared/serve';
import { throwIfCancelled } from '../cancel.js';
import { loadBudgetedPdfWorker, startDecodeBudget } from './pdf-decode-budget.js';
import type { DecodeBudget } from './pdf-decode-budget.js';

/** The text of a PDF, page by page. */
export interface PdfText {
  text: string;
  title?: string;
  pages: number;
}

interface TextItem {
  str?: string;
  hasEOL?: boolean;
}
interface PdfJs {
  getDocument(source: Record<string, unknown>): {
    promise: Promise<{
      numPages: number;
      getPage(page: number): Promise<{ getTextContent(): Promise<{ items: TextItem[] }>; cleanup(): void }>;
      getMetadata(): Promise<{ info?: { Title?: unknown } }>;
      destroy(): Promise<void>;
    }>;
  };
}

let pdfjs: Promise<PdfJs> | undefined;

// pdf.js is large and stays outside the bundle (a runtime dependency): it is imported on the first PDF only.
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= loadBudgetedPdfWorker(import.meta.url).then(() =>
    importExternal('pdfjs-dist/legacy/build/pdf.mjs', import.meta.url).then((module) => module as PdfJs),
  );
  pdfjs.catch(() => {
    pdfjs = undefined;
  });
  return pdfjs;
}

/** Options of a PDF extraction. */
export interface PdfOptions {
  signal?: AbortSignal;
  onPage?: (page: number, pages: number) => void;
  /** Most bytes pdf.js may allocate for decoded (inflated) streams of this document. */
  maxDecodedBytes?: number;
}

/** The default decode budget: far above what the text of real documents needs, far below a bomb's gigabytes. */
export const DEFAULT_MAX_DECODED_BYTES = 256_000_000;

/**
 * Extracts the text of every page; `onPage` reports progress, `signal` stops between pages, and decoding
 * stops once the document's decoded streams would pass `maxDecodedBytes`.
 */
export async function pdfToText(data: Buffer, options: PdfOptions = {}): Promise<PdfText> {
  const library = await loadPdfJs();
  const budget = startDecodeBudget(options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  let document;
  try {
    document = await library.getDocument({
      // pdf.js takes ownership of the array it is given; the cached response keeps its own bytes.
      data: new Uint8Array(data),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    assertWithinBudget(budget);
    const reason =
      error instanceof Error && /password/i.test(error.message)
        ? 'it is encrypted with a password'
        : 'it is damaged or not a PDF';
    throw new UpstreamError(`The PDF could not be read: ${reason}.`);
  }
  try {
    const parts: string[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      throwIfCancelled(options.signal);
      assertWithinBudget(budget);
      let content;
      let page;
      try {
        page = await document.getPage(number);
        content = await page.getTextContent();
      } catch (error) {
        assertWithinBudget(budget);
        if (isPorticoError(error)) throw error;
        // pdf.js messages can quote the document's bytes: the reply only says where it failed.
        throw new UpstreamError(`The PDF could not be read: page ${number} is damaged.`);
      }
      // pdf.js recovers from many errors by skipping what failed, the budget's refusal included.
      assertWithinBudget(budget);
      let text = '';
      for (const item of content.items) {
        if (typeof item.str === 'string') text += item.str;
        if (item.hasEOL === true) text += '\n';
      }
      page.cleanup();
      parts.push(`## Page ${number}\n\n${text.replace(/[ \t]+\n/g, '\n').trim()}`);
      options.onPage?.(number, document.numPages);
    }
    const info = await document.getMetadata().catch(() => undefined);
    assertWithinBudget(budget);
    const title =
      typeof info?.info?.Title === 'string' && info.info.Title.trim() !== '' ? info.info.Title.trim() : undefined;
    return { text: parts.join('\n\n'), ...(title !== undefined ? { title } : {}), pages: document.numPages };
  } finally {
    await document.destroy();
  }
}

function assertWithinBudget(budget: DecodeBudget): void {
  if (!budget.exceeded) return;
  throw new TooLargeError(
    `The PDF's compressed streams expand to more than ${budget.limit.toLocaleString('en-US')} bytes when decoded (a decompression bomb, or a document too large to read); the operator can raise --max-decompressed-bytes.`,
  );
}
