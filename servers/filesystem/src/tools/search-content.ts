import { closeSync, constants, existsSync, fstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { formatBytes, truncationNotice } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { looksBinary, SNIFF_BYTES } from '../lib/binary.js';
import { quote } from '../lib/files.js';
import { nameOrPathGlobs } from '../lib/globs.js';
import { compileContentPattern, displayLine, findMatchingLines, lineText } from '../lib/grep.js';
import { rootHolding } from '../lib/roots.js';
import { walkTree } from '../lib/walk.js';
import { READ_ONLY } from './annotations.js';

export const DEFAULT_MAX_MATCHES = 200;
const MAX_MAX_MATCHES = 10_000;
/** Files larger than this are skipped (and counted); searching them would hold them whole in memory. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/**
 * How walked files are opened: a symbolic link swapped in at the name is refused rather than followed, and a FIFO
 * opens at once (to be skipped by the type check) instead of waiting for a writer.
 */
const SEARCH_OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** Files scanned between progress reports. */
const PROGRESS_EVERY_FILES = 500;

let procFd: boolean | undefined;

/**
 * False when the kernel says an open file lies outside the sandbox: a directory the walk passed through may have
 * been swapped for a symbolic link to outside, which O_NOFOLLOW on the last component cannot see. Where
 * /proc/self/fd does not exist the open is trusted, as the sandbox itself does.
 */
function openedInside(sandbox: Sandbox, fd: number): boolean {
  procFd ??= existsSync('/proc/self/fd');
  if (!procFd) return true;
  try {
    return sandbox.isInside(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}

/** search_content. */
export function searchContentTools(fs: FilesystemContext): AnyToolDefinition[] {
  const searchContent = defineTool({
    name: 'search_content',
    title: 'Search File Contents',
    description:
      'Search inside files for a regular expression or literal text, like grep: reports each matching line as path:line: text, with optional context lines. ' +
      "include/exclude take globs ('*.ts', 'src/**'); a glob without '/' matches file names at any depth. Binary files and files over 10 MB are skipped; .gitignore is respected by default. " +
      'Results are capped (maxResults, offset to continue). Only searches within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Directory (or single file) to search.'),
      pattern: z.string().min(1).describe('Regular expression (JavaScript syntax), or the exact text when literal is true.'),
      literal: z.boolean().default(false).describe('Treat pattern as plain text, not a regular expression.'),
      ignoreCase: z.boolean().default(false).describe('Match regardless of letter case.'),
      include: z.array(z.string()).optional().default([]).describe("Only search files matching one of these globs, e.g. ['*.ts', '*.tsx']."),
      exclude: z.array(z.string()).optional().default([]).describe("Skip files and directories matching these globs, e.g. ['node_modules', '*.min.js']."),
      contextLines: z.number().int().min(0).max(20).default(0).describe('Lines of context to show before and after each match (default 0).'),
      maxResults: z.number().int().min(1).max(MAX_MAX_MATCHES).default(DEFAULT_MAX_MATCHES).describe(`Most matching lines to return (default ${DEFAULT_MAX_MATCHES}).`),
      offset: z.number().int().min(0).default(0).describe('Matching lines to skip, to continue a capped search (the reply names it).'),
      respectGitignore: z.boolean().default(true).describe('Skip what .gitignore files ignore, and .git itself (default true).'),
    }),
    outputSchema: z.object({
      matches: z.number().describe('Matching lines shown.'),
      files: z.number().describe('Files with a match shown.'),
      filesSearched: z.number().describe('Files whose content was searched.'),
      skippedBinary: z.number().describe('Files skipped as binary.'),
      skippedLarge: z.number().describe('Files skipped for size.'),
      truncated: z.boolean().describe('True when more matches exist; continue with nextOffset.'),
      nextOffset: z.number().optional().describe('Pass as offset to get the next matches.'),
    }),
    annotations: READ_ONLY,
    handler: async (args, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const target = await sandbox.resolveInside(args.path, { mustExist: true });
      const pattern = compileContentPattern(args.pattern, { literal: args.literal, ignoreCase: args.ignoreCase });
      const included = args.include.length > 0 ? nameOrPathGlobs(args.include) : undefined;
      const excluded = nameOrPathGlobs(args.exclude);
      const room = ctx.budget.remaining - 500;
      const out: string[] = [];
      let outBytes = 0;
      let shownMatches = 0;
      let skippedMatches = 0;
      let files = 0;
      let filesSearched = 0;
      let skippedBinary = 0;
      let skippedLarge = 0;
      let more = false;
      let cutByBudget = false;

      // Case-sensitive literal text can be looked for in the raw bytes: files without it are never decoded.
      const needle = args.literal && !args.ignoreCase ? Buffer.from(args.pattern, 'utf8') : undefined;
      let scratch = Buffer.allocUnsafe(64 * 1024);

      /** Searches one file; returns false to stop the whole search. */
      const searchFile = (absolute: string): boolean => {
        let fd: number;
        try {
          fd = openSync(absolute, SEARCH_OPEN_FLAGS);
        } catch {
          return true;
        }
        let length: number;
        try {
          const info = fstatSync(fd);
          // Only regular files are searched: the walk saw a file here, but it may have been replaced since.
          if (!info.isFile() || !openedInside(sandbox, fd)) return true;
          const size = info.size;
          if (size > DEFAULT_MAX_FILE_BYTES) {
            skippedLarge++;
            return true;
          }
          if (size > scratch.length) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
          length = 0;
          for (let read = -1; read !== 0 && length < size; length += read) read = readSync(fd, scratch, length, size - length, length);
        } catch {
          return true;
        } finally {
          closeSync(fd);
        }
        filesSearched++;
        const buffer = scratch.subarray(0, length);
        if (looksBinary(buffer.subarray(0, SNIFF_BYTES))) {
          skippedBinary++;
          return true;
        }
        if (needle && buffer.indexOf(needle) === -1) return true;
        const text = buffer.toString('utf8');
        const wanted = args.offset - skippedMatches + args.maxResults - shownMatches + 1;
        const found = findMatchingLines(text, pattern, wanted);
        if (!found) return true;
        const { matchedLines, starts } = found;
        // Skip what earlier pages showed, then keep what this page has room for.
        const toSkip = Math.min(args.offset - skippedMatches, matchedLines.length);
        skippedMatches += toSkip;
        const slots = args.maxResults - shownMatches;
        const eligible = matchedLines.slice(toSkip, toSkip + slots);
        if (matchedLines.length - toSkip > slots) more = true;
        const eligibleSet = new Set(eligible);
        const lastLine = text.endsWith('\n') ? starts.length - 2 : starts.length - 1;
        const block: string[] = [];
        let blockMatches = 0;
        let lastPrinted = -1;
        for (const lineIndex of eligible) {
          if (lineIndex <= lastPrinted) continue;
          const from = Math.max(0, lineIndex - args.contextLines, lastPrinted + 1);
          const to = Math.min(lastLine, lineIndex + args.contextLines);
          const lines: string[] = [];
          if (lastPrinted !== -1 && from > lastPrinted + 1) lines.push('--');
          let pieceMatches = 0;
          for (let index = from; index <= Math.max(to, lineIndex); index++) {
            const isMatch = eligibleSet.has(index);
            if (isMatch) pieceMatches++;
            const mark = isMatch ? ':' : '-';
            lines.push(`${absolute}${mark}${index + 1}${mark} ${displayLine(lineText(text, starts, index))}`);
          }
          const piece = lines.join('\n');
          const pieceBytes = Buffer.byteLength(piece) + 1;
          if (outBytes + pieceBytes > room) {
            more = true;
            cutByBudget = true;
            break;
          }
          outBytes += pieceBytes;
          block.push(piece);
          blockMatches += pieceMatches;
          lastPrinted = Math.max(to, lineIndex);
        }
        if (blockMatches > 0) {
          if (args.contextLines > 0 && out.length > 0) out.push('--');
          out.push(...block);
          files++;
          shownMatches += blockMatches;
        }
        return !more;
      };

      const targetStats = await sandbox.statResolved(target, args.path);
      if (targetStats.isFile()) {
        searchFile(target);
      } else if (targetStats.isDirectory()) {
        let sinceProgress = 0;
        await walkTree(
          target,
          (entry) => {
            if (excluded(entry.relative)) return 'skip';
            if (entry.kind !== 'file') return undefined;
            if (included && !included(entry.relative)) return undefined;
            if (++sinceProgress >= PROGRESS_EVERY_FILES) {
              sinceProgress = 0;
              void ctx.progress(filesSearched, undefined, `${filesSearched} files searched, ${shownMatches} matches`);
            }
            return searchFile(entry.absolute) ? undefined : 'stop';
          },
          {
            sandbox,
            signal: ctx.signal,
            respectGitignore: args.respectGitignore,
            gitignoreTop: rootHolding(sandbox, target) ?? target,
          },
        );
      } else {
        throw new InvalidArgumentError(`${quote(args.path)} is neither a file nor a directory; pass a directory to search.`);
      }

      const nextOffset = args.offset + shownMatches;
      const skipped = [
        skippedBinary > 0 ? `${skippedBinary} binary` : '',
        skippedLarge > 0 ? `${skippedLarge} over ${formatBytes(DEFAULT_MAX_FILE_BYTES)}` : '',
      ].filter(Boolean);
      const summary = `${shownMatches} matching line${shownMatches === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${filesSearched} files searched${skipped.length > 0 ? `; skipped ${skipped.join(' and ')}` : ''}).`;
      let text = shownMatches > 0 ? `${out.join('\n')}\n\n${summary}` : args.offset > 0 ? `No matches after the first ${args.offset}. ${summary}` : `No matches found. ${summary}`;
      if (more) {
        text += `\n${truncationNotice({
          shown: `matching lines ${args.offset + 1}–${nextOffset}`,
          reason: cutByBudget ? 'the reply budget' : `the maxResults cap of ${args.maxResults}`,
          next: `call search_content again with offset: ${nextOffset}, or narrow the pattern or include globs`,
        })}`;
      }
      ctx.budget.spend(Buffer.byteLength(text));
      return {
        content: [{ type: 'text', text }],
        structuredContent: { matches: shownMatches, files, filesSearched, skippedBinary, skippedLarge, truncated: more, ...(more ? { nextOffset } : {}) },
      };
    },
  });
  return [searchContent];
}
