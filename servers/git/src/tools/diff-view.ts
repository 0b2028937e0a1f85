import { join } from 'node:path';
import * as z from 'zod';
import { defineAppView } from '@portico-mcp/shared/apps';
import type { AppView } from '@portico-mcp/shared/apps';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition, ToolContext } from '@portico-mcp/shared/serve';
import { resolveRevision } from '../git/refs.js';
import type { RepositoryGit } from '../git/repository.js';
import { decodeTolerant } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';
import { contextLinesField, pathArguments, pathsField, SAFE_DIFF_OPTIONS, targetArguments } from './diff.js';

import { DIFF_VIEW_URI } from './diff-view-uri.js';

/** A file whose patch changes more lines than this comes collapsed; the view fetches it when opened. */
export const LARGE_FILE_LINES = 400;

const LATIN1 = new TextDecoder('latin1');

/** The diff view: `dist/apps/diff.html`, built from app/diff.ts (`packageDir` is the package's folder). */
export function diffView(packageDir: string): AppView {
  return defineAppView({
    name: 'diff_view',
    uri: DIFF_VIEW_URI,
    title: 'Diff',
    description: 'Changed files with added/removed counts, each as a unified or side-by-side diff.',
    file: join(packageDir, 'dist', 'apps', 'diff.html'),
  });
}

const fileSchema = z.object({
  path: z.string(),
  old_path: z.string().optional(),
  status: z.string().describe('A, M, D, R (renamed), C (copied) or T (type changed).'),
  added: z.number().nullable(),
  removed: z.number().nullable(),
  binary: z.boolean(),
  non_utf8: z.boolean().optional(),
  collapsed: z.boolean().optional().describe('Large: fetch it with `file`.'),
  patch: z.string().optional().describe('The hunks, from the first @@ line.'),
});
type DiffFile = z.infer<typeof fileSchema>;

interface Source {
  source: 'unstaged' | 'staged' | 'diff' | 'show' | 'compare';
  target?: string | undefined;
  revision?: string | undefined;
  base?: string | undefined;
  head?: string | undefined;
}

/** The git command (before its options) that makes the diff a tool showed. */
async function diffCommand(git: RepositoryGit, spec: Source, signal: AbortSignal): Promise<string[]> {
  const need = (value: string | undefined, name: string) => {
    if (value === undefined)
      throw new InvalidArgumentError(
        `source "${spec.source}" needs ${name}; pass the same arguments as the tool whose diff this is.`,
      );
    return value;
  };
  switch (spec.source) {
    case 'unstaged':
      return ['diff'];
    case 'staged':
      return ['diff', '--cached'];
    case 'diff':
      return ['diff', ...(await targetArguments(git, need(spec.target, 'target'), signal))];
    case 'show':
      return [
        'show',
        '--format=',
        '--no-show-signature',
        '--diff-merges=first-parent',
        await resolveRevision(git, need(spec.revision, 'revision'), 'revision', signal),
      ];
    case 'compare': {
      const base = await resolveRevision(git, need(spec.base, 'base'), 'base', signal);
      const head = await resolveRevision(git, spec.head ?? 'HEAD', 'head', signal);
      return ['diff', `${base}...${head}`];
    }
  }
}

/** Parses `--numstat -z` and `--name-status -z` (same files, same order) into the file list. */
export function parseFileList(numstat: string, nameStatus: string): DiffFile[] {
  const counts: Array<{ added: number | null; removed: number | null }> = [];
  const tokens = numstat.replace(/^\n+/, '').split('\0');
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!.replace(/^\n+/, '');
    if (token === '') continue;
    const [added, removed, path] = token.split('\t');
    if (path === '') index += 2;
    counts.push({ added: added === '-' ? null : Number(added), removed: removed === '-' ? null : Number(removed) });
  }
  const files: DiffFile[] = [];
  const names = nameStatus.replace(/^\n+/, '').split('\0');
  for (let index = 0; index < names.length; index++) {
    const status = names[index]!.replace(/^\n+/, '');
    if (status === '') continue;
    const kind = status[0]!;
    const count = counts[files.length] ?? { added: null, removed: null };
    if (kind === 'R' || kind === 'C') {
      files.push({
        path: names[index + 2]!,
        old_path: names[index + 1]!,
        status: kind,
        ...count,
        binary: count.added === null,
      });
      index += 2;
    } else {
      files.push({ path: names[index + 1]!, status: kind, ...count, binary: count.added === null });
      index += 1;
    }
  }
  return files;
}

