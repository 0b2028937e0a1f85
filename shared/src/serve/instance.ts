import { McpServer } from '@modelcontextprotocol/server';
import type { CallToolResult, McpRequestContext, McpServerFactory, ServerContext } from '@modelcontextprotocol/server';
import type { Logger } from '../log/index.js';
import { OutputBudget, toToolError } from '../output/index.js';
import { boundResult } from './bound.js';
import type { AnyToolDefinition, ToolContext } from './tool.js';

/** Identity of a server as shown to clients. */
export interface ServerInfo {
  name: string;
  title?: string;
  version: string;
}

/** What a server registers on every instance: its tools, instructions, and optional resources and prompts. */
export interface ServerSurface {
  tools: AnyToolDefinition[];
  /** Sent to clients in the handshake: how to use this server well. */
  instructions?: string;
  /** Registers resources and prompts on a fresh instance (called once per instance). */
  registerExtras?(server: McpServer, context: { era: 'legacy' | 'modern' }): void;
}

/** Options of the instance factory. */
export interface FactoryOptions {
  info: ServerInfo;
  surface: ServerSurface;
  /** Tools after --read-only/--tools/--exclude-tools. */
  tools: readonly AnyToolDefinition[];
  maxOutputBytes: number;
  log: Logger;
  /** Aborted at shutdown: running tools see it through their signal. */
  shutdownSignal: AbortSignal;
}

/**
 * Builds the factory both serving entries call: one fresh McpServer per stdio connection or HTTP request,
 * with the same tools registered for both protocol eras.
 */
export function createInstanceFactory(options: FactoryOptions): McpServerFactory {
  return (request: McpRequestContext) => {
    const server = new McpServer(
      { name: options.info.name, version: options.info.version, ...(options.info.title ? { title: options.info.title } : {}) },
      {
        capabilities: { tools: {}, ...(request.era === 'legacy' ? { logging: {} } : {}) },
        ...(options.surface.instructions ? { instructions: options.surface.instructions } : {}),
      },
    );
    // Both entries pass requestInfo only for per-request HTTP instances; every other instance serves a
    // long-lived session (stdio, or a 2025-era HTTP session), which can receive logs and be asked for roots.
    const sessionful = request.requestInfo === undefined;
    const clientRoots = rootsProvider(server, request.era, sessionful);
    for (const tool of options.tools) registerTool(server, tool, request.era, clientRoots, options);
    options.surface.registerExtras?.(server, { era: request.era });
    if (sessionful && request.era === 'legacy') forwardLogs(server, options.log);
    return server;
  };
}

function rootsProvider(server: McpServer, era: 'legacy' | 'modern', sessionful: boolean): () => Promise<string[] | undefined> {
  if (era !== 'legacy' || !sessionful) return async () => undefined;
  let cached: Promise<string[] | undefined> | undefined;
  server.server.setNotificationHandler('notifications/roots/list_changed', () => {
    cached = undefined;
  });
  return () => {
    if (!server.server.getClientCapabilities()?.roots) return Promise.resolve(undefined);
    cached ??= server.server.listRoots().then(
      (result) => result.roots.map((root) => root.uri),
      () => undefined,
    );
    return cached;
  };
}

function forwardLogs(server: McpServer, log: Logger): void {
  // Attach only once the session is live, so a discarded discovery probe instance holds nothing.
  let detach: (() => void) | undefined;
  const previousOnInitialized = server.server.oninitialized;
  server.server.oninitialized = () => {
    previousOnInitialized?.();
    detach = log.attachMcp((level, data, logger) => server.sendLoggingMessage({ level, data, logger }));
  };
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    detach?.();
    previousOnClose?.();
  };
}

function registerTool(
  server: McpServer,
  tool: AnyToolDefinition,
  era: 'legacy' | 'modern',
  clientRoots: () => Promise<string[] | undefined>,
  options: FactoryOptions,
): void {
  const log = options.log.child(tool.name);
  const config = {
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    annotations: { title: tool.title, ...tool.annotations },
  };
  const handler = async (args: unknown, sdk: ServerContext): Promise<CallToolResult> => {
    const signal = AbortSignal.any([sdk.mcpReq.signal, options.shutdownSignal]);
    const context: ToolContext = {
      signal,
      budget: new OutputBudget(options.maxOutputBytes),
      log: log.forRequest((level, data, logger) => sdk.mcpReq.log(level, data, logger)),
      progress: progressReporter(sdk),
      era,
      clientRoots,
    };
    try {
      const result = await tool.handler(args, context);
      return boundResult(result, options.maxOutputBytes);
    } catch (error) {
      return toToolError(error, (unexpected) => log.error('tool failed unexpectedly', { error: unexpected }));
    }
  };
  // The SDK's overloads are generic over the schema type; our definitions are already checked by defineTool.
  (server.registerTool as (name: string, config: object, cb: typeof handler) => unknown)(tool.name, config, handler);
}

function progressReporter(sdk: ServerContext): ToolContext['progress'] {
  const token = sdk.mcpReq._meta?.progressToken;
  if (token === undefined) return async () => undefined;
  return async (progress, total, message) => {
    try {
      await sdk.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
      });
    } catch {
      // Progress is advisory: a client that went away must not fail the work.
    }
  };
}
