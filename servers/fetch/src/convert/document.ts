import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import type { FetchedResponse } from '../net/http-client.js';
import { displayUrl } from '@portico-mcp/shared/net';
import { decodeBody } from './charset.js';

/** What kind of document a response was read as. */
export type DocumentKind = 'html' | 'json' | 'text' | 'pdf';

/** A response turned into the text the tool serves, cut into chunks later. */
export interface ConvertedDocument {
  text: string;
  kind: DocumentKind;
  /** The media type the server declared (without parameters), or "" when it declared none. */
  contentType: string;
  title?: string;
  /** How HTML was turned into markdown (absent for raw and non-HTML). */
  extraction?: 'article' | 'page' | 'javascript-shell';
  charset?: string;
  pages?: number;
}

/** Options of a conversion. */
export interface ConvertOptions {
  /** Serve the text as sent (HTML source, JSON unformatted) instead of converting it. */
  raw: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Most bytes a PDF's compressed streams may expand to. */
  maxDecodedBytes?: number;
}

/** What a conversion reads of a response. */
export type ConversionInput = Pick<FetchedResponse, 'url' | 'headers' | 'body'>;

const TEXT_TYPES =
  /^(text\/|application\/(xml|javascript|ecmascript|x-javascript|x-ndjson|yaml|x-yaml|toml|x-sh|sql|graphql|rtf|csv)$)|\+xml$/;
const JSON_TYPES = /^(application\/json|text\/json|application\/[\w.-]+\+json|application\/(x-)?json-?\w*)$/;
const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)$/;
const SNIFF_BYTES = 8192;

/** Converts a fetched body by its declared type (sniffing when the type is missing or generic). */
export async function convertResponse(response: ConversionInput, options: ConvertOptions): Promise<ConvertedDocument> {
  const declared = response.headers.get('content-type');
  const contentType = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  const kind = kindOf(contentType, response.body);
  if (kind === undefined) {
    // The media type is the server's text: named only when it is a plain type/subtype token.
    const shown = /^[\w.+-]{1,60}\/[\w.+-]{1,60}$/.test(contentType) ? contentType : 'binary data';
    throw new InvalidArgumentError(
      `${displayUrl(response.url)} is ${shown}, which cannot be shown as text; fetch an HTML, text, JSON or PDF URL instead.`,
    );
  }
  if (kind === 'pdf') {
    options.onProgress?.('extracting PDF text');
    const { pdfToText } = await import('./pdf.js');
    const pdf = await pdfToText(response.body, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxDecodedBytes !== undefined ? { maxDecodedBytes: options.maxDecodedBytes } : {}),
      onPage: (page, pages) => options.onProgress?.(`extracted page ${page} of ${pages}`),
    });
    const heading = pdf.title === undefined ? '' : `# ${pdf.title}\n\n`;
    return {
      text: `${heading}${pdf.text}`,
      kind,
      contentType,
      pages: pdf.pages,
      ...(pdf.title ? { title: pdf.title } : {}),
    };
  }
  const decoded = await decodeBody(response.body, declared, kind === 'html');
  if (kind === 'html' && !options.raw) {
    options.onProgress?.('converting HTML to markdown');
    const { htmlToMarkdown } = await import('@portico-mcp/shared/markdown');
    const converted = await htmlToMarkdown(decoded.text, response.url);
    return {
      text: converted.markdown,
      kind,
      contentType,
      extraction: converted.extraction,
      charset: decoded.charset,
      ...(converted.title !== undefined ? { title: converted.title } : {}),
    };
  }
  if (kind === 'json' && !options.raw)
    return { text: prettyJson(decoded.text), kind, contentType, charset: decoded.charset };
  return { text: decoded.text, kind, contentType, charset: decoded.charset };
}

function kindOf(contentType: string, body: Buffer): DocumentKind | undefined {
  if (contentType === 'application/pdf' || contentType === 'application/x-pdf') return 'pdf';
  if (HTML_TYPES.test(contentType)) return 'html';
  if (JSON_TYPES.test(contentType)) return 'json';
  if (TEXT_TYPES.test(contentType)) return 'text';
  if (contentType === '' || contentType === 'application/octet-stream' || contentType === 'binary/octet-stream')
    return sniff(body);
  return undefined;
}

function sniff(body: Buffer): DocumentKind | undefined {
  const head = body.subarray(0, SNIFF_BYTES);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.includes(0)) return undefined;
  const text = head.toString('latin1').trimStart().toLowerCase();
  if (
    text.startsWith('<!doctype html') ||
    text.startsWith('<html') ||
    /<(head|body|title|p|div)[\s>]/.test(text.slice(0, 1024))
  )
    return 'html';
  if ((text.startsWith('{') || text.startsWith('[')) && isJson(body)) return 'json';
  return 'text';
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not valid JSON after all: served as sent rather than refused.
    return text;
  }
}
