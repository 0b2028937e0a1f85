import { randomUUID } from 'node:crypto';
import { registerAppResource, registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import type {
  CallToolResult,
  InputRequiredResult,
  McpRequestContext,
  McpServerFactory,
  ReadResourceResult,
  ServerContext,
} from '@modelcontextprotocol/server';
import { InputUnavailableError, TooLargeError } from '../errors/index.js';
import { InputRequiredSignal, clientCapabilities, createAsk, input } from './ask.js';
import type { Ask, AskScope } from './ask.js';
import { callBinding } from './state.js';
import type { StateSigner } from './state.js';
import { APP_MIME_TYPE as APP_MIME, readAppHtml } from '../apps/index.js';
import type { AppView } from '../apps/index.js';
import type { Logger } from '../log/index.js';
import {
  Reply,
  cutText,
  formatBytes,
  toProtocolError,
  toToolError,
  toolError,
  truncationNotice,
  utf8Length,
} from '../output/index.js';
import { boundResult } from './bound.js';
import type { AnyPromptDefinition, ContinueHint, PromptReply } from './prompt.js';
import { isTemplateUri } from './resource.js';
import type { ExtraContext, ResourceContents, ResourceDefinition } from './resource.js';
import { slimSchema } from './schema.js';
import type { AnyToolDefinition, ToolContext } from './tool.js';

/** Identity of a server as shown to clients. */
export interface ServerInfo {
  name: string;
  title?: string;
  version: string;
}

/** What a server registers on every instance: its tools, instructions, resources and prompts. */
export interface ServerSurface {
  tools: AnyToolDefinition[];
  /** Sent to clients in the handshake: how to use this server well. */
  instructions?: string;
  resources?: ResourceDefinition[];
  prompts?: AnyPromptDefinition[];
  /** MCP Apps views (`ui://` HTML resources) that tools name in `ui.resourceUri`; off with --no-apps. */
  apps?: AppView[];
  /**
   * Only for the kernel's conformance fixture, which exercises protocol features the kernel does not wrap
   * yet (sampling, elicitation, completions): registers directly on the SDK server, outside the budget and
   * the error mapping. Servers never use it (a test checks).
   */
  registerProtocolFixtures?(server: McpServer, context: { era: 'legacy' | 'modern' }): void;
}

/** Options of the instance factory. */
export interface FactoryOptions {
  info: ServerInfo;
  surface: ServerSurface;
  /** Tools after --read-only/--tools/--exclude-tools. */
  tools: readonly AnyToolDefinition[];
  maxOutputBytes: number;
  /** Ask the user before destructive tools run (--confirm-destructive). */
  confirmDestructive?: boolean;
  /** Signs and checks requestState; one per process, or one key shared by replicas. */
  signer: StateSigner;
  /** Declare the MCP Apps views and the tools' `_meta.ui` (false with --no-apps). */
  apps: boolean;
  log: Logger;
  /**
   * Forward the process's own records (startup, cleanup, other calls' failures) to a 2025-era client, not only
   * its own requests' records: stdio only, where the process serves that one client. An HTTP session shares
   * the process with other clients and must not hear what their requests did.
   */
  shareProcessLog: boolean;
  /** Aborted at shutdown: running tools see it through their signal. */
  shutdownSignal: AbortSignal;
  /** Told when a long-lived connection (stdio, a 2025-era HTTP session) ends, with its key. */
  connectionClosed?: (connection: string) => void;
}

/** The connection key of per-request instances (2026-07-28 HTTP): they share whatever is kept per connection. */
export const STATELESS_CONNECTION = 'stateless';

/**
 * Builds the factory both serving entries call: one fresh McpServer per stdio connection or HTTP request,
 * with the same tools registered for both protocol eras.
 */
export function createInstanceFactory(options: FactoryOptions): McpServerFactory {
  return (request: McpRequestContext) => {
    const server = new McpServer(
      {
        name: options.info.name,
        version: options.info.version,
        ...(options.info.title ? { title: options.info.title } : {}),
      },
      {
        // Both eras: a 2026-07-28 request asks for log notifications by setting a level in its _meta, and the
        // SDK sends them only to such requests, at that level and above.
        capabilities: { tools: {}, logging: {} },
        ...(options.surface.instructions ? { instructions: options.surface.instructions } : {}),
        // Signature and expiry are checked before any handler runs; a refusal is the spec's -32602.
        requestState: { verify: (state: string) => openState(options, state) },
      },
    );
    // Both entries pass requestInfo only for per-request HTTP instances; every other instance serves a
    // long-lived session (stdio, or a 2025-era HTTP session), which can receive logs and be asked for roots.
    const sessionful = request.requestInfo === undefined;
    const connection = sessionful ? randomUUID() : STATELESS_CONNECTION;
    if (sessionful && options.connectionClosed) {
      const closed = options.connectionClosed;
      const previousOnClose = server.server.onclose;
      server.server.onclose = () => {
        previousOnClose?.();
        closed(connection);
      };
    }
    const sessionRoots = rootsProvider(server, request.era, sessionful);
    for (const tool of options.tools) registerTool(server, tool, request.era, sessionRoots, connection, options);
    for (const resource of options.surface.resources ?? []) registerResource(server, resource, request.era, options);
    for (const prompt of options.surface.prompts ?? []) registerPrompt(server, prompt, request.era, options);
    if (options.apps) for (const view of options.surface.apps ?? []) registerView(server, view, options);
    options.surface.registerProtocolFixtures?.(server, { era: request.era });
    declareFixedLists(server);
    if (sessionful && request.era === 'legacy' && options.shareProcessLog) forwardLogs(server, options.log);
    return server;
  };
}

/**
 * The SDK claims `listChanged` for every list it registers, but a Portico server's tools, resources and prompts
 * are fixed when it starts and no change notification is ever sent: say so, so clients need not listen.
 */
function declareFixedLists(server: McpServer): void {
  const capabilities = server.server.getCapabilities();
  server.server.registerCapabilities({
    ...(capabilities.tools ? { tools: { listChanged: false } } : {}),
    ...(capabilities.resources ? { resources: { listChanged: false } } : {}),
    ...(capabilities.prompts ? { prompts: { listChanged: false } } : {}),
  });
}

function openState(options: FactoryOptions, state: string): unknown {
  const opened = options.signer.open(state);
  if (!opened.ok) {
    options.log.info('refused a requestState', { reason: opened.reason });
    throw new Error(opened.reason);
  }
  return opened.payload;
}

/** The 2025-era session's roots, asked once and again after the client says they changed; undefined elsewhere. */
function rootsProvider(
  server: McpServer,
  era: 'legacy' | 'modern',
  sessionful: boolean,
): (() => Promise<string[] | undefined>) | undefined {
  if (era !== 'legacy' || !sessionful) return undefined;
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
  sessionRoots: (() => Promise<string[] | undefined>) | undefined,
  connection: string,
  options: FactoryOptions,
): void {
  const log = options.log.child(tool.name);
  const withView = Boolean(tool.ui && options.apps);
  const config = registrationOf(tool, withView);
  const confirming = options.confirmDestructive === true && tool.annotations.destructiveHint;
  const handler = async (args: unknown, sdk: ServerContext): Promise<CallToolResult | InputRequiredResult> => {
    // The request's own signal, unless shutdown has begun: tracking each call's controller in a set is far
    // cheaper per call than AbortSignal.any against the long-lived shutdown signal, which also keeps every
    // dependent signal registered on it for the life of the process on Node 20.
    const signal = callSignal(sdk.mcpReq.signal, options.shutdownSignal);
    let reply: Reply | undefined;
    const scope: AskScope = {
      era,
      sdk,
      server,
      signer: options.signer,
      binding: callBinding(tool.name, args),
      subject: `${tool.name}`,
    };
    const ask = createAsk(scope);
    const requestLog = log.forRequest((level, data, logger) => sdk.mcpReq.log(level, data, logger));
    const context: ToolContext = {
      signal,
      reply: () => (reply ??= new Reply({ tool: tool.name, limit: options.maxOutputBytes })),
      maxOutputBytes: options.maxOutputBytes,
      log: requestLog,
      progress: progressReporter(sdk),
      era,
      clientRoots: sessionRoots ?? (() => askedRoots(scope, ask)),
      ask,
      canAsk: (capability) => Boolean(clientCapabilities(scope)?.[capability]),
      connection,
    };
    try {
      if (confirming) {
        const refusal = await confirmEffect(tool, args, ask);
        if (refusal) return refusal;
      }
      const result = await tool.handler(args, context);
      return boundResult(result, options.maxOutputBytes);
    } catch (error) {
      if (error instanceof InputRequiredSignal) return error.result;
      // The caller's own logger: the operator's stderr gets the whole error, and only this request's client
      // hears of it (by name and code), never the other clients of an HTTP endpoint.
      return toToolError(error, (unexpected) => requestLog.error('tool failed unexpectedly', { error: unexpected }));
    } finally {
      releaseCallSignal(signal);
    }
  };
  // The SDK's overloads are generic over the schema type; our definitions are already checked by defineTool.
  if (withView) {
    // ext-apps writes `_meta.ui` and the older flat `ui/resourceUri` key that hosts of the first drafts read.
    (registerAppTool as (server: McpServer, name: string, config: object, cb: typeof handler) => unknown)(
      server,
      tool.name,
      config,
      handler,
    );
  } else {
    (server.registerTool as (name: string, config: object, cb: typeof handler) => unknown)(tool.name, config, handler);
  }
}

/**
 * A view is served whole, outside the reply budget: a cut HTML file is no view at all, and its size is fixed
 * at build time (each under 60 KB), not chosen by a caller.
 */
function registerView(server: McpServer, view: AppView, options: FactoryOptions): void {
  const log = options.log.child(view.name);
  registerAppResource(
    server,
    view.name,
    view.uri,
    { title: view.title, description: view.description },
    async (uri) => {
      try {
        return { contents: [{ uri: uri.href, mimeType: APP_MIME, text: await readAppHtml(view) }] };
      } catch (error) {
        throw toProtocolError(error, { uri: uri.href }, (unexpected) =>
          log.error('view read failed unexpectedly', { error: unexpected }),
        );
      }
    },
  );
}

/** Under --confirm-destructive: asks the user, and returns the reply saying nothing was done unless they agreed. */
async function confirmEffect(tool: AnyToolDefinition, args: unknown, ask: Ask): Promise<CallToolResult | undefined> {
  const described = tool.effect ? tool.effect(args) : `Run ${tool.title}`;
  if (described === undefined) return undefined;
  const effect = oneLine(described, 300);
  const { portico_confirm: answer } = await ask({
    portico_confirm: input.confirm(`${effect}. Go ahead? (${tool.name})`),
  });
  if (answer.confirmed) return undefined;
  const how = answer.action === 'cancel' ? 'cancelled the confirmation' : 'declined';
  return toolError(`Nothing was done: the user ${how} (${effect}); ask the user before trying again.`);
}

/** Text on one line, at most `max` characters: a confirmation prompt is not the place for a whole SQL script. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The client's roots asked through `ask` (2026-07-28, or 2025-era HTTP without a session): undefined when it offers none. */
async function askedRoots(scope: AskScope, ask: Ask): Promise<string[] | undefined> {
  if (!clientCapabilities(scope)?.roots) return undefined;
  const { portico_roots: roots } = await ask({ portico_roots: input.roots() });
  return roots;
}

// A tool's registration (title, description, slimmed schemas, annotations, and _meta.ui when its view is
// served), made once per tool: every instance (one per HTTP request in the 2026 era) hands the SDK and ext-apps
// the same object, which they only read.
const registrations = {
  withView: new WeakMap<AnyToolDefinition, object>(),
  plain: new WeakMap<AnyToolDefinition, object>(),
};
function registrationOf(tool: AnyToolDefinition, withView: boolean): object {
  const cache = withView ? registrations.withView : registrations.plain;
  let config = cache.get(tool);
  if (config === undefined) {
    // Tools of every input and output type meet here as AnyToolDefinition, whose schemas are typed loosely on
    // purpose; the SDK checks them again when it registers the tool.
    /* eslint-disable @typescript-eslint/no-unsafe-assignment */
    config = {
      title: tool.title,
      description: tool.description,
      inputSchema: slimmed(tool.inputSchema),
      ...(tool.outputSchema ? { outputSchema: slimmed(tool.outputSchema) } : {}),
      annotations: { title: tool.title, ...tool.annotations },
      ...(withView ? { _meta: { ui: tool.ui } } : {}),
    };
    /* eslint-enable @typescript-eslint/no-unsafe-assignment */
    cache.set(tool, config);
  }
  return config;
}

// Slimmed once per schema object: every instance (one per HTTP request in the 2026 era) reuses the conversion.
const slimmedSchemas = new WeakMap<object, object>();
function slimmed<S extends Parameters<typeof slimSchema>[0]>(schema: S): S {
  let slim = slimmedSchemas.get(schema) as S | undefined;
  if (slim === undefined) {
    slim = slimSchema(schema);
    slimmedSchemas.set(schema, slim);
  }
  return slim;
}

function extraContext(sdk: ServerContext, era: 'legacy' | 'modern', log: Logger, ask: Ask): ExtraContext {
  return {
    signal: sdk.mcpReq.signal,
    era,
    log: log.forRequest((level, data, logger) => sdk.mcpReq.log(level, data, logger)),
    ask,
  };
}

/** Listing resources is not a request that may come back input_required. */
const cannotAsk: Ask = () =>
  Promise.reject(
    new InputUnavailableError('Listing resources cannot ask the client for input; ask when a resource is read.'),
  );

function askFor(
  server: McpServer,
  sdk: ServerContext,
  era: 'legacy' | 'modern',
  options: FactoryOptions,
  name: string,
  args: unknown,
): Ask {
  return createAsk({ era, sdk, server, signer: options.signer, binding: callBinding(name, args), subject: name });
}

/** Cuts a text to the reply budget with the one notice, naming how to get the rest. */
function boundedText(text: string, limit: number, continueHint: ContinueHint | undefined): string {
  const cut = cutText(text, limit);
  if (!cut.truncated) return text;
  const hint = typeof continueHint === 'function' ? continueHint({ chars: cut.consumedChars }) : continueHint;
  return `${cut.text}${cut.text.endsWith('\n') ? '' : '\n'}${truncationNotice({
    shown: `the first ${formatBytes(cut.bytes)} of ${formatBytes(utf8Length(text))}`,
    reason: 'the reply budget',
    next: hint ?? 'narrow the request, or ask the operator to raise --max-output-bytes',
  })}`;
}

function registerResource(
  server: McpServer,
  resource: ResourceDefinition,
  era: 'legacy' | 'modern',
  options: FactoryOptions,
): void {
  const log = options.log.child(resource.name);
  const metadata = { title: resource.title, description: resource.description, mimeType: resource.mimeType };
  const read = async (
    uri: URL,
    variables: Record<string, string | string[]>,
    sdk: ServerContext,
  ): Promise<ReadResourceResult | InputRequiredResult> => {
    const decoded: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables))
      decoded[name] = decodeURIComponent(Array.isArray(value) ? (value[0] ?? '') : value);
    try {
      const answer: ResourceContents = await resource
        .read(uri, decoded, extraContext(sdk, era, log, askFor(server, sdk, era, options, `resource ${uri.href}`, {})))
        .then((value) => (typeof value === 'string' ? { text: value } : value));
      const mimeType = answer.mimeType ?? resource.mimeType;
      if ('blob' in answer) {
        if (answer.blob.length > options.maxOutputBytes) {
          throw new TooLargeError(
            `${uri.href} is ${formatBytes(answer.blob.length)} encoded, over the reply budget of ${formatBytes(options.maxOutputBytes)}; ask the operator to raise --max-output-bytes.`,
          );
        }
        return { contents: [{ uri: uri.href, mimeType, blob: answer.blob }] };
      }
      return {
        contents: [
          { uri: uri.href, mimeType, text: boundedText(answer.text, options.maxOutputBytes, resource.continueHint) },
        ],
      };
    } catch (error) {
      if (error instanceof InputRequiredSignal) return error.result;
      throw toProtocolError(error, { uri: uri.href }, (unexpected) =>
        log.error('resource read failed unexpectedly', { error: unexpected }),
      );
    }
  };
  if (!isTemplateUri(resource.uri)) {
    server.registerResource(resource.name, resource.uri, metadata, (uri, sdk) => read(uri, {}, sdk));
    return;
  }
  const list = resource.list;
  const template = new ResourceTemplate(resource.uri, {
    list: list
      ? async (sdk) => {
          try {
            return { resources: await list(extraContext(sdk, era, log, cannotAsk)) };
          } catch (error) {
            throw toProtocolError(error, {}, (unexpected) =>
              log.error('resource list failed unexpectedly', { error: unexpected }),
            );
          }
        }
      : undefined,
  });
  server.registerResource(resource.name, template, metadata, (uri, variables, sdk) => read(uri, variables, sdk));
}

