import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { defineTool, READ_ONLY } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { quote } from '../lib/files.js';
import { relativePathGlob, relativePathGlobs } from '../lib/globs.js';
import { rootHolding } from '../lib/roots.js';
import { walkTree } from '../lib/walk.js';
import { excludeField, offsetField, pathField } from './fields.js';

/** Default and largest number of paths in one reply. */
export const DEFAULT_MAX_RESULTS = 1000;
const MAX_MAX_RESULTS = 100_000;

/** search_files. */
export function searchFilesTools(fs: FilesystemContext): AnyToolDefinition[] {
  const searchFiles = defineTool({
    name: 'search_files',
    title: 'Search Files',
    description:
      "Find files and directories by a glob on their path relative to path ('*.ts' directly in it, '**/*.ts' at any depth); returns full paths.",
    inputSchema: z.object({
      path: pathField,
      pattern: z.string().min(1),
      excludePatterns: excludeField,
      respectGitignore: z.boolean().default(false),
      maxResults: z.number().int().min(1).max(MAX_MAX_RESULTS).default(DEFAULT_MAX_RESULTS),
      offset: offsetField,
    }),
    outputSchema: z.object({
      matches: z.number().describe('Paths returned in this reply.'),
      scanned: z.number().describe('Entries examined.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async (args, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const root = await sandbox.resolveInside(args.path, { mustExist: true });
      if (!(await sandbox.statResolved(root, args.path)).isDirectory())
        throw new InvalidArgumentError(
          `${quote(args.path)} is a file, not a directory; pass the directory to search in.`,
        );
      const matches = relativePathGlob(args.pattern);
      const excluded = relativePathGlobs(args.excludePatterns);
      const reply = ctx.reply();
      let found = 0;
      let skipped = 0;
      let more = false;
      let cutByBudget = false;
      const walk = await walkTree(
        root,
        (entry) => {
          if (excluded(entry.relative)) return 'skip';
          if (!matches(entry.relative)) return undefined;
          if (skipped < args.offset) {
            skipped++;
            return undefined;
          }
          if (found >= args.maxResults) {
            more = true;
            return 'stop';
          }
          if (!reply.line(entry.absolute)) {
            more = true;
            cutByBudget = true;
            return 'stop';
          }
          found++;
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
      if (found === 0) reply.always(args.offset > 0 ? `No matches after the first ${args.offset}` : 'No matches found');
      const end = args.offset + found;
      if (more) {
        reply.cut({
          shown: `matches ${args.offset + 1}–${end}`,
          reason: cutByBudget ? 'the reply budget' : `the maxResults cap of ${args.maxResults}`,
          next: { offset: end },
          alternative: 'narrow the pattern',
        });
      }
      reply.set({ matches: found, scanned: walk.entries });
      return reply.build({ structured: true });
    },
  });
  return [searchFiles];
}
