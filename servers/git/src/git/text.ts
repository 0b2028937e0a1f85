import { utf8Length } from '@portico-mcp/shared/output';

const STRICT = new TextDecoder('utf-8', { fatal: true });

/** Text decoded from git's bytes, and whether any byte was not UTF-8. */
export interface DecodedText {
  text: string;
  nonUtf8: boolean;
}

/**
 * Decodes bytes as UTF-8 without ever failing: bytes that are not valid UTF-8 (Latin-1 files, binary noise)
 * are shown as `\xNN`, so nothing is silently replaced and nothing throws.
 */
export function decodeTolerant(bytes: Uint8Array): DecodedText {
  try {
    return { text: STRICT.decode(bytes), nonUtf8: false };
  } catch {
    return { text: decodeByLine(bytes), nonUtf8: true };
  }
}

function decodeByLine(bytes: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    end = end < 0 ? bytes.length : end + 1;
    const line = bytes.subarray(start, end);
    try {
      parts.push(STRICT.decode(line));
    } catch {
      parts.push(escapeInvalid(line));
    }
    start = end;
  }
  return parts.join('');
}

/** Decodes one line byte by byte: valid UTF-8 sequences as characters, every other byte as `\xNN`. */
function escapeInvalid(line: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const length = sequenceLength(line, i);
    if (length > 0) {
      out += Buffer.from(line.subarray(i, i + length)).toString('utf8');
      i += length;
    } else {
      out += `\\x${line[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  let length: number;
  let min: number;
  if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
  else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800];
  else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000];
  else return 0;
  if (i + length > bytes.length) return 0;
  let code = lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const next = bytes[i + k]!;
    if ((next & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (next & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

/** One page of a long output. */
export interface Page {
  text: string;
  /** Byte offset (in git's output) the page starts at. */
  offset: number;
  /** Bytes of git's output the page covers. */
  bytes: number;
  /** Where the next page starts, when there is more. */
  resumeAt: number | undefined;
  nonUtf8: boolean;
}

/**
 * Cuts the page that starts at `offset` from `output` so that its decoded text fits `maxBytes`, ending on a
 * line break when one is near. `more` says whether git had more output than `output` holds.
 */
export function pageOf(output: Buffer, offset: number, maxBytes: number, more: boolean): Page {
  const rest = output.subarray(Math.min(offset, output.length));
  let allowance = Math.max(0, maxBytes);
  for (let attempt = 0; attempt < 4; attempt++) {
    let end = Math.min(rest.length, allowance);
    if (end < rest.length) {
      const lastNewline = rest.subarray(0, end).lastIndexOf(0x0a);
      if (lastNewline >= 0 && lastNewline >= end - Math.max(1, Math.floor(end / 5))) end = lastNewline + 1;
      // Never end inside a UTF-8 sequence.
      while (end > 0 && end < rest.length && (rest[end]! & 0xc0) === 0x80) end--;
    }
    const decoded = decodeTolerant(rest.subarray(0, end));
    const size = utf8Length(decoded.text);
    if (size <= maxBytes || end === 0) {
      const hasMore = end < rest.length || more;
      return {
        text: decoded.text,
        offset,
        bytes: end,
        resumeAt: hasMore ? offset + end : undefined,
        nonUtf8: decoded.nonUtf8,
      };
    }
    // Escapes made the text longer than the bytes it came from: shrink and try again.
    allowance = Math.floor(end * (maxBytes / size) * 0.95);
  }
  return { text: '', offset, bytes: 0, resumeAt: offset, nonUtf8: true };
}
