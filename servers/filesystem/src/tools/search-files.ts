import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { truncationNotice } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { quote } from '../lib/files.js';
import { relativePathGlob, relativePathGlobs } from '../lib/globs.js';
import { rootHolding } from '../lib/roots.js';
import { walkTree } from '../lib/walk.js';
import { READ_ONLY } from './annotations.js';

/** Default and largest number of paths in one reply. */
export const DEFAULT_MAX_RESULTS = 1000;
const MAX_MAX_RESULTS = 100_000;

/** search_files. */
export function searchFilesTools(fs: FilesystemContext): AnyToolDefinition[] {
  const searchFiles = defineTool({
    name: 'search_files',
    title: 'Search Files',
    description:
      'Recursively search for files and directories matching a glob pattern. The patterns match paths relative to the searched directory: ' +
      "'*.ext' matches files directly in it, '**/*.ext' files at any depth. Returns full paths, in name order. " +
      'excludePatterns prune whole directories; respectGitignore leaves out what .gitignore files ignore. Results are capped (maxResults, offset to continue). ' +
      'Only searches within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Directory to search in.'),
      pattern: z.string().min(1).describe("Glob on the path relative to `path`, e.g. '**/*.ts' or 'src/**/index.*'."),
      excludePatterns: z.array(z.string()).optional().default([]).describe("Globs on the relative path to leave out (an excluded directory is not entered), e.g. '**/node_modules'."),
      respectGitignore: z.boolean().default(false).describe('Leave out files and directories ignored by .gitignore files, and .git itself (default false).'),
      maxResults: z.number().int().min(1).max(MAX_MAX_RESULTS).default(DEFAULT_MAX_RESULTS).describe(`Most paths to return (default ${DEFAULT_MAX_RESULTS}).`),
      offset: z.number().int().min(0).default(0).describe('Matches to skip, to continue a capped search (the reply names it).'),
    }),
    outputSchema: z.object({
      matches: z.number().describe('Paths returned in this reply.'),
      truncated: z.boolean().describe('True when more matches exist; continue with nextOffset.'),
      nextOffset: z.number().optional().describe('Pass as offset to get the next matches.'),
      scanned: z.number().describe('Entries examined.'),
    }),
    annotations: READ_ONLY,
    handler: async (args, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const root = await sandbox.resolveInside(args.path, { mustExist: true });
      if (!(await sandbox.statResolved(root, args.path)).isDirectory()) throw new InvalidArgumentError(`${quote(args.path)} is a file, not a directory; pass the directory to search in.`);
      const matches = relativePathGlob(args.pattern);
      const excluded = relativePathGlobs(args.excludePatterns);
      const found: string[] = [];
      let skipped = 0;
      let more = false;
      let bytes = 0;
      let cutByBudget = false;
      // Room for the closing notice.
      const room = ctx.budget.remaining - 400;
      const walk = await walkTree(
        root,
        (entry) => {
          if (excluded(entry.relative)) return 'skip';
          if (!matches(entry.relative)) return undefined;
          if (skipped < args.offset) {
            skipped++;
            return undefined;
          }
          if (found.length >= args.maxResults) {
            more = true;
            return 'stop';
          }
          const size = Buffer.byteLength(entry.absolute) + 1;
          if (bytes + size > room) {
            more = true;
            cutByBudget = true;
            return 'stop';
          }
          bytes += size;
          found.push(entry.absolute);
          return undefined;
        },
        {
          sandbox,
          signal: ctx.signal,
          respectGitignore: args.respectGitignore,
          gitignoreTop: rootHolding(sandbox, root) ?? root,
          onProgress: (directories, entries) => ctx.progress(entries, undefined, `${directories} directories searched`),
        },
      );
      let text = found.length > 0 ? found.join('\n') : args.offset > 0 ? `No matches after the first ${args.offset}` : 'No matches found';
      const nextOffset = args.offset + found.length;
      if (more) {
        text += `\n${truncationNotice({
          shown: `matches ${args.offset + 1}–${nextOffset}`,
          reason: cutByBudget ? 'the reply budget' : `the maxResults cap of ${args.maxResults}`,
          next: `call search_files again with offset: ${nextOffset}, or narrow the pattern`,
        })}`;
      }
      ctx.budget.spend(Buffer.byteLength(text));
      return {
        content: [{ type: 'text', text }],
        structuredContent: { matches: found.length, truncated: more, ...(more ? { nextOffset } : {}), scanned: walk.entries },
      };
    },
  });
  return [searchFiles];
}
