import * as z from 'zod';
import { DIFF_VIEW_URI } from './diff-view-uri.js';
import { NotFoundError } from '@portico-mcp/shared/errors';
import { formatBytes } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { workTreePath } from '../git/paths.js';
import { resolveBlob, resolveRevision } from '../git/refs.js';
import { SNIFF_BYTES, looksBinary } from '@portico-mcp/shared/output';
import { decodeTolerant } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { offsetField, pageShape, repoPathField } from '../workspace.js';
import { contextLinesField, pathArguments, pathsField, SAFE_DIFF_OPTIONS } from './diff.js';
import { addPage, runForPage } from './paging.js';

/** The header git_show prints before the patch; its first lines are parsed back into structure. */
const SHOW_FORMAT = '--format=Commit: %H%nParents: %P%nAuthor: %an <%ae>%nDate: %aI%nMessage:%n%w(0,4,4)%B';

/** git_show (the reference tool) and git_show_file (a file's content at a revision). */
export function showTools(workspace: Workspace): AnyToolDefinition[] {
  const show = defineTool({
    name: 'git_show',
    title: 'Show a commit',
    description: 'Shows a commit: hash, author, date, full message and its diff against the first parent.',
    inputSchema: z.object({
      repo_path: repoPathField,
      revision: z.string(),
      context_lines: contextLinesField,
      paths: pathsField,
      offset: offsetField,
    }),
    outputSchema: z.object({
      hash: z.string().describe('Full commit hash.'),
      parents: z.array(z.string()).describe('Parent hashes.'),
      author: z.string().optional().describe('Author as "name <email>" (on the first page).'),
      date: z.string().optional().describe('Author date, ISO 8601 (on the first page).'),
      ...pageShape,
    }),
    annotations: READ_ONLY,
    ui: { resourceUri: DIFF_VIEW_URI },
    handler: async ({ repo_path, revision, context_lines, paths, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const hash = await resolveRevision(git, revision, 'revision', context.signal);
      const args = [
        'show',
        ...SAFE_DIFF_OPTIONS,
        '--no-show-signature',
        '--diff-merges=first-parent',
        SHOW_FORMAT,
        `--unified=${context_lines}`,
        hash,
        ...pathArguments(git, paths),
      ];
      const reply = context.reply();
      const output = await runForPage(git, args, reply, { offset, signal: context.signal });
      // The structure comes from the header git printed; it is set before the page so the page fits what is left.
      const head = decodeTolerant(output.stdout.subarray(0, 4096)).text.split('\n');
      const field = (name: string) => head.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      reply.set({
        hash,
        parents: (field('Parents') ?? '').split(' ').filter(Boolean),
        ...(offset === 0 ? { author: field('Author') ?? '', date: field('Date') ?? '' } : {}),
      });
      addPage(reply, output, { offset, alternative: 'pass paths to see fewer files' });
      return reply.build({ structured: true });
    },
  });

  const showFile = defineTool({
    name: 'git_show_file',
    title: 'File content at a revision',
    description: "Returns a file's content at a branch, tag or commit; binary files are described, not shown.",
    inputSchema: z.object({
      repo_path: repoPathField,
      path: z.string(),
      revision: z.string().default('HEAD'),
      offset: offsetField,
    }),
    outputSchema: z.object({
      blob: z.string().describe('Object id of the file content.'),
      size: z.number().describe('Size of the file in bytes.'),
      binary: z.boolean().describe('Whether the content looks binary (it is then not shown).'),
      ...pageShape,
    }),
    annotations: READ_ONLY,
    handler: async ({ repo_path, path, revision, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const commit = await resolveRevision(git, revision, 'revision', context.signal);
      const relative = workTreePath(git.repository, path);
      const blob = await resolveBlob(git, commit, relative, context.signal);
      if (blob === undefined)
        throw new NotFoundError(
          `${JSON.stringify(path)} is not a file at ${revision}; check the path (git_log with paths shows when it changed).`,
        );
      const size = Number((await git.text(['cat-file', '-s', blob], { mode: 'read', signal: context.signal })).trim());
      // All structure first: the page is sized to the room that is left.
      const reply = context.reply().set({ blob, size, binary: false });
      if (offset > 0 && offset >= size) {
        reply.line(`offset ${offset} is at or past the end of ${path} (${size} bytes).`);
        return reply.build({ structured: true });
      }
      const output = await runForPage(git, ['cat-file', 'blob', blob], reply, { offset, signal: context.signal });
      if (looksBinary(output.stdout.subarray(0, SNIFF_BYTES))) {
        reply.line(
          `${path} at ${revision} is a binary file of ${formatBytes(size)} (${size} bytes); its content is not shown.`,
        );
        return reply.set({ binary: true }).build({ structured: true });
      }
      addPage(reply, output, { offset });
      return reply.build({ structured: true });
    },
  });
  return [show, showFile];
}
