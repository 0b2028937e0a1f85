import type { ToolContext } from '@portico-mcp/shared/serve';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import * as z from 'zod';
import { RepositoryResolver } from './git/repository.js';
import type { RepositoryGit } from './git/repository.js';

/** The allowed repositories and the means to open one for a call. */
export class Workspace {
  readonly sandbox: Sandbox;
  readonly #resolver: RepositoryResolver;
  #narrowed: { key: string; sandbox: Promise<Sandbox> } | undefined;

  constructor(sandbox: Sandbox, baseEnv: Readonly<Record<string, string>>) {
    this.sandbox = sandbox;
    this.#resolver = new RepositoryResolver(baseEnv);
  }

  /** Opens the repository at `repoPath` for this call: inside the operator's repositories and the client's roots. */
  async open(repoPath: string, context: Pick<ToolContext, 'clientRoots' | 'signal'>): Promise<RepositoryGit> {
    const sandbox = await this.#sandboxFor(await context.clientRoots());
    return this.#resolver.resolve(repoPath, sandbox, context.signal);
  }

  /** The operator's sandbox narrowed by the client's roots (roots can only narrow, never widen). */
  #sandboxFor(roots: string[] | undefined): Promise<Sandbox> {
    if (roots === undefined) return Promise.resolve(this.sandbox);
    const key = JSON.stringify(roots);
    if (this.#narrowed?.key !== key) this.#narrowed = { key, sandbox: this.sandbox.narrow(roots) };
    return this.#narrowed.sandbox;
  }
}

/** The `repo_path` argument every tool takes. */
export const repoPathField = z
  .string()
  .min(1)
  .describe('Path of the git repository (one the server was started with, or a directory inside it).');

/** The `offset` argument of tools whose text output is paged. */
export const offsetField = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe("Byte offset in the output to start from; pass the previous reply's next_offset to continue.");

/** Paging facts every paged tool returns in structuredContent. */
export const pageShape = {
  offset: z.number().describe('Byte offset this page starts at.'),
  next_offset: z.number().optional().describe('Offset of the next page; absent when this is the end.'),
  truncated: z.boolean().describe('Whether more output follows this page.'),
  non_utf8: z.boolean().optional().describe('True when some bytes were not UTF-8 and are shown as \\xNN.'),
};
