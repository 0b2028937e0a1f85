import { InvalidArgumentError, TooLargeError } from '@portico-mcp/shared/errors';
import { formatBytes, TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { readToEndCapped } from '@portico-mcp/shared/sandbox';
import { defineTool, DESTRUCTIVE } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { writeFileAtomic } from '../lib/atomic.js';
import { describeBinary, looksBinary } from '@portico-mcp/shared/output';
import { applyEdits, normalizeLayout, restoreLayout } from '../lib/edit.js';
import { openFileForRead, quote } from '../lib/files.js';
import { pathField } from './fields.js';

/** Largest file edit_file loads: edits need the whole text in memory, twice (before and after). */
export const MAX_EDIT_BYTES = 16 * 1024 * 1024;

/** Wraps a diff in a fence longer than any run of backticks inside it, as the reference does. */
function fenced(diff: string): string {
  let ticks = 3;
  while (diff.includes('`'.repeat(ticks))) ticks++;
  const fence = '`'.repeat(ticks);
  return `${fence}diff\n${diff}${fence}\n\n`;
}

/** edit_file. */
export function editTools(fs: FilesystemContext): AnyToolDefinition[] {
  const editFile = defineTool({
    name: 'edit_file',
    title: 'Edit File',
    description:
      'Replace text in a file and return a git-style diff. An oldText matching more than once is refused unless replaceAll; indentation may differ. All edits apply or none; dryRun previews.',
    inputSchema: z.object({
      path: pathField,
      edits: z
        .array(
          z.object({
            oldText: z.string(),
            newText: z.string(),
            replaceAll: z.boolean().optional(),
          }),
        )
        .min(1),
      dryRun: z.boolean().default(false),
    }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file.'),
      dryRun: z.boolean().describe('True when nothing was written.'),
      replacements: z.number().describe('Total replacements made (or that would be made).'),
      changed: z.boolean().describe('Whether the content differs after the edits.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: DESTRUCTIVE,
    // A dry run changes nothing, so there is nothing to confirm.
    effect: ({ path: given, edits, dryRun }) =>
      dryRun ? undefined : `Apply ${edits.length} edit${edits.length === 1 ? '' : 's'} to ${given}`,
    handler: async ({ path: given, edits, dryRun }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const { handle, realPath, stats } = await openFileForRead(sandbox, given);
      let raw: Buffer;
      try {
        // Capped while reading too: a file can grow after the fstat, and one that reports size 0 (a pseudo-file) has no end.
        const read =
          stats.size > MAX_EDIT_BYTES ? undefined : await readToEndCapped(handle, stats.size, MAX_EDIT_BYTES);
        if (read?.kind !== 'read') {
          throw new TooLargeError(
            `${quote(given)} is ${read ? 'growing past' : `${formatBytes(stats.size)}, over`} the ${formatBytes(MAX_EDIT_BYTES)} edit_file handles; rewrite it in parts or split it.`,
          );
        }
        raw = read.bytes;
      } finally {
        await handle.close();
      }
      if (looksBinary(raw.subarray(0, 8192))) {
        throw new InvalidArgumentError(
          `${quote(given)} is a binary file (${describeBinary(raw)}); edit_file only edits text.`,
        );
      }
      const { text, layout } = normalizeLayout(raw.toString('utf8'));
      const result = applyEdits(text, edits, realPath);
      const { createTwoFilesPatch } = await import('diff');
      const diff = createTwoFilesPatch(realPath, realPath, text, result.content, 'original', 'modified');
      const changed = result.content !== text;
      if (!dryRun && changed) await writeFileAtomic(sandbox, realPath, given, restoreLayout(result.content, layout));

      const reply = ctx.reply();
      const shown = fenced(diff);
      // Verbatim when it fits (the reference's trailing empty line included), else cut on a line.
      if (!reply.line(shown)) {
        const cut = reply.text(shown);
        const lines = (text: string) => text.split('\n').length - 1;
        reply.cut({
          shown: `the first ${lines(shown.slice(0, cut.consumedChars))} of ${lines(shown)} diff lines`,
          reason: 'the reply budget',
          alternative: dryRun
            ? 'preview fewer edits at a time'
            : 'read the changed lines with read_text_file (the edit was applied in full)',
        });
      }
      const replacements = result.replacements.reduce((sum, count) => sum + count, 0);
      reply.set({ path: realPath, dryRun, replacements, changed });
      return reply.build({ structured: true });
    },
  });
  return [editFile];
}
