import { InvalidArgumentError } from '@portico-mcp/shared/errors';

/** Longest pattern accepted; long generated patterns are a common source of catastrophic backtracking. */
export const MAX_PATTERN_LENGTH = 1000;
/** Characters of a matching line shown; the rest is elided. */
export const MAX_LINE_CHARS = 400;

/** A compiled search: one regular expression used for the quick whole-file test and to find each match. */
export interface ContentPattern {
  /** Global, multiline; reset lastIndex before use. */
  regex: RegExp;
}

/** Compiles a search pattern: `literal` escapes it, `ignoreCase` folds case. Throws InvalidArgumentError for a bad regex. */
export function compileContentPattern(
  pattern: string,
  options: { literal: boolean; ignoreCase: boolean },
): ContentPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidArgumentError(
      `The pattern is ${pattern.length} characters long; keep it under ${MAX_PATTERN_LENGTH}.`,
    );
  }
  const source = options.literal ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
  try {
    return { regex: new RegExp(source, `gm${options.ignoreCase ? 'i' : ''}`) };
  } catch (error) {
    throw new InvalidArgumentError(
      `The pattern is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')}); fix it, or pass literal: true to search for the text as written.`,
    );
  }
}

/** One line that matched, with its 1-based number. */
export interface LineMatch {
  line: number;
  text: string;
}

/** Offsets where each line starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** 0-based index of the line holding `offset`. */
function lineIndexOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Cuts a line for display and drops a trailing carriage return. */
export function displayLine(text: string): string {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  return line.length > MAX_LINE_CHARS
    ? `${line.slice(0, MAX_LINE_CHARS)}… [line cut: ${line.length} characters]`
    : line;
}

/** A file's matching lines (each once, in order) plus the line table, for context. */
export interface FileMatches {
  matchedLines: number[];
  starts: number[];
}

/** Finds the lines of `text` that match, up to `limit` of them; undefined when none does (decided in one pass). */
export function findMatchingLines(text: string, pattern: ContentPattern, limit: number): FileMatches | undefined {
  const { regex } = pattern;
  regex.lastIndex = 0;
  let match = regex.exec(text);
  if (match === null) return undefined;
  const starts = lineStarts(text);
  const matchedLines: number[] = [];
  while (match !== null && matchedLines.length < limit) {
    const lineIndex = lineIndexOf(starts, match.index);
    if (matchedLines[matchedLines.length - 1] !== lineIndex) matchedLines.push(lineIndex);
    // Continue from the next line: one report per line, and no endless loop on empty matches.
    const next = starts[lineIndex + 1];
    if (next === undefined) break;
    regex.lastIndex = next;
    match = regex.exec(text);
  }
  return { matchedLines, starts };
}

/** The text of 0-based line `index`. */
export function lineText(text: string, starts: readonly number[], index: number): string {
  const start = starts[index]!;
  const next = starts[index + 1];
  return text.slice(start, next === undefined ? text.length : next - 1);
}
