import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { isPorticoError, TimeoutError, UpstreamError } from '@portico-mcp/shared/errors';
import { formatSeconds, limitConnectTime } from '@portico-mcp/shared/net';
import type { UrlPolicy } from '@portico-mcp/shared/net';

type ConnectCallback = (err: Error | null, stream: Duplex) => void;
// Node reads no stream when the error is set; the callback's type still wants one.
const NO_STREAM = undefined as unknown as Duplex;

/** What one request's agents learned about a connection that failed before node-fetch could say why. */
export interface ConnectionFailures {
  /** A policy refusal or connect timeout, kept because node-fetch keeps only the message of a socket error. */
  readonly last: Error | undefined;
}

/** The agents one request uses, and the failures they saw. */
export interface ConnectionScope {
  agent: (url: URL) => http.Agent;
  readonly failures: ConnectionFailures;
}

/** How connections are opened: straight to the target through the policy agents, or through an HTTP proxy. */
export type ConnectionRoute =
  { readonly kind: 'direct'; readonly policy: UrlPolicy } | { readonly kind: 'proxy'; readonly proxyUrl: URL };

/**
 * Agents for one request: each new connection gets the connect timeout, and a refusal by the URL policy
 * (raised inside the policy agents' lookup) is remembered so that the tool can report it as such.
 */
export function createConnectionScope(route: ConnectionRoute, connectTimeoutMs: number): ConnectionScope {
  const recorder = new FailureRecorder();
  const record = (error: Error): void => recorder.record(error);
  const agents =
    route.kind === 'direct'
      ? route.policy.createAgents({ connectTimeoutMs, onFailure: record })
      : {
          http: new ProxyHttpAgent(route.proxyUrl, connectTimeoutMs, recorder),
          https: new ProxyTunnelAgent(route.proxyUrl, connectTimeoutMs, recorder),
        };
  return {
    agent: (url) => (url.protocol === 'https:' ? agents.https : agents.http),
    failures: recorder,
  };
}

class FailureRecorder implements ConnectionFailures {
  last: Error | undefined;
  record(error: Error): void {
    if (isPorticoError(error)) this.last = error;
  }
}

const AGENT_OPTIONS = { keepAlive: false } as const;

/** Plain-HTTP targets through a proxy: connect to the proxy and send the request line in absolute form. */
class ProxyHttpAgent extends http.Agent {
  constructor(
    readonly proxyUrl: URL,
    readonly connectTimeoutMs: number,
    readonly recorder: FailureRecorder,
  ) {
    super(AGENT_OPTIONS);
  }

  // Node calls this (undeclared in its types) synchronously from the ClientRequest constructor, before the
  // request line is written.
  addRequest(request: http.ClientRequest, options: ClientRequestArgs): void {
    const host = request.host.includes(':') && !request.host.startsWith('[') ? `[${request.host}]` : request.host;
    const port = options.port !== undefined && Number(options.port) !== 80 ? `:${options.port}` : '';
    request.path = `http://${host}${port}${request.path}`;
    const authorization = proxyAuthorization(this.proxyUrl);
    if (authorization !== undefined) request.setHeader('Proxy-Authorization', authorization);
    (
      http.Agent.prototype as unknown as { addRequest(r: http.ClientRequest, o: ClientRequestArgs): void }
    ).addRequest.call(this, request, options);
  }

  override createConnection(_options: ClientRequestArgs, _callback?: ConnectCallback): Duplex {
    const socket = net.connect({ host: unbracket(this.proxyUrl.hostname), port: proxyPort(this.proxyUrl) });
    limitConnectTime(socket, {
      timeoutMs: this.connectTimeoutMs,
      target: `the proxy ${this.proxyUrl.host}`,
      connectedEvent: 'connect',
      onFailure: (error) => this.recorder.record(error),
    });
    return socket;
  }
}

/** HTTPS targets through a proxy: a CONNECT tunnel, then TLS to the target over it (certificates still verified). */
class ProxyTunnelAgent extends https.Agent {
  constructor(
    readonly proxyUrl: URL,
    readonly connectTimeoutMs: number,
    readonly recorder: FailureRecorder,
  ) {
    super(AGENT_OPTIONS);
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): undefined {
    const host = unbracket(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port ?? 443);
    const authority = `${net.isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const authorization = proxyAuthorization(this.proxyUrl);
    const done = once(callback ?? (() => undefined));
    const connect = http.request({
      host: unbracket(this.proxyUrl.hostname),
      port: proxyPort(this.proxyUrl),
      method: 'CONNECT',
      path: authority,
      agent: false,
      headers: { host: authority, ...(authorization !== undefined ? { 'proxy-authorization': authorization } : {}) },
    });
    const timer = setTimeout(() => {
      const error = new TimeoutError(
        `Could not open a tunnel to ${authority} through the proxy within ${formatSeconds(this.connectTimeoutMs)}; try again later.`,
      );
      this.recorder.record(error);
      connect.destroy(error);
    }, this.connectTimeoutMs);
    timer.unref();
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        clearTimeout(timer);
        socket.destroy();
        const error = new UpstreamError(
          `The proxy refused to open a tunnel to ${authority} (HTTP ${response.statusCode ?? 'error'}); check --proxy-url and its credentials.`,
        );
        this.recorder.record(error);
        done(error, NO_STREAM);
        return;
      }
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        socket,
        host,
        servername: net.isIP(host) === 0 ? host : '',
      });
      secure.once('secureConnect', () => clearTimeout(timer));
      secure.once('error', () => clearTimeout(timer));
      done(null, secure);
    });
    connect.once('error', (error) => {
      clearTimeout(timer);
      done(error, NO_STREAM);
    });
    connect.end();
    return undefined;
  }
}

function once(callback: ConnectCallback): ConnectCallback {
  let called = false;
  return (error, stream) => {
    if (called) return;
    called = true;
    callback(error, stream);
  };
}

function proxyAuthorization(proxyUrl: URL): string | undefined {
  if (proxyUrl.username === '' && proxyUrl.password === '') return undefined;
  const credentials = `${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

function proxyPort(proxyUrl: URL): number {
  return proxyUrl.port === '' ? 80 : Number(proxyUrl.port);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
