import { InvalidArgumentError } from '@portico-mcp/shared/errors';

/** One replacement asked for by edit_file. */
export interface EditRequest {
  oldText: string;
  newText: string;
  replaceAll?: boolean | undefined;
}

/** What applying the edits did. */
export interface EditResult {
  content: string;
  /** Replacements made, per edit, in order. */
  replacements: number[];
  /** Per edit, whether it needed whitespace-tolerant matching. */
  tolerant: boolean[];
}

/** How a file's text is laid out, so an edit can write it back the same way. */
export interface TextLayout {
  bom: boolean;
  eol: '\n' | '\r\n';
}

/** Splits off a BOM and normalises line endings to "\n"; `restoreLayout` undoes both. */
export function normalizeLayout(raw: string): { text: string; layout: TextLayout } {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const body = bom ? raw.slice(1) : raw;
  const crlf = countOf(body, '\r\n');
  const lf = countOf(body, '\n');
  // The majority decides: a CRLF file stays CRLF even when an editor slipped in a lone "\n".
  const eol = crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
  return { text: eol === '\r\n' ? body.replace(/\r\n/g, '\n') : body, layout: { bom, eol } };
}

/** Puts back the BOM and line endings that `normalizeLayout` took off. */
export function restoreLayout(text: string, layout: TextLayout): string {
  const body = layout.eol === '\r\n' ? text.replace(/\n/g, '\r\n') : text;
  return layout.bom ? `\ufeff${body}` : body;
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + needle.length)) count++;
  return count;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + needle.length))
    found.push(index);
  return found;
}

const LEADING_SPACE = /^[ \t]*/;
function indentOf(line: string): string {
  return LEADING_SPACE.exec(line)?.[0] ?? '';
}

/**
 * Re-indents `newLines` for a match found with different indentation: each line keeps its indentation
 * relative to oldText's first non-blank line, re-based on the file's indentation of that same line.
 */
export function reindent(newLines: readonly string[], oldBase: string, fileBase: string): string[] {
  return newLines.map((line) => {
    if (line.trim() === '') return line.replace(/[ \t]+$/, '');
    const indent = indentOf(line);
    if (indent.startsWith(oldBase)) return fileBase + indent.slice(oldBase.length) + line.slice(indent.length);
    // Less indented than the old base: outdent from the file's base by the same amount.
    const outdent = oldBase.length - indent.length;
    return fileBase.slice(0, Math.max(0, fileBase.length - outdent)) + line.slice(indent.length);
  });
}

/** Applies the edits in order to LF-normalised text; throws InvalidArgumentError naming the edit that failed. */
export function applyEdits(original: string, edits: readonly EditRequest[], displayPath: string): EditResult {
  let content = original;
  const replacements: number[] = [];
  const tolerant: boolean[] = [];
  for (const [index, edit] of edits.entries()) {
    const label = edits.length > 1 ? `Edit ${index + 1} of ${edits.length}` : 'The edit';
    const oldText = edit.oldText.replace(/\r\n/g, '\n');
    const newText = edit.newText.replace(/\r\n/g, '\n');
    if (oldText === '')
      throw new InvalidArgumentError(`${label} has an empty oldText; copy the exact text to replace from the file.`);

    const exact = occurrences(content, oldText);
    if (exact.length > 0) {
      refuseAmbiguous(
        label,
        exact.map((at) => lineOf(content, at)),
        edit.replaceAll,
      );
      const targets = edit.replaceAll ? exact : exact.slice(0, 1);
      content = spliceAll(content, targets, oldText.length, newText);
      replacements.push(targets.length);
      tolerant.push(false);
      continue;
    }

    const lines = content.split('\n');
    const oldLines = dropFinalEmpty(oldText.split('\n'));
    const newLines =
      oldText.endsWith('\n') && newText.endsWith('\n') ? dropFinalEmpty(newText.split('\n')) : newText.split('\n');
    const starts = tolerantMatches(lines, oldLines);
    if (starts.length === 0) throw new InvalidArgumentError(notFoundMessage(label, displayPath, lines, oldLines));
    refuseAmbiguous(
      label,
      starts.map((start) => start + 1),
      edit.replaceAll,
    );
    const targets = edit.replaceAll ? starts : starts.slice(0, 1);
    const anchor = oldLines.findIndex((line) => line.trim() !== '');
    const oldBase = indentOf(oldLines[Math.max(anchor, 0)] ?? '');
    // Later matches first, so earlier line numbers stay valid while splicing.
    for (const start of [...targets].reverse()) {
      const fileBase = indentOf(lines[start + Math.max(anchor, 0)] ?? '');
      lines.splice(start, oldLines.length, ...reindent(newLines, oldBase, fileBase));
    }
    content = lines.join('\n');
    replacements.push(targets.length);
    tolerant.push(true);
  }
  return { content, replacements, tolerant };
}

