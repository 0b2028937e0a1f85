import * as z from 'zod';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { toolResult, truncationNotice, utf8Length } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { workTreePath } from '../git/paths.js';
import { resolveRevision } from '../git/refs.js';
import { GitCommandError } from '../git/runner.js';
import { decodeTolerant } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';
import { READ_ONLY } from './paging.js';

interface BlameCommit {
  hash: string;
  author: string;
  date: string;
  summary: string;
}

interface BlameLine {
  hash: string;
  line: number;
  content: string;
}

/** Parses `git blame --porcelain`: commit facts appear once, each line refers to its commit by hash. */
export function parseBlame(output: string): { commits: Map<string, BlameCommit>; lines: BlameLine[] } {
  const commits = new Map<string, BlameCommit>();
  const lines: BlameLine[] = [];
  let current: { hash: string; line: number } | undefined;
  for (const raw of output.split('\n')) {
    if (raw.startsWith('\t')) {
      if (current) lines.push({ hash: current.hash, line: current.line, content: raw.slice(1) });
      current = undefined;
      continue;
    }
    const header = /^([0-9a-f]{40,64}) \d+ (\d+)/.exec(raw);
    if (header) {
      current = { hash: header[1]!, line: Number(header[2]) };
      if (!commits.has(current.hash)) commits.set(current.hash, { hash: current.hash, author: '', date: '', summary: '' });
      continue;
    }
    if (!current) continue;
    const commit = commits.get(current.hash)!;
    const space = raw.indexOf(' ');
    const key = space < 0 ? raw : raw.slice(0, space);
    const value = space < 0 ? '' : raw.slice(space + 1);
    if (key === 'author') commit.author = value;
    else if (key === 'author-time') commit.date = new Date(Number(value) * 1000).toISOString().slice(0, 10);
    else if (key === 'summary') commit.summary = value;
  }
  return { commits, lines };
}

/** git_blame: who last changed each line of a file, for a line range. */
export function blameTools(workspace: Workspace): AnyToolDefinition[] {
  const blame = defineTool({
    name: 'git_blame',
    title: 'Blame lines of a file',
    description: 'Shows which commit and author last changed each line of a file (optionally a line range, at a revision).',
    inputSchema: z.object({
      repo_path: repoPathField,
      path: z.string().min(1).describe('Path of the file inside the repository.'),
      start_line: z.number().int().min(1).optional().describe('First line to blame (1-based); default 1.'),
      end_line: z.number().int().min(1).optional().describe('Last line to blame; default the end of the file.'),
      revision: z.string().min(1).optional().describe('Blame the file as of this commit; default the working tree version.'),
    }),
    outputSchema: z.object({
      lines: z.number().describe('Number of lines shown.'),
      truncated: z.boolean().describe('Whether the range was cut to the reply budget.'),
      next_start_line: z.number().optional().describe('Pass as start_line to continue.'),
      commits: z
        .array(z.object({ hash: z.string(), author: z.string(), date: z.string(), summary: z.string() }))
        .describe("The distinct commits that own the shown lines (at most 100)."),
    }),
    annotations: READ_ONLY,
    handler: async ({ repo_path, path, start_line, end_line, revision }, context) => {
      const git = await workspace.open(repo_path, context);
      const start = start_line ?? 1;
      if (end_line !== undefined && end_line < start) throw new InvalidArgumentError(`end_line ${end_line} is before start_line ${start}; pass a range that reads forwards.`);
      const relative = workTreePath(git.repository, path);
      const commit = revision === undefined ? undefined : await resolveRevision(git, revision, 'revision', context.signal);
      const range = `-L${start},${end_line ?? ''}`;
      const args = ['blame', '--porcelain', '--no-textconv', range, ...(commit ? [commit] : []), '--', relative];
      let output;
      try {
        output = await git.run(args, { mode: 'read', signal: context.signal });
      } catch (error) {
        if (error instanceof GitCommandError && /has only \d+ lines?/.test(error.stderr)) {
          throw new InvalidArgumentError(`start_line ${start} is past the end of ${path}; ${/has only (\d+) lines?/.exec(error.stderr)?.[0] ?? ''}.`.replace(/; \.$/, '.'));
        }
        if (error instanceof GitCommandError && /no such path|no such file|does not exist/i.test(error.stderr)) {
          throw new NotFoundError(`${JSON.stringify(path)} does not exist${revision ? ` at ${revision}` : ''}; check the path.`);
        }
        throw error;
      }
      const { commits, lines } = parseBlame(decodeTolerant(output.stdout).text);
      const limit = context.budget.remaining - 400;
      const rendered: string[] = [];
      let used = 0;
      for (const line of lines) {
        const owner = commits.get(line.hash)!;
        const text = `${line.hash.slice(0, 8)} (${owner.author.padEnd(16).slice(0, 16)} ${owner.date} ${String(line.line).padStart(5)}) ${line.content}`;
        if (used + utf8Length(text) + 1 > limit) break;
        rendered.push(text);
        used += utf8Length(text) + 1;
      }
      const shownLines = lines.slice(0, rendered.length);
      const truncated = rendered.length < lines.length;
      const next = truncated ? shownLines.at(-1)!.line + 1 : undefined;
      let text = rendered.join('\n');
      if (lines.length === 0) text = `${path} has no lines in that range.`;
      if (truncated) text += `\n${truncationNotice({ shown: `${rendered.length} of ${lines.length} lines`, reason: 'the reply budget', next: `call again with start_line: ${next}` })}`;
      // Structure stays small: the distinct owners, at most 100 (the text names the owner of every line).
      const owners = [...new Set(shownLines.map((line) => line.hash))].slice(0, 100).map((hash) => commits.get(hash)!);
      return toolResult(text, { lines: rendered.length, truncated, ...(next !== undefined ? { next_start_line: next } : {}), commits: owners });
    },
  });
  return [blame];
}
