import { SandboxError } from '@portico-mcp/shared/errors';
import { Sandbox } from '@portico-mcp/shared/sandbox';
import type { ToolContext } from '@portico-mcp/shared/serve';

/** Distinct client-root sets remembered per process; a session rarely has more than one or two. */
const MAX_CACHED_ROOT_SETS = 32;

/**
 * Decides which sandbox a call runs in. The operator's directories are the outer bound; MCP roots a client
 * shares narrow them (never widen). A server started without directories uses the client's roots alone.
 */
export class SandboxProvider {
  readonly #operator: Sandbox | undefined;
  readonly #narrowed = new Map<string, Promise<Sandbox>>();

  constructor(operator: Sandbox | undefined) {
    this.#operator = operator;
  }

  /** The sandbox for one tool call. */
  async forCall(ctx: Pick<ToolContext, 'clientRoots'>): Promise<Sandbox> {
    const uris = await ctx.clientRoots();
    // An empty roots list is treated like no list, as the reference does: the client shared nothing to narrow to.
    if (uris === undefined || uris.length === 0) {
      if (this.#operator) return this.#operator;
      throw new SandboxError(
        'No directory is allowed yet: start the server with at least one directory argument, or connect from a client that shares MCP roots.',
      );
    }
    const key = uris.join('\n');
    let sandbox = this.#narrowed.get(key);
    if (sandbox === undefined) {
      sandbox = this.#operator ? this.#operator.narrow(uris) : Sandbox.fromClientRoots(uris);
      if (this.#narrowed.size >= MAX_CACHED_ROOT_SETS) this.#narrowed.clear();
      this.#narrowed.set(key, sandbox);
      // A failed resolution must not be cached forever.
      sandbox.catch(() => this.#narrowed.delete(key));
    }
    return sandbox;
  }
}

/** What every tool of this server shares: the sandbox decision and the configured limits. */
export interface FilesystemContext {
  sandboxes: SandboxProvider;
  maxMediaBytes: number;
}