/** One file's section of a patch: its hunks, decoded, with whether the bytes were UTF-8. */
function hunksOf(section: Buffer): { patch: string; nonUtf8: boolean } {
  const at = section.indexOf('\n@@');
  const body = at < 0 ? Buffer.alloc(0) : section.subarray(at + 1);
  const decoded = decodeTolerant(body);
  // Bytes that are not UTF-8 are most often Latin-1 text: shown as such, and labelled.
  return decoded.nonUtf8 ? { patch: LATIN1.decode(body), nonUtf8: true } : { patch: decoded.text, nonUtf8: false };
}

/** Splits a whole patch at its `diff --git` lines, one section per file in git's order. */
function sections(patch: Buffer): Buffer[] {
  const starts: number[] = [];
  let from = 0;
  while (from < patch.length) {
    const at = patch.indexOf('diff --git ', from);
    if (at < 0) break;
    if (at === 0 || patch[at - 1] === 0x0a) starts.push(at);
    from = at + 1;
  }
  return starts.map((start, index) => patch.subarray(start, starts[index + 1] ?? patch.length));
}

/**
 * git_diff_view: the diff view's data, hidden from the model. Without `file`: the changed files with counts and,
 * for files that are not large, their hunks (as many as half the reply budget holds). With `file`: that
 * file's hunks alone.
 */
export function diffViewTools(workspace: Workspace): AnyToolDefinition[] {
  const view = defineTool({
    name: 'git_diff_view',
    title: 'Diff view data',
    description: "The diff view's data: changed files with counts and hunks, or one file's hunks.",
    inputSchema: z.object({
      repo_path: repoPathField,
      source: z.enum(['unstaged', 'staged', 'diff', 'show', 'compare']),
      target: z.string().optional(),
      revision: z.string().optional(),
      base: z.string().optional(),
      head: z.string().optional(),
      context_lines: contextLinesField,
      paths: pathsField,
      file: z.string().optional(),
      old_file: z.string().optional(),
    }),
    outputSchema: z.object({ files: z.array(fileSchema), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    ui: { resourceUri: DIFF_VIEW_URI, visibility: ['app'] },
    handler: async (args, context) => {
      const git = await workspace.open(args.repo_path, context);
      const command = await diffCommand(git, args, context.signal);
      const options = [...SAFE_DIFF_OPTIONS, '-M'];
      const paths =
        args.file !== undefined ? [...(args.old_file !== undefined ? [args.old_file] : []), args.file] : args.paths;
      const pathspec = pathArguments(git, paths);
      const run = (extra: string[], maxBytes?: number) =>
        git.run([...command, ...options, ...extra, ...pathspec], {
          mode: 'read',
          signal: context.signal,
          ...(maxBytes !== undefined ? { maxBytes } : {}),
        });
      const [numstat, nameStatus] = await Promise.all([run(['--numstat', '-z']), run(['--name-status', '-z'])]);
      const files = parseFileList(numstat.stdout.toString('utf8'), nameStatus.stdout.toString('utf8'));
      const room = Math.floor(context.maxOutputBytes / 2);
      const patch = await run([`--unified=${args.context_lines}`], room);
      const parts = sections(patch.stdout);
      let spent = 0;
      files.forEach((file, index) => {
        const section = parts[index];
        const complete = section !== undefined && (index < parts.length - 1 || !patch.truncated);
        const large = (file.added ?? 0) + (file.removed ?? 0) > LARGE_FILE_LINES && args.file === undefined;
        if (file.binary) return;
        if (!complete || large || spent + section.length > room) {
          file.collapsed = true;
          return;
        }
        const { patch: hunks, nonUtf8 } = hunksOf(section);
        spent += section.length;
        file.patch = hunks;
        if (nonUtf8) file.non_utf8 = true;
      });
      return tidy(files, context);
    },
  });
  return [view];
}

function tidy(files: DiffFile[], context: ToolContext) {
  const reply = context.reply();
  const shown = files.filter((file) => file.patch !== undefined).length;
  reply.always(
    files.length === 0
      ? 'No changes.'
      : `${files.length} changed file${files.length === 1 ? '' : 's'}; ${shown} with hunks here.`,
  );
  reply.set({ files });
  return reply.build({ structured: true });
}
