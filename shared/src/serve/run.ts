import type { McpServerFactory } from '@modelcontextprotocol/server';
import { ConfigError, isPorticoError } from '../errors/index.js';
import { Logger } from '../log/index.js';
import { formatHelp, parseCommandLine, toCommonConfig } from './flags.js';
import type { CommonConfig, FlagSpec, FlagValues } from './flags.js';
import { callsSettled, createInstanceFactory } from './instance.js';
import type { ServerInfo, ServerSurface } from './instance.js';
import { selectTools } from './select.js';

/** What a server's `create` gets from the kernel. */
export interface Kernel {
  common: CommonConfig;
  log: Logger;
  /** Registers cleanup (close a database, a browser) to run at shutdown, last registered first. */
  onShutdown(cleanup: () => Promise<void> | void): void;
}

/** Everything a server tells the bootstrap: identity, flags, how to parse its config and build its surface. */
export interface ServerSpec<Config> {
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
  flags?: Readonly<Record<string, FlagSpec>>;
  /** Builds the server's typed config; throws ConfigError with one sentence on bad input. */
  parseConfig(input: { values: FlagValues; positionals: string[]; env: Readonly<Record<string, string | undefined>> }): Config | Promise<Config>;
  /** Builds the surface once at startup; state that outlives a request (connections, caches) lives here. */
  create(config: Config, kernel: Kernel): ServerSurface | Promise<ServerSurface>;
}

/** A started server, for callers that embed the bootstrap (tests, the demo). */
export interface RunningServer {
  /** The HTTP endpoint URL when serving HTTP. */
  url?: string;
  shutdown(reason: string): Promise<void>;
}

/**
 * Parses the command line, builds the server and serves it over stdio or HTTP until stdin closes or a signal.
 * It never rejects: a startup failure is reported on stderr and sets the exit code, so an entry can be
 * `void runServer(spec)` (server bundles are scripts, where top-level await is not available).
 */
export async function runServer<Config>(
  spec: ServerSpec<Config>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunningServer | undefined> {
  const binary = `mcp-server-${spec.name}`;
  const serverFlags = spec.flags ?? {};
  let log: Logger | undefined;
  try {
    const parsed = parseCommandLine(argv, env, serverFlags);
    if (parsed.values.help === true) {
      process.stdout.write(`${formatHelp({ usage: spec.usage, description: spec.description, ...(spec.details ? { details: spec.details } : {}) }, serverFlags)}\n`);
      return undefined;
    }
    if (parsed.values.version === true) {
      process.stdout.write(`${spec.version}\n`);
      return undefined;
    }
    const common = toCommonConfig(parsed);
    log = new Logger({ name: `portico.${spec.name}`, level: common.logLevel });
    const config = await spec.parseConfig({ values: parsed.values, positionals: parsed.positionals, env });
    return await serve(spec, config, common, log);
  } catch (error) {
    if (isPorticoError(error)) {
      process.stderr.write(`${binary}: ${error.message}\n${error instanceof ConfigError ? `Run ${binary} --help for usage.\n` : ''}`);
      process.exitCode = 2;
      return undefined;
    }
    process.stderr.write(`${binary}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

async function serve<Config>(spec: ServerSpec<Config>, config: Config, common: CommonConfig, log: Logger): Promise<RunningServer> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const shutdownController = new AbortController();
  const kernel: Kernel = { common, log, onShutdown: (cleanup) => cleanups.push(cleanup) };
  const surface = await spec.create(config, kernel);
  const tools = selectTools(surface.tools, common);
  const info: ServerInfo = { name: `portico-${spec.name}`, title: spec.title, version: spec.version };
  const factory: McpServerFactory = createInstanceFactory({
    info,
    surface,
    tools,
    maxOutputBytes: common.maxOutputBytes,
    log,
    shutdownSignal: shutdownController.signal,
  });

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
    const guard = oversizeRequestGuard(process.stdout, log, spec.oversizedRequestHint ? { hint: spec.oversizedRequestHint } : {});
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
      log.debug('shutting down', { reason });
      shutdownController.abort(new Error(`server shutting down: ${reason}`));
      // A cleanup that hangs must not keep a host waiting: exit anyway after a grace period.
      const force = setTimeout(() => process.exit(process.exitCode ?? 0), 5_000);
      force.unref();
      // Running tools have seen the abort; let them stop (and answer) before the transport goes.
      await callsSettled(2_000);
      await closeTransport().catch((error: unknown) => log.debug('transport close failed', { error }));
      for (const cleanup of cleanups.reverse()) {
        await Promise.resolve()
          .then(cleanup)
          .catch((error: unknown) => log.warning('cleanup failed', { error }));
      }
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
