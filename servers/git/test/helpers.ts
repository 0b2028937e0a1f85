import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { Logger } from '@portico-mcp/shared/log';
import { OutputBudget, toToolError } from '@portico-mcp/shared/output';
import type { AnyToolDefinition, ToolContext } from '@portico-mcp/shared/serve';
import { parseGitConfig } from '../src/config.js';
import { createGitSurface } from '../src/server.js';

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
export function makeRepo(dir: string, commits: Array<Record<string, string | Buffer>> = [{ 'README.md': '# demo\n' }], branch = 'main'): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
  commits.forEach((files, index) => {
    for (const [name, content] of Object.entries(files)) write(dir, name, content);
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '--message', `commit ${index + 1}`);
  });
  return dir;
}

/** An in-process server: the real tools and real git, called the way the kernel calls them. */
export interface InProcessServer {
  tools: Map<string, AnyToolDefinition>;
  call(name: string, args: Record<string, unknown>, options?: { budget?: number; roots?: string[] }): Promise<CallToolResult>;
}

/** Builds the tool surface for `repositories` and returns a caller that maps thrown errors like the kernel does. */
export async function inProcessServer(repositories: string[], options: { allowRemote?: boolean } = {}): Promise<InProcessServer> {
  const config = parseGitConfig({ values: { repository: repositories, 'allow-remote': options.allowRemote === true }, positionals: [], env: { ...process.env, ...IDENTITY } });
  const surface = await createGitSurface(config);
  const tools = new Map(surface.tools.map((tool) => [tool.name, tool]));
  const log = new Logger({ name: 'test', level: 'emergency' });
  return {
    tools,
    async call(name, args, callOptions = {}) {
      const tool = tools.get(name);
      if (!tool) throw new Error(`no tool ${name}`);
      const context: ToolContext = {
        signal: new AbortController().signal,
        budget: new OutputBudget(callOptions.budget ?? 100_000),
        log,
        progress: async () => undefined,
        era: 'legacy',
        clientRoots: async () => callOptions.roots,
      };
      try {
        return await tool.handler(tool.inputSchema.parse(args), context);
      } catch (error) {
        return toToolError(error, (unexpected) => {
          throw unexpected;
        });
      }
    },
  };
}

/** The text of a result. */
export function text(result: CallToolResult): string {
  return (result.content ?? []).map((block) => (block.type === 'text' ? block.text : '')).join('');
}