function dropFinalEmpty(lines: string[]): string[] {
  return lines.length > 1 && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}

function refuseAmbiguous(label: string, lineNumbers: readonly number[], replaceAll: boolean | undefined): void {
  if (lineNumbers.length <= 1 || replaceAll) return;
  const shown = lineNumbers.slice(0, 10).join(', ') + (lineNumbers.length > 10 ? ', …' : '');
  throw new InvalidArgumentError(
    `${label}: oldText matches ${lineNumbers.length} places (lines ${shown}); include more surrounding lines so it matches exactly one, or pass replaceAll: true to replace every match.`,
  );
}

function spliceAll(text: string, starts: readonly number[], length: number, replacement: string): string {
  let result = '';
  let from = 0;
  for (const start of starts) {
    result += text.slice(from, start) + replacement;
    from = start + length;
  }
  return result + text.slice(from);
}

/** Starts of non-overlapping windows whose lines equal oldLines once leading and trailing white space is ignored. */
function tolerantMatches(lines: readonly string[], oldLines: readonly string[]): number[] {
  const wanted = oldLines.map((line) => line.trim());
  const starts: number[] = [];
  for (let start = 0; start + wanted.length <= lines.length;) {
    let matches = true;
    for (let offset = 0; offset < wanted.length; offset++) {
      if (lines[start + offset]!.trim() !== wanted[offset]) {
        matches = false;
        break;
      }
    }
    if (matches) {
      starts.push(start);
      start += wanted.length;
    } else start++;
  }
  return starts;
}

/** Character bigrams of a trimmed line, for a cheap similarity score. */
function bigrams(line: string): Map<string, number> {
  const text = line.trim().replace(/\s+/g, ' ');
  const grams = new Map<string, number>();
  for (let index = 0; index < text.length - 1; index++) {
    const gram = text.slice(index, index + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/** Dice similarity of two bigram bags, 0..1 (two empty lines are identical). */
function similarity(a: Map<string, number>, b: Map<string, number>): number {
  let sizeA = 0;
  let sizeB = 0;
  for (const count of a.values()) sizeA += count;
  for (const count of b.values()) sizeB += count;
  if (sizeA === 0 && sizeB === 0) return 1;
  let shared = 0;
  for (const [gram, count] of a) shared += Math.min(count, b.get(gram) ?? 0);
  return (2 * shared) / (sizeA + sizeB);
}

/** Lines scanned when looking for the closest region; beyond this the hint is skipped to stay fast. */
const MAX_HINT_LINES = 200_000;
const HINT_CANDIDATES = 20;

/** The window of the file most similar to oldLines: its 0-based start and a score in 0..1. */
export function closestRegion(
  lines: readonly string[],
  oldLines: readonly string[],
): { start: number; score: number } | undefined {
  if (lines.length === 0 || lines.length > MAX_HINT_LINES) return undefined;
  const anchor = Math.max(
    0,
    oldLines.findIndex((line) => line.trim() !== ''),
  );
  const anchorGrams = bigrams(oldLines[anchor] ?? '');
  // Stage one ranks single lines against oldText's first non-blank line; stage two scores whole windows.
  const ranked: Array<{ start: number; score: number }> = [];
  for (let index = 0; index < lines.length; index++) {
    const start = index - anchor;
    if (start < 0 || start + oldLines.length > lines.length) continue;
    ranked.push({ start, score: similarity(anchorGrams, bigrams(lines[index]!)) });
  }
  ranked.sort((a, b) => b.score - a.score);
  const oldGrams = oldLines.map(bigrams);
  let best: { start: number; score: number } | undefined;
  for (const { start } of ranked.slice(0, HINT_CANDIDATES)) {
    let total = 0;
    for (let offset = 0; offset < oldLines.length; offset++)
      total += similarity(oldGrams[offset]!, bigrams(lines[start + offset]!));
    const score = total / oldLines.length;
    if (!best || score > best.score) best = { start, score };
  }
  return best;
}

function notFoundMessage(
  label: string,
  displayPath: string,
  lines: readonly string[],
  oldLines: readonly string[],
): string {
  const region = closestRegion(lines, oldLines);
  const base = `${label}: oldText was not found in ${displayPath}, not even ignoring indentation`;
  if (!region || region.score < 0.3)
    return `${base}; read the file again (read_text_file) and copy the exact text to replace.`;
  const first = region.start + 1;
  const last = region.start + oldLines.length;
  const excerpt = lines
    .slice(region.start, region.start + oldLines.length)
    .map(
      (line, offset) => `${String(first + offset).padStart(6)}| ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`,
    )
    .join('\n');
  return `${base}. The closest region is lines ${first}–${last} (${Math.round(region.score * 100)}% similar):\n${excerpt}\nCopy the exact text from there (read_text_file with offset: ${first}, limit: ${last - first + 1}) and try again.`;
}
