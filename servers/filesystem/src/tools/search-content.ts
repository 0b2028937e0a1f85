import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { formatBytes, TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { defineTool, READ_ONLY } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { looksBinary, SNIFF_BYTES } from '@portico-mcp/shared/output';
import { quote } from '../lib/files.js';
import { nameOrPathGlobs } from '../lib/globs.js';
import { compileContentPattern, displayLine, findMatchingLines, lineText } from '../lib/grep.js';
import { rootHolding } from '../lib/roots.js';
import { walkTree } from '../lib/walk.js';
import { offsetField, pathField } from './fields.js';

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

/** search_content. */
export function searchContentTools(fs: FilesystemContext): AnyToolDefinition[] {
  const searchContent = defineTool({
    name: 'search_content',
    title: 'Search File Contents',
    description:
      'Search inside files for a regular expression (or literal text), like grep: each matching line as path:line: text, with optional context lines. Skips binary files and, by default, what .gitignore ignores.',
    inputSchema: z.object({
      path: pathField,
      pattern: z.string().min(1),
      literal: z.boolean().default(false),
      ignoreCase: z.boolean().default(false),
      include: z
        .array(z.string())
        .optional()
        .default([])
        .describe("Globs, here and in exclude; one without '/' matches names at any depth."),
      exclude: z.array(z.string()).optional().default([]),
      contextLines: z.number().int().min(0).max(20).default(0),
      maxResults: z.number().int().min(1).max(MAX_MAX_MATCHES).default(DEFAULT_MAX_MATCHES),
      offset: offsetField,
      respectGitignore: z.boolean().default(true),
    }),
    outputSchema: z.object({
      matches: z.number().describe('Matching lines shown.'),
      files: z.number().describe('Files with a match shown.'),
      filesSearched: z.number(),
      skippedBinary: z.number(),
      skippedLarge: z.number().describe(`Files skipped for being over ${formatBytes(DEFAULT_MAX_FILE_BYTES)}.`),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async (args, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const target = await sandbox.resolveInside(args.path, { mustExist: true });
      const pattern = compileContentPattern(args.pattern, { literal: args.literal, ignoreCase: args.ignoreCase });
      const included = args.include.length > 0 ? nameOrPathGlobs(args.include) : undefined;
      const excluded = nameOrPathGlobs(args.exclude);
      const reply = ctx.reply();
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
          // The kernel is asked where the file is: a directory the walk passed through may have been swapped for a
          // link to outside since, which O_NOFOLLOW on the last component cannot see.
          if (!info.isFile() || !sandbox.isOpenedInsideSync(fd)) return true;
          const size = info.size;
          if (size > DEFAULT_MAX_FILE_BYTES) {
            skippedLarge++;
            return true;
          }
          if (size > scratch.length) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
          length = 0;
          for (let read = -1; read !== 0 && length < size; length += read)
            read = readSync(fd, scratch, length, size - length, length);
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
        let fileMatches = 0;
        let lastPrinted = -1;
        for (const lineIndex of eligible) {
          if (lineIndex <= lastPrinted) continue;
          const from = Math.max(0, lineIndex - args.contextLines, lastPrinted + 1);
          const to = Math.min(lastLine, lineIndex + args.contextLines);
          const lines: string[] = [];
          // With context, groups are set apart by "--", as grep does: between files, and within a file across a gap.
          if (args.contextLines > 0 && (lastPrinted !== -1 ? from > lastPrinted + 1 : shownMatches > 0))
            lines.push('--');
          let pieceMatches = 0;
          for (let index = from; index <= Math.max(to, lineIndex); index++) {
            const isMatch = eligibleSet.has(index);
            if (isMatch) pieceMatches++;
            const mark = isMatch ? ':' : '-';
            lines.push(`${absolute}${mark}${index + 1}${mark} ${displayLine(lineText(text, starts, index))}`);
          }
          if (!reply.line(lines.join('\n'))) {
            more = true;
            cutByBudget = true;
            break;
          }
          fileMatches += pieceMatches;
          shownMatches += pieceMatches;
          lastPrinted = Math.max(to, lineIndex);
        }
        if (fileMatches > 0) files++;
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
        throw new InvalidArgumentError(
          `${quote(args.path)} is neither a file nor a directory; pass a directory to search.`,
        );
      }

      const end = args.offset + shownMatches;
      const skipped = [
        skippedBinary > 0 ? `${skippedBinary} binary` : '',
        skippedLarge > 0 ? `${skippedLarge} over ${formatBytes(DEFAULT_MAX_FILE_BYTES)}` : '',
      ].filter(Boolean);
      const summary = `${shownMatches} matching line${shownMatches === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${filesSearched} files searched${skipped.length > 0 ? `; skipped ${skipped.join(' and ')}` : ''}).`;
      if (shownMatches > 0) {
        reply.always('');
        reply.always(summary);
      } else {
        reply.always(
          args.offset > 0 ? `No matches after the first ${args.offset}. ${summary}` : `No matches found. ${summary}`,
        );
      }
      if (more) {
        reply.cut({
          shown: `matching lines ${args.offset + 1}–${end}`,
          reason: cutByBudget ? 'the reply budget' : `the maxResults cap of ${args.maxResults}`,
          next: { offset: end },
          alternative: 'narrow the pattern or include globs',
        });
      }
      reply.set({ matches: shownMatches, files, filesSearched, skippedBinary, skippedLarge });
      return reply.build({ structured: true });
    },
  });
  return [searchContent];
}
