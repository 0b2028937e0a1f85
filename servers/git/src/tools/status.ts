import * as z from 'zod';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import type { Reply } from '@portico-mcp/shared/output';
import { READ_ONLY, defineTool } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { decodeTolerant } from '../git/text.js';
import type { Workspace } from '../workspace.js';
import { repoPathField } from '../workspace.js';

/** One entry of `git status --porcelain=v2`. */
interface StatusEntry {
  path: string;
  from?: string;
  /** Staged (index) and unstaged (work tree) change letters; '.' means unchanged. */
  index: string;
  worktree: string;
  kind: 'changed' | 'untracked' | 'conflicted';
}

/** Branch facts from the `# branch.*` header lines. */
interface BranchFacts {
  head?: string;
  oid?: string;
  upstream?: string;
  ahead?: number;
  behind?: number;
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parseStatus(output: string): { branch: BranchFacts; entries: StatusEntry[] } {
  const branch: BranchFacts = {};
  const entries: StatusEntry[] = [];
  const records = output.split('\0');
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.length === 0) continue;
    if (record.startsWith('# ')) {
      const [, key, ...rest] = record.split(' ');
      const value = rest.join(' ');
      if (key === 'branch.head') branch.head = value;
      else if (key === 'branch.oid') branch.oid = value;
      else if (key === 'branch.upstream') branch.upstream = value;
      else if (key === 'branch.ab') {
        const match = /^\+(\d+) -(\d+)$/.exec(value);
        if (match) [branch.ahead, branch.behind] = [Number(match[1]), Number(match[2])];
      }
      continue;
    }
    const type = record[0];
    if (type === '?') entries.push({ path: record.slice(2), index: '?', worktree: '?', kind: 'untracked' });
    else if (type === '1') {
      const fields = splitFields(record, 9);
      entries.push({ path: fields[8]!, index: fields[1]![0]!, worktree: fields[1]![1]!, kind: 'changed' });
    } else if (type === '2') {
      const fields = splitFields(record, 10);
      entries.push({
        path: fields[9]!,
        from: records[++i] ?? '',
        index: fields[1]![0]!,
        worktree: fields[1]![1]!,
        kind: 'changed',
      });
    } else if (type === 'u') {
      const fields = splitFields(record, 11);
      entries.push({ path: fields[10]!, index: fields[1]![0]!, worktree: fields[1]![1]!, kind: 'conflicted' });
    }
  }
  return { branch, entries };
}

/** Splits a record into `count` space-separated fields, the last one keeping its spaces (it is the path). */
function splitFields(record: string, count: number): string[] {
  const fields: string[] = [];
  let rest = record;
  for (let k = 0; k < count - 1; k++) {
    const space = rest.indexOf(' ');
    fields.push(rest.slice(0, space));
    rest = rest.slice(space + 1);
  }
  fields.push(rest);
  return fields;
}

const WORDS: Record<string, string> = {
  M: 'modified',
  T: 'typechange',
  A: 'new file',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  U: 'unmerged',
};

function describe(letter: string, entry: StatusEntry): string {
  const word = WORDS[letter] ?? letter;
  const name = entry.from && (letter === 'R' || letter === 'C') ? `${entry.from} -> ${entry.path}` : entry.path;
  return `\t${`${word}:`.padEnd(12)}${name}`;
}

