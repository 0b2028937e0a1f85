import * as z from 'zod';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { workTreePath } from '../git/paths.js';
import { resolveRevision } from '../git/refs.js';
import { GitCommandError } from '../git/runner.js';
import { decodeTolerant } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';

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
      if (!commits.has(current.hash))
        commits.set(current.hash, { hash: current.hash, author: '', date: '', summary: '' });
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

/** Owners listed in structure at most. */
const MAX_OWNERS = 100;

/** git_blame: who last changed each line of a file, for a line range. */
export function blameTools(workspace: Workspace): AnyToolDefinition[] {
  const blame = defineTool({
    name: 'git_blame',
    title: 'Blame lines of a file',
    description:
      'Shows which commit and author last changed each line of a file, for a range of lines (1-based), at a revision or in the working tree (the default).',
    inputSchema: z.object({
      repo_path: repoPathField,
      path: z.string(),
      start_line: z.number().int().min(1).optional(),
      end_line: z.number().int().min(1).optional(),
      revision: z.string().optional(),
    }),
    outputSchema: z.object({
      lines: z.number().describe('Number of lines shown.'),
      commits: z
        .array(z.object({ hash: z.string(), author: z.string(), date: z.string(), summary: z.string() }))
        .describe(`The distinct commits that own the shown lines (at most ${MAX_OWNERS}).`),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ repo_path, path, start_line, end_line, revision }, context) => {
      const git = await workspace.open(repo_path, context);
      const start = start_line ?? 1;
      if (end_line !== undefined && end_line < start)
        throw new InvalidArgumentError(
          `end_line ${end_line} is before start_line ${start}; pass a range that reads forwards.`,
        );
      const relative = workTreePath(git.repository, path);
      const commit =
        revision === undefined ? undefined : await resolveRevision(git, revision, 'revision', context.signal);
      const range = `-L${start},${end_line ?? ''}`;
      const args = ['blame', '--porcelain', '--no-textconv', range, ...(commit ? [commit] : []), '--', relative];
      let output;
      try {
        output = await git.run(args, { mode: 'read', signal: context.signal });
      } catch (error) {
        if (error instanceof GitCommandError && /has only \d+ lines?/.test(error.stderr)) {
          throw new InvalidArgumentError(
            `start_line ${start} is past the end of ${path}; ${/has only (\d+) lines?/.exec(error.stderr)?.[0] ?? ''}.`.replace(
              /; \.$/,
              '.',
            ),
          );
        }
        if (error instanceof GitCommandError && /no such path|no such file|does not exist/i.test(error.stderr)) {
          throw new NotFoundError(
            `${JSON.stringify(path)} does not exist${revision ? ` at ${revision}` : ''}; check the path.`,
          );
        }
        throw error;
      }
      const { commits, lines } = parseBlame(decodeTolerant(output.stdout).text);
      const reply = context.reply();
      // The distinct owners go in structure (the text names the owner of every line): each is charged with
      // the first line it owns, so a line and its new owner fit together or not at all.
      const owners = new Set<string>();
      let shown = 0;
      for (const line of lines) {
        const owner = commits.get(line.hash)!;
        const text = `${line.hash.slice(0, 8)} (${owner.author.padEnd(16).slice(0, 16)} ${owner.date} ${String(line.line).padStart(5)}) ${line.content}`;
        const added = !owners.has(line.hash) && owners.size < MAX_OWNERS;
        if (!(added ? reply.item(text, 'commits', owner) : reply.item(text))) break;
        if (added) owners.add(line.hash);
        shown++;
      }
      if (lines.length === 0) reply.line(`${path} has no lines in that range.`);
      if (shown < lines.length) {
        reply.cut({
          shown: `${shown} of ${lines.length} lines`,
          reason: 'the reply budget',
          next: { start_line: lines[shown]!.line },
        });
      }
      if (owners.size === 0) reply.set({ commits: [] });
      return reply.set({ lines: shown }).build({ structured: true });
    },
  });
  return [blame];
}
