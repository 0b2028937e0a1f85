import { InvalidArgumentError } from '@portico-mcp/shared/errors';
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
    if (repoPath.length === 0)
      throw new InvalidArgumentError('repo_path is empty; pass the path of a repository the server was started with.');
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

/** The `repo_path` argument every tool takes; its name says what it is, and the instructions say which are allowed. */
export const repoPathField = z.string();

/** The `offset` argument of tools whose output is paged; a cut reply names the value to pass (`next.offset`). */
export const offsetField = z.number().int().min(0).default(0);

/** What every paged tool returns in structuredContent: the one truncation shape, and whether bytes were not UTF-8. */
export const pageShape = {
  ...TRUNCATION_SHAPE,
  non_utf8: z.boolean().optional().describe('Some bytes were not UTF-8 and are shown as \\xNN.'),
};
