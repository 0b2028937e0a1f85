import { InvalidArgumentError, TooLargeError } from '@portico-mcp/shared/errors';
import { formatBytes, truncationNotice } from '@portico-mcp/shared/output';
import { readToEndCapped } from '@portico-mcp/shared/sandbox';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import * as z from 'zod';
import type { FilesystemContext } from '../context.js';
import { writeFileAtomic } from '../lib/atomic.js';
import { describeBinary, looksBinary } from '../lib/binary.js';
import { applyEdits, normalizeLayout, restoreLayout } from '../lib/edit.js';
import { openFileForRead, quote } from '../lib/files.js';

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
      'Make text replacements in a file and return a unified diff of the change. Each edit replaces oldText with newText; an oldText that matches more than once is refused unless replaceAll is true. ' +
      'When no exact match exists, lines are matched ignoring indentation and the new text is re-indented to fit. Line endings (CRLF), a BOM and the file mode are kept. ' +
      'All edits apply or none do; dryRun previews the diff without writing. Only works within allowed directories.',
    inputSchema: z.object({
      path: z.string().describe('Path of the file to edit.'),
      edits: z
        .array(
          z.object({
            oldText: z.string().describe('Text to search for - must match exactly (indentation may differ)'),
            newText: z.string().describe('Text to replace with'),
            replaceAll: z.boolean().optional().describe('Replace every match instead of refusing when oldText matches more than once (default false).'),
          }),
        )
        .min(1)
        .describe('Replacements, applied in order (each sees the result of the previous ones).'),
      dryRun: z.boolean().default(false).describe('Preview changes using git-style diff format'),
    }),
    outputSchema: z.object({
      path: z.string().describe('Real path of the file.'),
      dryRun: z.boolean().describe('True when nothing was written.'),
      replacements: z.number().describe('Total replacements made (or that would be made).'),
      changed: z.boolean().describe('Whether the content differs after the edits.'),
      truncated: z.boolean().describe('Whether the diff shown was cut to the reply budget.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    handler: async ({ path: given, edits, dryRun }, ctx) => {
      const sandbox = await fs.sandboxes.forCall(ctx);
      const { handle, realPath, stats } = await openFileForRead(sandbox, given);
      let raw: Buffer;
      try {
        // Capped while reading too: a file can grow after the fstat, and one that reports size 0 (a pseudo-file) has no end.
        const read = stats.size > MAX_EDIT_BYTES ? undefined : await readToEndCapped(handle, stats.size, MAX_EDIT_BYTES);
        if (read?.kind !== 'read') {
          throw new TooLargeError(`${quote(given)} is ${read ? 'growing past' : `${formatBytes(stats.size)}, over`} the ${formatBytes(MAX_EDIT_BYTES)} edit_file handles; rewrite it in parts or split it.`);
        }
        raw = read.bytes;
      } finally {
        await handle.close();
      }
      if (looksBinary(raw.subarray(0, 8192))) {
        throw new InvalidArgumentError(`${quote(given)} is a binary file (${describeBinary(raw)}); edit_file only edits text.`);
      }
      const { text, layout } = normalizeLayout(raw.toString('utf8'));
      const result = applyEdits(text, edits, realPath);
      const { createTwoFilesPatch } = await import('diff');
      const diff = createTwoFilesPatch(realPath, realPath, text, result.content, 'original', 'modified');
      const changed = result.content !== text;
      if (!dryRun && changed) await writeFileAtomic(sandbox, realPath, given, restoreLayout(result.content, layout));

      let shown = fenced(diff);
      const cut = ctx.budget.take(shown);
      let truncated = false;
      if (cut.truncated) {
        truncated = true;
        shown = `${cut.text}\n${truncationNotice({
          shown: `the first ${formatBytes(cut.bytes)} of a ${formatBytes(Buffer.byteLength(shown))} diff`,
          reason: 'the reply budget',
          next: dryRun ? 'preview fewer edits at a time' : 'read the changed lines with read_text_file (the edit was applied in full)',
        })}`;
      }
      const replacements = result.replacements.reduce((sum, count) => sum + count, 0);
      return {
        content: [{ type: 'text', text: shown }],
        structuredContent: { path: realPath, dryRun, replacements, changed, truncated },
      };
    },
  });
  return [editFile];
}
