import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tool } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { connectInProcess } from '@portico-mcp/shared/testing';
import type { InProcessServer as InProcessConnection } from '@portico-mcp/shared/testing';
import { gitServer } from '../src/server.js';

/** Commit identity for tests: CI machines may have no global git identity. */
export const IDENTITY = {
  GIT_AUTHOR_NAME: 'Portico Test',
  GIT_AUTHOR_EMAIL: 'test@portico.invalid',
  GIT_COMMITTER_NAME: 'Portico Test',
  GIT_COMMITTER_EMAIL: 'test@portico.invalid',
};

/** The environment for plain git commands run by the tests (the "naive" side of attack cases too). */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('GIT_')) env[name] = value;
  return { ...env, ...IDENTITY, ...extra };
}

/** Runs plain git (no hardening) and returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs plain git and reports whether it succeeded, with its output. */
export function tryGit(cwd: string, ...args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: git(cwd, ...args) };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, out: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

/** Writes a file (creating directories) inside `root`. */
export function write(root: string, relative: string, content: string | Buffer): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** Makes a repository at `dir` with one commit per entry of `commits` (each a map of files). */
export function makeRepo(
  dir: string,
  commits: Array<Record<string, string | Buffer>> = [{ 'README.md': '# demo\n' }],
  branch = 'main',
): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
  commits.forEach((files, index) => {
    for (const [name, content] of Object.entries(files)) write(dir, name, content);
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '--message', `commit ${index + 1}`);
  });
  return dir;
}

/**
 * Makes a repository with `commits` commits (each adds one line to big.txt, whose first commit also has
 * `lines` lines), `branches` branches and `tags` lightweight tags, all in one `git fast-import` run.
 */
export function makeHistory(
  dir: string,
  options: { commits: number; lines?: number; branches?: number; tags?: number },
): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  let content = Array.from({ length: options.lines ?? 0 }, (_, i) => `line ${i + 1}`).join('\n');
  let stream = '';
  for (let c = 1; c <= options.commits; c++) {
    content += `${content ? '\n' : ''}change ${c}`;
    const data = `${content}\n`;
    stream += `commit refs/heads/main\nmark :${c}\ncommitter Portico Test <test@portico.invalid> ${1_700_000_000 + c * 60} +0000\ndata <<EOF\ncommit ${c}\nEOF\n`;
    if (c > 1) stream += `from :${c - 1}\n`;
    stream += `M 100644 inline big.txt\ndata ${Buffer.byteLength(data)}\n${data}\n`;
  }
  for (let b = 1; b <= (options.branches ?? 0); b++)
    stream += `reset refs/heads/branch-${String(b).padStart(3, '0')}\nfrom :${options.commits}\n\n`;
  for (let t = 1; t <= (options.tags ?? 0); t++)
    stream += `reset refs/tags/v${t}\nfrom :${Math.min(t, options.commits)}\n\n`;
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    env: gitEnv(),
    input: stream,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  git(dir, 'checkout', '--quiet', '--force', 'main');
  return dir;
}

/** A git server running in this process: the real spec, tool selection, output guard and call path. */
export interface InProcessServer {
  /** The tools the server lists, by name. */
  tools: Map<string, Tool>;
  /**
   * Calls a tool as a client would. `budget` starts the server with that --max-output-bytes; `roots` makes the
   * client offer those MCP roots (each distinct setting is its own connection, so roots never leak between calls).
   */
  call(
    name: string,
    args: Record<string, unknown>,
    options?: { budget?: number; roots?: string[] },
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** The environment the server reads: this process's, without Portico's own settings, with a commit identity. */
function serverEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('PORTICO_')) env[name] = value;
  return { ...env, ...IDENTITY };
}

const UNEXPECTED = /^The tool failed unexpectedly/;

/**
 * Starts the git server in process through the kernel (`connectInProcess`) for `repositories`, with every
 * toolset on (plus `argv`), and returns a caller. A call that fails unexpectedly (an internal error rather than
 * an expected failure) throws with the server log, so such a bug never passes as "an error was returned".
 */
export async function inProcessServer(
  repositories: string[],
  options: { allowRemote?: boolean; argv?: string[]; env?: Record<string, string> } = {},
): Promise<InProcessServer> {
  const base = [
    ...repositories.flatMap((repository) => ['--repository', repository]),
    ...(options.allowRemote ? ['--allow-remote'] : []),
    '--toolsets',
    'all',
    ...(options.argv ?? []),
  ];
  const connections = new Map<string, Promise<InProcessConnection>>();
  const connection = (budget: number | undefined, roots: string[] | undefined): Promise<InProcessConnection> => {
    const key = JSON.stringify([budget, roots]);
    let open = connections.get(key);
    if (open === undefined) {
      open = connectInProcess(
        gitServer,
        [...base, ...(budget !== undefined ? ['--max-output-bytes', String(budget)] : [])],
        {
          env: { ...serverEnv(), ...options.env },
          ...(roots !== undefined ? { capabilities: { roots: { listChanged: true } } } : {}),
        },
      ).then((opened) => {
        if (roots !== undefined)
          opened.client.setRequestHandler('roots/list', () => ({ roots: roots.map((uri) => ({ uri })) }));
        return opened;
      });
      connections.set(key, open);
    }
    return open;
  };
  const first = await connection(undefined, undefined);
  const { tools } = await first.client.listTools();
  return {
    tools: new Map(tools.map((tool) => [tool.name, tool])),
    async call(name, args, callOptions = {}) {
      const opened = await connection(callOptions.budget, callOptions.roots);
      const result = await opened.client.callTool({ name, arguments: args });
      if (result.isError && UNEXPECTED.test(text(result)))
        throw new Error(`${name} failed unexpectedly; the server logged:\n${opened.logs()}`);
      return result;
    },
    async close() {
      for (const open of connections.values()) await (await open).close();
    },
  };
}

/** The text of a result. */
export function text(result: CallToolResult): string {
  return (result.content ?? []).map((block) => (block.type === 'text' ? block.text : '')).join('');
}
