import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { PolicyError } from '../errors/index.js';
import { limitConnectTime } from './connect-time.js';
import type { PolicyLookup } from './lookup.js';

/** What the agents need from a policy to vet each new connection. */
export interface ConnectionGuard {
  /** The refusal for connecting to an IP literal, or `undefined` when it is allowed; `target` names it in messages. */
  refuseAddress(ip: string, target: string): Error | undefined;
  /** A `lookup` that refuses names resolving to a disallowed address; `target` names the connection in messages. */
  lookupFor(target: string): PolicyLookup;
}

/** Options of `createAgents`. */
export interface PolicyAgentOptions {
  readonly keepAlive?: boolean;
  /** Destroy a connection not established within this many ms (TCP connect, or the TLS handshake for https). */
  readonly connectTimeoutMs?: number;
  /**
   * Told of every refusal and connection failure the agents see. HTTP clients such as node-fetch keep only the
   * message of a socket error; a caller that wants the typed error (PolicyError, TimeoutError) gets it here.
   */
  readonly onFailure?: (error: Error) => void;
}

/** An http and an https agent that vet every connection they open. */
export interface PolicyAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;
type Vetted = { readonly options: ClientRequestArgs } | { readonly error: Error };

/** Creates http/https agents whose every new connection (hence every redirect hop) is vetted by the guard. */
export function createPolicyAgents(guard: ConnectionGuard, options: PolicyAgentOptions = {}): PolicyAgents {
  const agentOptions = { keepAlive: options.keepAlive ?? false };
  return {
    http: new PolicyHttpAgent(guard, options, agentOptions),
    https: new PolicyHttpsAgent(guard, options, agentOptions),
  };
}

/** Returns a function of a request URL that picks the matching agent, the shape node-fetch's `agent` option takes. */
export function agentFor(agents: PolicyAgents): (url: URL) => http.Agent {
  return (url) => (url.protocol === 'https:' ? agents.https : agents.http);
}

type CreateConnection = (options: ClientRequestArgs, callback?: ConnectCallback) => Duplex | null | undefined;

class PolicyHttpAgent extends http.Agent {
  readonly #guard: ConnectionGuard;
  readonly #options: PolicyAgentOptions;

  constructor(guard: ConnectionGuard, options: PolicyAgentOptions, agentOptions: http.AgentOptions) {
    super(agentOptions);
    this.#guard = guard;
    this.#options = options;
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    return connectVetted(
      this.#guard,
      this.#options,
      options,
      callback,
      { protocol: 'http:', defaultPort: 80, connectedEvent: 'connect' },
      (o, c) => super.createConnection(o, c),
    );
  }
}

class PolicyHttpsAgent extends https.Agent {
  readonly #guard: ConnectionGuard;
  readonly #options: PolicyAgentOptions;

  constructor(guard: ConnectionGuard, options: PolicyAgentOptions, agentOptions: https.AgentOptions) {
    super(agentOptions);
    this.#guard = guard;
    this.#options = options;
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    return connectVetted(
      this.#guard,
      this.#options,
      options,
      callback,
      { protocol: 'https:', defaultPort: 443, connectedEvent: 'secureConnect' },
      (o, c) => super.createConnection(o, c),
    );
  }
}

/** Vets a connection, then opens it with the agent's own createConnection, watching it for failure and time. */
function connectVetted(
  guard: ConnectionGuard,
  policy: PolicyAgentOptions,
  options: ClientRequestArgs,
  callback: ConnectCallback | undefined,
  kind: { protocol: string; defaultPort: number; connectedEvent: 'connect' | 'secureConnect' },
  open: CreateConnection,
): Duplex | null | undefined {
  const vetted = vet(guard, options, kind.protocol, kind.defaultPort);
  if ('error' in vetted) {
    policy.onFailure?.(vetted.error);
    return refuse(vetted.error, callback);
  }
  const reportingCallback: ConnectCallback | undefined =
    callback === undefined || policy.onFailure === undefined
      ? callback
      : (error, stream) => {
          if (error) policy.onFailure?.(error);
          callback(error, stream);
        };
  const socket = open(vetted.options, reportingCallback);
  if (socket && policy.connectTimeoutMs !== undefined) {
    const host = options.host ?? options.hostname ?? 'localhost';
    limitConnectTime(socket, {
      timeoutMs: policy.connectTimeoutMs,
      target: `${host}:${options.port ?? kind.defaultPort}`,
      connectedEvent: kind.connectedEvent,
      ...(policy.onFailure ? { onFailure: policy.onFailure } : {}),
    });
  } else if (socket && policy.onFailure) {
    // A refusal decided in the lookup (a name resolving to a refused address) arrives as a socket error.
    socket.once('error', (error: Error) => policy.onFailure?.(error));
  }
  return socket;
}

function vet(guard: ConnectionGuard, options: ClientRequestArgs, protocol: string, defaultPort: number): Vetted {
  const rawHost = options.host ?? options.hostname ?? 'localhost';
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  const target = `${protocol}//${isIP(host) === 6 ? `[${host}]` : host}:${options.port ?? defaultPort}`;
  if (options.socketPath !== undefined) {
    return {
      error: new PolicyError(`Refused a connection to ${target}: connections through a Unix socket are not allowed.`),
    };
  }
  // Node connects to an IP literal without calling `lookup`, so literals are decided here.
  if (isIP(host) !== 0) {
    const error = guard.refuseAddress(host, target);
    return error === undefined ? { options } : { error };
  }
  // Any `lookup` the caller passed is replaced: the socket must connect to exactly the address vetted here.
  return { options: { ...options, lookup: guard.lookupFor(target) } };
}

function refuse(error: Error, callback: ConnectCallback | undefined): undefined {
  if (callback === undefined) throw error;
  // The Agent hands the error to the request, which emits it as its 'error'; no stream exists, and Node
  // does not read the second argument when the first is set.
  callback(error, undefined as unknown as Duplex);
  return undefined;
}