function registerPrompt(
  server: McpServer,
  prompt: AnyPromptDefinition,
  era: 'legacy' | 'modern',
  options: FactoryOptions,
): void {
  const log = options.log.child(prompt.name);
  const answer = async (args: unknown, sdk: ServerContext): Promise<PromptReply | InputRequiredResult> => {
    try {
      const { continueHint, ...reply } = await prompt.handler(
        args,
        extraContext(sdk, era, log, askFor(server, sdk, era, options, `prompt ${prompt.name}`, args)),
      );
      // One budget for all the prompt's text, in message order.
      let remaining = options.maxOutputBytes;
      const messages = reply.messages.map((message) => {
        if (message.content.type !== 'text') return message;
        const text = boundedText(message.content.text, Math.max(0, remaining), continueHint ?? prompt.continueHint);
        remaining -= utf8Length(text);
        return { ...message, content: { ...message.content, text } };
      });
      return { ...reply, messages };
    } catch (error) {
      if (error instanceof InputRequiredSignal) return error.result;
      throw toProtocolError(error, {}, (unexpected) => log.error('prompt failed unexpectedly', { error: unexpected }));
    }
  };
  const config = {
    title: prompt.title,
    description: prompt.description,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- prompts of every argument type meet here (AnyPromptDefinition)
    ...(prompt.argsSchema ? { argsSchema: prompt.argsSchema } : {}),
  };
  type Answer = Promise<PromptReply | InputRequiredResult>;
  if (prompt.argsSchema)
    (
      server.registerPrompt as (
        name: string,
        config: object,
        cb: (args: unknown, sdk: ServerContext) => Answer,
      ) => unknown
    )(prompt.name, config, answer);
  else
    (server.registerPrompt as (name: string, config: object, cb: (sdk: ServerContext) => Answer) => unknown)(
      prompt.name,
      config,
      (sdk) => answer({}, sdk),
    );
}

const callsInFlight = new Map<AbortSignal, { controller: AbortController; detach: () => void }>();
const shutdownsWatched = new WeakSet<AbortSignal>();

/** A signal that aborts when the request is cancelled or the server shuts down; release it when the call ends. */
function callSignal(request: AbortSignal, shutdown: AbortSignal): AbortSignal {
  if (shutdown.aborted) return shutdown;
  if (!shutdownsWatched.has(shutdown)) {
    shutdownsWatched.add(shutdown);
    shutdown.addEventListener(
      'abort',
      () => {
        for (const { controller } of callsInFlight.values()) controller.abort(shutdown.reason);
      },
      { once: true },
    );
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
        params: {
          progressToken: token,
          progress,
          ...(total !== undefined ? { total } : {}),
          ...(message ? { message } : {}),
        },
      });
    } catch {
      // Progress is advisory: a client that went away must not fail the work.
    }
  };
}