/** Adds the status to the reply the way `git status` lays it out, entry by entry while they fit. */
function render(reply: Reply, branch: BranchFacts, entries: StatusEntry[]): void {
  const head: string[] = ['Repository status:'];
  if (branch.head === '(detached)') head.push(`HEAD detached at ${branch.oid?.slice(0, 12) ?? 'unknown'}`);
  else head.push(`On branch ${branch.head ?? 'unknown'}`);
  if (branch.oid === '(initial)') head.push('No commits yet');
  if (branch.upstream) {
    const { ahead = 0, behind = 0 } = branch;
    const relation =
      ahead === 0 && behind === 0
        ? 'up to date with'
        : ahead > 0 && behind > 0
          ? `diverged from (${ahead} ahead, ${behind} behind)`
          : ahead > 0
            ? `ahead of (by ${ahead} commits)`
            : `behind (by ${behind} commits)`;
    head.push(`Your branch is ${relation} '${branch.upstream}'.`);
  }
  const sections: Array<[string, string[]]> = [
    ['Unmerged paths:', entries.filter((e) => e.kind === 'conflicted').map((e) => describe('U', e))],
    [
      'Changes to be committed:',
      entries.filter((e) => e.kind === 'changed' && e.index !== '.').map((e) => describe(e.index, e)),
    ],
    [
      'Changes not staged for commit:',
      entries.filter((e) => e.kind === 'changed' && e.worktree !== '.').map((e) => describe(e.worktree, e)),
    ],
    ['Untracked files:', entries.filter((e) => e.kind === 'untracked').map((e) => `\t${e.path}`)],
  ];
  const total = sections.reduce((sum, [, items]) => sum + items.length, 0);
  if (total === 0) head.push('nothing to commit, working tree clean');
  reply.header(head.join('\n'));
  let shown = 0;
  let full: boolean;
  for (const [title, items] of sections) {
    if (items.length === 0) continue;
    full = !reply.line('') || !reply.line(title);
    for (const item of items) {
      if (full || !reply.line(item)) {
        full = true;
        break;
      }
      shown++;
    }
    if (full) break;
  }
  if (shown < total) {
    reply.cut({
      shown: `${shown} of ${total} entries`,
      reason: 'the reply budget',
      alternative: 'use git_diff_staged / git_diff_unstaged with paths, or commit or ignore files to shorten the list',
    });
  }
}

/** git_status: the working tree status, one git call, rendered like git and summarised in structure. */
export function statusTools(workspace: Workspace): AnyToolDefinition[] {
  const status = defineTool({
    name: 'git_status',
    title: 'Working tree status',
    description: 'Shows the working tree status: branch, upstream, staged, unstaged, untracked and conflicted files.',
    inputSchema: z.object({ repo_path: repoPathField }),
    outputSchema: z.object({
      branch: z.string().optional().describe('Current branch, or "(detached)".'),
      upstream: z.string().optional().describe('Upstream branch, when set.'),
      ahead: z.number().optional().describe('Commits ahead of the upstream.'),
      behind: z.number().optional().describe('Commits behind the upstream.'),
      clean: z.boolean().describe('Whether there is nothing to commit and nothing untracked.'),
      staged: z.number().describe('Number of staged changes.'),
      unstaged: z.number().describe('Number of unstaged changes.'),
      untracked: z.number().describe('Number of untracked files.'),
      conflicted: z.number().describe('Number of unmerged paths.'),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ repo_path }, context) => {
      const git = await workspace.open(repo_path, context);
      const output = await git.run(
        ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal', '--ignore-submodules=dirty'],
        { mode: 'read', signal: context.signal },
      );
      const { branch, entries } = parseStatus(decodeTolerant(output.stdout).text);
      const count = (predicate: (entry: StatusEntry) => boolean) => entries.filter(predicate).length;
      // The summary first: it is always sent, and the listing is cut to the room that is left.
      const reply = context.reply().set({
        ...(branch.head !== undefined ? { branch: branch.head } : {}),
        ...(branch.upstream !== undefined
          ? { upstream: branch.upstream, ahead: branch.ahead ?? 0, behind: branch.behind ?? 0 }
          : {}),
        clean: entries.length === 0,
        staged: count((e) => e.kind === 'changed' && e.index !== '.'),
        unstaged: count((e) => e.kind === 'changed' && e.worktree !== '.'),
        untracked: count((e) => e.kind === 'untracked'),
        conflicted: count((e) => e.kind === 'conflicted'),
      });
      render(reply, branch, entries);
      return reply.build({ structured: true });
    },
  });
  return [status];
}
