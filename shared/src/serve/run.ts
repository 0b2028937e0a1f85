import type { McpServerFactory } from '@modelcontextprotocol/server';
import { ConfigError, isPorticoError } from '../errors/index.js';
import { Logger } from '../log/index.js';
import { formatHelp, parseCommandLine, toCommonConfig } from './flags.js';
import type { CommonConfig, FlagSpec, TypedFlagValues } from './flags.js';
import { callsSettled, createInstanceFactory } from './instance.js';
import type { ServerInfo, ServerSurface } from './instance.js';
import type { AnyToolDefinition } from './tool.js';
import { selectTools } from './select.js';
import { StateSigner } from './state.js';

/** What a server's `create` gets from the kernel. */
export interface Kernel {
  common: CommonConfig;
  log: Logger;
  /** Registers cleanup (close a database, a browser) to run at shutdown, last registered first. */
  onShutdown(cleanup: () => Promise<void> | void): void;
  /** Registers a listener told when a connection ends (its `ToolContext.connection` key), to release its state. */
  onConnectionClosed(listener: (connection: string) => void): void;
}

/** What `parseConfig` gets: the server's own flags, typed, with the positionals, environment and common config. */
export interface ConfigInput<Flags extends Readonly<Record<string, FlagSpec>>> {
  values: TypedFlagValues<Flags>;
  positionals: string[];
  env: Readonly<Record<string, string | undefined>>;
  common: CommonConfig;
}

/** Everything a server tells the bootstrap: identity, flags, how to parse its config and build its surface. */
export interface ServerSpec<
  Config,
  Flags extends Readonly<Record<string, FlagSpec>> = Readonly<Record<string, FlagSpec>>,
> {
  /** Short name: `filesystem`. The MCP server name becomes `portico-<name>`. */
  name: string;
  title: string;
  version: string;
  /** One line for --help. */
  description: string;
  /** The usage line for --help: `mcp-server-filesystem [options] <allowed-dir>...`. */
  usage: string;
  /** Extra --help text: positional arguments, examples. */
  details?: string;
  /** How a client should send content too large for one stdio message, e.g. "write the first part, then append the rest". */
  oversizedRequestHint?: string;
  flags?: Flags;
  /** The opt-in toolsets (`--toolsets`), name to one line for --help; tools name theirs in `toolset`. */
  toolsets?: Readonly<Record<string, string>>;
  /** Builds the server's typed config; throws ConfigError with one sentence on bad input. */
  parseConfig(input: ConfigInput<Flags>): Config | Promise<Config>;
  /** Builds the surface once at startup; state that outlives a request (connections, caches) lives here. */
  create(config: Config, kernel: Kernel): ServerSurface | Promise<ServerSurface>;
}

/** A started server, for callers that embed the bootstrap (tests, the demo). */
export interface RunningServer {
  /** The HTTP endpoint URL when serving HTTP. */
  url?: string;
  shutdown(reason: string): Promise<void>;
}

/** A server built from its spec and command line, ready to be served over any transport. */
export interface PreparedServer {
  info: ServerInfo;
  common: CommonConfig;
  log: Logger;
  /** The tools registered after --toolsets/--tools/--exclude-tools/--read-only. */
  tools: readonly AnyToolDefinition[];
  surface: ServerSurface;
  factory: McpServerFactory;
  /**
   * Aborts running tools, waits briefly for them to answer, runs `beforeCleanups` (closing the transport),
   * then the server's cleanups, last registered first.
   */
  close(reason: string, beforeCleanups?: () => Promise<void>): Promise<void>;
}

/** The outcome of reading a command line: a prepared server, or text to print and exit (--help, --version). */
export type PreparedOrPrinted = { kind: 'server'; server: PreparedServer } | { kind: 'print'; text: string };

function helpText(spec: ServerSpec<unknown, Readonly<Record<string, FlagSpec>>>): string {
  const toolsets = Object.entries(spec.toolsets ?? {});
  const toolsetLines =
    toolsets.length === 0
      ? []
      : ['Toolsets (--toolsets a,b or all):', ...toolsets.map(([name, line]) => `  ${name.padEnd(16)}${line}`)];
  const details = [spec.details, toolsetLines.join('\n')]
    .filter((part) => part !== undefined && part !== '')
    .join('\n\n');
  return formatHelp(
    { usage: spec.usage, description: spec.description, ...(details ? { details } : {}) },
    spec.flags ?? {},
  );
}

/**
 * Parses the command line and builds the server: config, surface, selected tools and the instance factory.
 * Throws the kernel's typed errors (ConfigError for bad flags); shared by `runServer`, the in-process test
 * harness and the context-cost measurement, so all three see exactly the same tools.
 */
