import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
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

/** The `repo_path` argument every tool takes (one short description, shared by all tools). */
export const repoPathField = z.string().min(1).describe('An allowed repository, or a directory inside it.');

/** The `offset` argument of tools whose output is paged: where the previous reply's `next` says to go on. */
export const offsetField = z.number().int().min(0).default(0).describe('Pass next.offset of a cut reply.');

/** What every paged tool returns in structuredContent: the one truncation shape, and whether bytes were not UTF-8. */
export const pageShape = {
  ...TRUNCATION_SHAPE,
  non_utf8: z.boolean().optional().describe('Some bytes were not UTF-8 and are shown as \\xNN.'),
};
