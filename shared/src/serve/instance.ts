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
    // The request's own signal, unless shutdown has begun: tracking each call's controller in a set is far
    // cheaper per call than AbortSignal.any against the long-lived shutdown signal, which also keeps every
    // dependent signal registered on it for the life of the process on Node 20.
    const signal = callSignal(sdk.mcpReq.signal, options.shutdownSignal);
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
    } finally {
      releaseCallSignal(signal);
    }
  };
  // The SDK's overloads are generic over the schema type; our definitions are already checked by defineTool.
  (server.registerTool as (name: string, config: object, cb: typeof handler) => unknown)(tool.name, config, handler);
}

const callsInFlight = new Map<AbortSignal, { controller: AbortController; detach: () => void }>();
const shutdownsWatched = new WeakSet<AbortSignal>();

/** A signal that aborts when the request is cancelled or the server shuts down; release it when the call ends. */
function callSignal(request: AbortSignal, shutdown: AbortSignal): AbortSignal {
  if (shutdown.aborted) return shutdown;
  if (!shutdownsWatched.has(shutdown)) {
    shutdownsWatched.add(shutdown);
    shutdown.addEventListener('abort', () => {
      for (const { controller } of callsInFlight.values()) controller.abort(shutdown.reason);
    }, { once: true });
  }
  const controller = new AbortController();
  if (request.aborted) controller.abort(request.reason);
  const forward = () => controller.abort(request.reason);
  request.addEventListener('abort', forward, { once: true });
  callsInFlight.set(controller.signal, { controller, detach: () => request.removeEventListener('abort', forward) });
  return controller.signal;
}

function releaseCallSignal(signal: AbortSignal): void {
  const call = callsInFlight.get(signal);
  if (!call) return;
  call.detach();
  callsInFlight.delete(signal);
  if (callsInFlight.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
}

const idleWaiters: Array<() => void> = [];

/** Resolves when no tool call is running, or after `timeoutMs`: shutdown gives aborted calls time to wind down. */
export function callsSettled(timeoutMs: number): Promise<void> {
  if (callsInFlight.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    idleWaiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
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