export async function prepareServer<Config, Flags extends Readonly<Record<string, FlagSpec>>>(
  spec: ServerSpec<Config, Flags>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  logSink?: (line: string) => void,
): Promise<PreparedOrPrinted> {
  const serverFlags: Readonly<Record<string, FlagSpec>> = spec.flags ?? {};
  const parsed = parseCommandLine(argv, env, serverFlags);
  if (parsed.values.help === true) return { kind: 'print', text: helpText(spec) };
  if (parsed.values.version === true) return { kind: 'print', text: spec.version };
  const common = toCommonConfig(parsed, env);
  const log = new Logger({
    name: `portico.${spec.name}`,
    level: common.logLevel,
    ...(logSink ? { write: logSink } : {}),
  });
  const config = await spec.parseConfig({
    values: parsed.values as TypedFlagValues<Flags>,
    positionals: parsed.positionals,
    env,
    common,
  });
  const cleanups: Array<() => Promise<void> | void> = [];
  const shutdownController = new AbortController();
  const connectionListeners: Array<(connection: string) => void> = [];
  const kernel: Kernel = {
    common,
    log,
    onShutdown: (cleanup) => cleanups.push(cleanup),
    onConnectionClosed: (listener) => connectionListeners.push(listener),
  };
  const surface = await spec.create(config, kernel);
  const tools = selectTools(surface.tools, common);
  const info: ServerInfo = { name: `portico-${spec.name}`, title: spec.title, version: spec.version };
  const connectionClosed = (connection: string) => {
    for (const listener of connectionListeners) {
      try {
        listener(connection);
      } catch (error) {
        log.warning('connection cleanup failed', { error });
      }
    }
  };
  const factory: McpServerFactory = createInstanceFactory({
    info,
    surface,
    tools,
    maxOutputBytes: common.maxOutputBytes,
    confirmDestructive: common.confirmDestructive,
    signer: common.stateKey === undefined ? StateSigner.random() : new StateSigner(common.stateKey),
    apps: common.apps,
    log,
    shareProcessLog: common.transport.kind === 'stdio',
    shutdownSignal: shutdownController.signal,
    connectionClosed,
  });
  let closing: Promise<void> | undefined;
  const close = (reason: string, beforeCleanups?: () => Promise<void>): Promise<void> =>
    (closing ??= (async () => {
      log.debug('shutting down', { reason });
      shutdownController.abort(new Error(`server shutting down: ${reason}`));
      // Running tools have seen the abort; let them stop (and answer) before the transport and what they use go.
      await callsSettled(2_000);
      await beforeCleanups?.().catch((error: unknown) => log.debug('transport close failed', { error }));
      for (const cleanup of cleanups.reverse()) {
        await Promise.resolve()
          .then(cleanup)
          .catch((error: unknown) => log.warning('cleanup failed', { error }));
      }
    })());
  return { kind: 'server', server: { info, common, log, tools, surface, factory, close } };
}

/**
 * Parses the command line, builds the server and serves it over stdio or HTTP until stdin closes or a signal.
 * It never rejects: a startup failure is reported on stderr and sets the exit code, so an entry can be
 * `void runServer(spec)` (server bundles are scripts, where top-level await is not available).
 */
export async function runServer<Config, Flags extends Readonly<Record<string, FlagSpec>>>(
  spec: ServerSpec<Config, Flags>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunningServer | undefined> {
  const binary = `mcp-server-${spec.name}`;
  try {
    const prepared = await prepareServer(spec, argv, env);
    if (prepared.kind === 'print') {
      process.stdout.write(`${prepared.text}\n`);
      return undefined;
    }
    return await serve(spec, prepared.server);
  } catch (error) {
    if (isPorticoError(error)) {
      process.stderr.write(
        `${binary}: ${error.message}\n${error instanceof ConfigError ? `Run ${binary} --help for usage.\n` : ''}`,
      );
      process.exitCode = 2;
      return undefined;
    }
    process.stderr.write(
      `${binary}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
    return undefined;
  }
}

async function serve<Config, Flags extends Readonly<Record<string, FlagSpec>>>(
  spec: ServerSpec<Config, Flags>,
  server: PreparedServer,
): Promise<RunningServer> {
  const { common, log, factory, tools } = server;
  let closeTransport: () => Promise<void>;
  let url: string | undefined;
  if (common.transport.kind === 'http') {
    // Loaded on demand: stdio servers never pay for the HTTP stack at startup.
    const { startHttpEndpoint } = await import('./http.js');
    const endpoint = await startHttpEndpoint(factory, common.transport, log);
    url = endpoint.url;
    closeTransport = endpoint.close;
  } else {
    const { serveStdio, StdioServerTransport } = await import('@modelcontextprotocol/server/stdio');
    const { oversizeRequestGuard } = await import('./stdin-guard.js');
    const guard = oversizeRequestGuard(
      process.stdout,
      log,
      spec.oversizedRequestHint ? { hint: spec.oversizedRequestHint } : {},
    );
    process.stdin.pipe(guard);
    const handle = serveStdio(factory, {
      legacy: 'serve',
      transport: new StdioServerTransport(guard, process.stdout),
      onerror: (error) => log.debug('stdio error', { error: error.message }),
    });
    closeTransport = () => handle.close();
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      // A cleanup that hangs must not keep a host waiting: exit anyway after a grace period.
      const force = setTimeout(() => process.exit(process.exitCode ?? 0), 5_000);
      force.unref();
      await server.close(reason, closeTransport);
      clearTimeout(force);
    })();
    return stopping;
  };

  const exitAfter = (reason: string) => () => void shutdown(reason).then(() => process.exit(process.exitCode ?? 0));
  process.once('SIGTERM', exitAfter('SIGTERM'));
  process.once('SIGINT', exitAfter('SIGINT'));
  if (common.transport.kind === 'stdio') {
    // The host closing our stdin is the end of the session (MCP stdio binding): leave promptly.
    process.stdin.once('end', exitAfter('stdin closed'));
    process.stdin.once('close', exitAfter('stdin closed'));
  }

  log.info('ready', {
    transport: common.transport.kind,
    ...(url ? { url } : {}),
    tools: tools.length,
    ...(common.readOnly ? { readOnly: true } : {}),
  });
  return { ...(url ? { url } : {}), shutdown };
}
