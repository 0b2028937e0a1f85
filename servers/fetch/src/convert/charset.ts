/** A response body decoded to text, and how its encoding was decided. */
export interface DecodedText {
  text: string;
  /** The encoding used, lower case: `utf-8`, `windows-1252`, `shift_jis`, … */
  charset: string;
  /** Where the encoding came from. */
  source: 'bom' | 'header' | 'meta' | 'detected' | 'default';
}

// WHATWG Encoding: these labels all mean windows-1252 on the web, which is what servers actually send.
const ALIASES: Readonly<Record<string, string>> = {
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  ascii: 'windows-1252',
  'us-ascii': 'windows-1252',
  'x-sjis': 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  ms_kanji: 'shift_jis',
  'windows-31j': 'shift_jis',
  'x-euc-jp': 'euc-jp',
  gb2312: 'gbk',
  'x-gbk': 'gbk',
};

type Iconv = typeof import('iconv-lite');
let iconvModule: Promise<Iconv> | undefined;
function loadIconv(): Promise<Iconv> {
  iconvModule ??= import('iconv-lite').then((module) => (module as { default?: Iconv }).default ?? module);
  return iconvModule;
}

type Detect = (buffer: Uint8Array) => string | null;
let chardetModule: Promise<Detect> | undefined;
function loadChardet(): Promise<Detect> {
  chardetModule ??= import('chardet').then((module) => (module as { detect: Detect }).detect);
  return chardetModule;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const DETECT_SAMPLE_BYTES = 64 * 1024;

/**
 * Decodes a body the way a browser would: a byte-order mark, then the Content-Type charset, then (for
 * markup) a `<meta>` or XML declaration near the start; with none of those, UTF-8 when the bytes are valid
 * UTF-8, else the encoding chardet recognises, else windows-1252.
 */
export async function decodeBody(body: Buffer, contentType: string | undefined, markup: boolean): Promise<DecodedText> {
  const bom = bomEncoding(body);
  if (bom !== undefined) return decodeAs(body, bom, 'bom');
  const declared = charsetParameter(contentType);
  if (declared !== undefined) {
    const decoded = await tryDecode(body, declared, 'header');
    if (decoded !== undefined) return decoded;
  }
  if (markup) {
    const inMarkup = sniffMarkupCharset(body);
    if (inMarkup !== undefined) {
      const decoded = await tryDecode(body, inMarkup, 'meta');
      if (decoded !== undefined) return decoded;
    }
  }
  if (isValidUtf8(body)) return { text: body.toString('utf8'), charset: 'utf-8', source: 'default' };
  const detect = await loadChardet();
  const guess = detect(body.subarray(0, DETECT_SAMPLE_BYTES));
  if (guess !== null) {
    const decoded = await tryDecode(body, guess, 'detected');
    if (decoded !== undefined) return decoded;
  }
  return decodeAs(body, 'windows-1252', 'default');
}

/** The `charset` parameter of a Content-Type value, normalised, if any. */
export function charsetParameter(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1] === undefined ? undefined : normalizeCharset(match[1]);
}

/** Lower-cases a charset label and maps web aliases to the encoding they stand for. */
export function normalizeCharset(label: string): string {
  const lower = label.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

function bomEncoding(body: Buffer): string | undefined {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

// The HTML prescan looks at the first 1024 bytes; pages in the wild put the tag a little later, so look a bit further.
const PRESCAN_BYTES = 4096;

function sniffMarkupCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, PRESCAN_BYTES).toString('latin1');
  const metaCharset = /<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9._:-]+)/i.exec(head);
  if (metaCharset?.[1] !== undefined) return normalizeCharset(metaCharset[1]);
  const xml = /^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9._:-]+)["']/i.exec(head);
  if (xml?.[1] !== undefined) return normalizeCharset(xml[1]);
  return undefined;
}

function isValidUtf8(body: Buffer): boolean {
  try {
    STRICT_UTF8.decode(body);
    return true;
  } catch {
    return false;
  }
}

async function tryDecode(
  body: Buffer,
  charset: string,
  source: DecodedText['source'],
): Promise<DecodedText | undefined> {
  const name = normalizeCharset(charset);
  if (name === 'utf-8') return decodeAs(body, name, source);
  const iconv = await loadIconv();
  if (!iconv.encodingExists(name)) return undefined;
  return decodeAs(body, name, source, iconv);
}

async function decodeAs(
  body: Buffer,
  charset: string,
  source: DecodedText['source'],
  iconv?: Iconv,
): Promise<DecodedText> {
  if (charset === 'utf-8') {
    const start = bomEncoding(body) === 'utf-8' ? 3 : 0;
    return { text: body.subarray(start).toString('utf8'), charset, source };
  }
  const decoder = iconv ?? (await loadIconv());
  // iconv-lite strips a byte-order mark by default.
  return { text: decoder.decode(body, charset), charset, source };
}
