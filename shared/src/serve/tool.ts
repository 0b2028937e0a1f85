import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type * as z from 'zod';
import type { ToolUi } from '../apps/index.js';
import type { Logger } from '../log/index.js';
import type { Reply } from '../output/index.js';
import type { Ask, InputCapability } from './ask.js';

/** Annotations every Portico tool must state truthfully (the hints are required, not optional). */
export interface PorticoToolAnnotations extends ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a tool handler gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the client cancels the request or the server shuts down. */
  signal: AbortSignal;
  /**
   * The reply of this call, created on first use with the operator's --max-output-bytes: add lines, items,
   * long text and structure to it and return `reply().build()`. It charges all of it against the budget.
   */
  reply: () => Reply;
  /** The operator's reply budget in bytes, for work sized before the reply is built (rows to fetch, bytes to read). */
  maxOutputBytes: number;
  /** Logs to stderr and, where the client asked for it, to the client. */
  log: Logger;
  /** Reports progress when the client sent a progress token; a no-op otherwise. */
  progress: (progress: number, total?: number, message?: string) => Promise<void>;
  /** The protocol era of the request: 2025-era (`legacy`) or 2026-07-28 (`modern`). */
  era: 'legacy' | 'modern';
  /**
   * The client's MCP roots (URIs) when the client offers them, else undefined; asked through `ask`, so in
   * the 2026-07-28 era the first call of a client that declares roots comes back `input_required`. A
   * 2025-era session asks once and again after the client says they changed.
   */
  clientRoots: () => Promise<string[] | undefined>;
  /**
   * Asks the client for input — forms, confirmations, roots, sampling — in either era, with the answers under
   * the keys given: `const { ok } = await ctx.ask({ ok: input.confirm('Delete 3 rows?') })`. A 2025-era
   * session sends the requests to the client and waits. A 2026-07-28 request cannot: the call ends with an
   * `input_required` result and the client's retry runs the handler again from the start, with the answers
   * (earlier rounds' come back in the signed requestState). So ask before any side effect, and use keys that
   * are unique within the handler. A client that did not declare the capability gets a tool error in the
   * 2025 era and the protocol's missing-capability error (-32021) in the 2026 era; check `canAsk` first to
   * do without.
   */
  ask: Ask;
  /** Whether the client declared what a kind of request needs (`elicitation`, `roots`, `sampling`). */
  canAsk: (capability: InputCapability) => boolean;
  /**
   * An opaque key of the connection the call came on: one per stdio connection or 2025-era HTTP session,
   * and one shared key for 2026-07-28 HTTP requests, which carry no session. State kept per connection (a
   * browser context, say) is keyed by it and released in `Kernel.onConnectionClosed`.
   */
  connection: string;
}

/** A tool: everything the host sees (name, schemas, annotations) and the handler that answers it. */
export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema?: Output;
  annotations: PorticoToolAnnotations;
  /** The opt-in toolset the tool belongs to (`--toolsets <name>`); tools without one are in the default list. */
  toolset?: string;
  /**
   * One line saying what this call will do, shown to the user when --confirm-destructive asks before a
   * destructive tool runs ("Overwrite notes/todo.md"); undefined when this call destroys nothing (a dry run),
   * so nothing is asked. Destructive tools must have one.
   */
  effect?: (args: z.infer<Input>) => string | undefined;
  /**
   * The MCP Apps view of the result (`_meta.ui.resourceUri`) and who may call the tool; `visibility: ['app']`
   * makes an app-only tool, hidden from the model and registered whenever apps are on (--no-apps drops it).
   */
  ui?: ToolUi;
  handler: (args: z.infer<Input>, context: ToolContext) => Promise<CallToolResult> | CallToolResult;
}

/** A tool definition of any input and output type, as kept in a server's tool list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDefinition = ToolDefinition<any, any>;

/** Declares a tool with its argument types inferred from `inputSchema`. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject | undefined = undefined>(
  definition: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return definition;
}
