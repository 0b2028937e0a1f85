import { UpstreamError } from '@portico-mcp/shared/errors';
import { importExternal } from '@portico-mcp/shared/serve';
import { throwIfCancelled } from '../cancel.js';

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
  pdfjs ??= importExternal('pdfjs-dist/legacy/build/pdf.mjs', import.meta.url).then((module) => module as PdfJs);
  pdfjs.catch(() => {
    pdfjs = undefined;
  });
  return pdfjs;
}

/** Extracts the text of every page; `onPage` reports progress, `signal` stops between pages. */
export async function pdfToText(data: Buffer, options: { signal?: AbortSignal; onPage?: (page: number, pages: number) => void } = {}): Promise<PdfText> {
  const library = await loadPdfJs();
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
    const reason = error instanceof Error && /password/i.test(error.message) ? 'it is encrypted with a password' : 'it is damaged or not a PDF';
    throw new UpstreamError(`The PDF could not be read: ${reason}.`);
  }
  try {
    const parts: string[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      throwIfCancelled(options.signal);
      const page = await document.getPage(number);
      const content = await page.getTextContent();
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
    const title = typeof info?.info?.Title === 'string' && info.info.Title.trim() !== '' ? info.info.Title.trim() : undefined;
    return { text: parts.join('\n\n'), ...(title !== undefined ? { title } : {}), pages: document.numPages };
  } finally {
    await document.destroy();
  }
}
