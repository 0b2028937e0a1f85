import * as z from 'zod';
import { NotFoundError } from '@portico-mcp/shared/errors';
import { formatBytes, toolResult, truncationNotice, utf8Length } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { workTreePath } from '../git/paths.js';
import { resolveBlob, resolveRevision } from '../git/refs.js';
import { decodeTolerant, looksBinary, pageOf } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { offsetField, pageShape, repoPathField } from '../workspace.js';
import { contextLinesField, pathArguments, pathsField, SAFE_DIFF_OPTIONS } from './diff.js';
import { pagedGitOutput, READ_ONLY } from './paging.js';

/** The header git_show prints before the patch; its first lines are parsed back into structure. */
const SHOW_FORMAT = '--format=Commit: %H%nParents: %P%nAuthor: %an <%ae>%nDate: %aI%nMessage:%n%w(0,4,4)%B';

/** git_show (the reference tool) and git_show_file (a file's content at a revision). */
export function showTools(workspace: Workspace): AnyToolDefinition[] {
  const show = defineTool({
    name: 'git_show',
    title: 'Show a commit',
    description: 'Shows a commit: hash, author, date, full message and its diff against the first parent. Long output is paged with offset.',
    inputSchema: z.object({
      repo_path: repoPathField,
      revision: z.string().min(1).describe('Commit, branch or tag to show.'),
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
    handler: async ({ repo_path, revision, context_lines, paths, offset }, context) => {
      const git = await workspace.open(repo_path, context);
      const hash = await resolveRevision(git, revision, 'revision', context.signal);
      const args = ['show', ...SAFE_DIFF_OPTIONS, '--no-show-signature', '--diff-merges=first-parent', SHOW_FORMAT, `--unified=${context_lines}`, hash, ...pathArguments(git, paths)];
      const reply = await pagedGitOutput(git, args, { offset, header: '', context, continueHint: 'pass paths to see fewer files' });
      const head = decodeTolerant(reply.head.subarray(0, 4096)).text.split('\n');
      const field = (name: string) => head.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      return toolResult(reply.text, {
        hash,
        parents: (field('Parents') ?? '').split(' ').filter(Boolean),
        ...(offset === 0 ? { author: field('Author') ?? '', date: field('Date') ?? '' } : {}),
        ...reply.page,
      });
    },
  });

  const showFile = defineTool({
    name: 'git_show_file',
    title: 'File content at a revision',
    description: "Returns a file's content as it is at a branch, tag or commit (default HEAD). Long files are paged with offset; binary files are described, not dumped.",
    inputSchema: z.object({
      repo_path: repoPathField,
      path: z.string().min(1).describe('Path of the file inside the repository.'),
      revision: z.string().min(1).default('HEAD').describe('Branch, tag or commit to read the file at.'),
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
      if (blob === undefined) throw new NotFoundError(`${JSON.stringify(path)} is not a file at ${revision}; check the path (git_log with paths shows when it changed).`);
      const size = Number((await git.text(['cat-file', '-s', blob], { mode: 'read', signal: context.signal })).trim());
      const available = Math.max(256, context.budget.remaining - 600);
      const output = await git.run(['cat-file', 'blob', blob], { mode: 'read', signal: context.signal, maxBytes: offset + available });
      if (looksBinary(output.stdout)) {
        return toolResult(`${path} at ${revision} is a binary file of ${formatBytes(size)} (${size} bytes); its content is not shown.`, {
          blob,
          size,
          binary: true,
          offset,
          truncated: false,
        });
      }
      if (offset > 0 && offset >= size) return toolResult(`offset ${offset} is at or past the end of ${path} (${size} bytes).`, { blob, size, binary: false, offset, truncated: false });
      const page = pageOf(output.stdout, offset, available, output.truncated);
      let text = page.text;
      if (page.nextOffset !== undefined) {
        text += `${text.endsWith('\n') ? '' : '\n'}${truncationNotice({ shown: `bytes ${offset}–${offset + page.bytes} of ${size}`, reason: 'the reply budget', next: `call again with offset: ${page.nextOffset}` })}`;
      }
      context.budget.spend(utf8Length(text));
      return toolResult(text, {
        blob,
        size,
        binary: false,
        offset,
        ...(page.nextOffset !== undefined ? { next_offset: page.nextOffset } : {}),
        truncated: page.nextOffset !== undefined,
        ...(page.nonUtf8 ? { non_utf8: true } : {}),
      });
    },
  });
  return [show, showFile];
}
