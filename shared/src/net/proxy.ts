import http from 'node:http';
import net from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError, PolicyError, TimeoutError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { formatSeconds, limitConnectTime } from './connect-time.js';
import type { UrlPolicy } from './policy.js';

/** Limits of a policy proxy; every one has a default. */
export interface PolicyProxyLimits {
  /** Client connections open at once (tunnels included); more are closed on arrival. Default 256. */
  readonly maxConnections?: number;
  /** Time to establish the upstream TCP connection. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Time a client has to send a request's headers. Default 15 s. */
  readonly headersTimeoutMs?: number;
  /** A client connection, upstream response or tunnel with no traffic for this long is closed. Default 120 s. */
  readonly idleTimeoutMs?: number;
  /** Largest request head accepted, in bytes. Default 32 KiB. */
  readonly maxHeaderBytes?: number;
}

/** A request the proxy refused, as told to `onRefusal`. */
export interface ProxyRefusal {
  /** What the client asked for: a URL, or `host:port` for a CONNECT tunnel. */
  readonly target: string;
  /** The policy's one-sentence refusal. */
  readonly reason: string;
}

/** Options of `startPolicyProxy`. */
export interface PolicyProxyOptions {
  readonly policy: UrlPolicy;
  /** Receives one record per refusal and per failed upstream connection. */
  readonly log?: Logger;
  /** Told of every refusal, so the caller can report it (a browser tool's reply, say). */
  readonly onRefusal?: (refusal: ProxyRefusal) => void;
  readonly limits?: PolicyProxyLimits;
}

/** A running policy proxy. */
export interface PolicyProxy {
  /** `http://127.0.0.1:<port>`, the value for Chromium's `--proxy-server`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, destroys every open connection and tunnel, and resolves once the server is closed; idempotent. */
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const DEFAULTS = {
  maxConnections: 256,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 120_000,
  maxHeaderBytes: 32 * 1024,
} satisfies Required<PolicyProxyLimits>;

const LOG_WINDOW_MS = 10_000;
const LOG_PER_WINDOW = 20;

// A CONNECT authority: a bracketed IPv6 literal or a host without colons, then a decimal port.
const AUTHORITY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#[\]@]+):(\d{1,5})$/;

/** Where a request goes: every address the policy checked for its host (tried in order), and its port. */
type Target = { readonly addresses: readonly LookupAddress[]; readonly port: number; readonly shown: string };

// A host with many addresses is tried on its first few only, so one request cannot hold a connection slot
// for a whole list of connect timeouts.
const MAX_ADDRESSES_TRIED = 4;

/**
 * Starts a forward HTTP proxy on 127.0.0.1 that lets through only what `policy` allows: absolute-form requests
 * (WebSocket upgrades included) and CONNECT tunnels are refused with a 403 that names the reason, and allowed
 * ones are connected to exactly the address the policy checked, so a rebinding name cannot switch it.
 */
export async function startPolicyProxy(options: PolicyProxyOptions): Promise<PolicyProxy> {
  const limits = { ...DEFAULTS, ...options.limits };
  const sockets = new Set<Duplex>();
  // Known once the proxy listens (below); the connect check reads it to refuse requests aimed at the proxy itself.
  // eslint-disable-next-line prefer-const -- assigned after the closures that read it are created
  let self: { address: string; port: number } | undefined;

  // A page can make thousands of refused requests a second; the log gets the first few of each window and
  // a count of the rest, while onRefusal still hears of every one.
  let logged = 0;
  let suppressed = 0;
  let windowStart = Date.now();
  const refuse = (target: string, error: Error): void => {
    options.onRefusal?.({ target, reason: error.message });
    const now = Date.now();
    if (now - windowStart >= LOG_WINDOW_MS) {
      if (suppressed > 0) options.log?.notice('More proxied requests were refused than logged', { suppressed });
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged >= LOG_PER_WINDOW) {
      suppressed += 1;
      return;
    }
    logged += 1;
    options.log?.notice('Refused a proxied request', { target, reason: error.message });
  };

  // Resolves a URL's host through the policy and returns the checked address to connect to. Refusals are
  // reworded to name what the client asked for (`shown`), whichever of the policy's checks made them.
  const resolveTarget = async (url: URL, shown: string): Promise<Target> => {
    const host = bare(url.hostname);
    const port = Number(url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80));
    // A WebSocket URL is judged as the HTTP request its handshake is.
    const checked = new URL(url.href.replace(/^ws/, 'http'));
    const addresses = await renamed(
      shown,
      [`Refused ${checked.href}: `, `Refused a connection to ${host}: `],
      async () => {
        options.policy.checkUrl(checked);
        return net.isIP(host) !== 0
          ? [{ address: host, family: net.isIP(host) }]
          : await lookupAll(options.policy, host);
      },
    );
    if (addresses.length === 0) throw new InvalidArgumentError(`Could not resolve ${host}; check the host name.`);
    // The proxy itself is on loopback: a page allowed to reach 127.0.0.1 must still not chain through it.
    if (self !== undefined && port === self.port && addresses.some((entry) => isSelf(entry.address, self!.address))) {
      throw new PolicyError(`Refused ${shown}: it is this proxy itself.`);
    }
    return { addresses, port, shown };
  };

  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    // Strict parsing: no lenient header or framing rules a smuggled request could hide behind.
    insecureHTTPParser: false,
    requireHostHeader: true,
  });
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.idleTimeoutMs;

  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (socket.writable) socket.end(statusLine(status, 'The proxy could not parse this request.'));
    else socket.destroy();
  });

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void forwardRequest(request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 502, 'The proxy failed to forward this request.');
      else response.destroy(error instanceof Error ? error : undefined);
    });
  });

  // Once node hands over an upgraded or CONNECT socket, its errors are ours to handle: a client that resets
  // mid-lookup must not take the process down.
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    sockets.add(socket);
    void forwardUpgrade(request, socket, head).catch(() => socket.destroy());
  });

  server.on('connect', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    sockets.add(socket);
    void openTunnel(request, socket, head).catch(() => socket.destroy());
  });

  async function forwardRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = parseProxyRequest(request, ['http:']);
    if ('status' in parsed) return reply(response, parsed.status, parsed.message);
    const { url } = parsed;
    let target: Target;
    try {
      target = await resolveTarget(url, shownUrl(url));
    } catch (error) {
      const failure = asFailure(error, url.host);
      if (failure.status === 403) refuse(shownUrl(url), failure.error);
      return reply(response, failure.status, failure.error.message, failure.proxyStatus);
    }
    let socket: net.Socket;
    try {
      socket = await dial(target);
    } catch (error) {
      const failure = asFailure(error, url.host);
      return reply(response, failure.status, failure.error.message, failure.proxyStatus);
    }
    // The request rides the socket dialled to a checked address; no agent, so nothing is pooled or resolved again.
    const upstream = http.request({
      createConnection: () => socket,
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: forwardedHeaders(request.headers, url),
      setHost: false,
    });
    upstream.setTimeout(limits.idleTimeoutMs, () =>
      upstream.destroy(new TimeoutError(`${url.host} sent nothing for ${formatSeconds(limits.idleTimeoutMs)}.`)),
    );
    upstream.on('response', (answer) => {
      answer.once('error', () => response.destroy());
      try {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.headers));
      } catch {
        // A status line or header node will not write back out; the client gets a 502 instead of a crash.
        answer.destroy();
        return reply(
          response,
          502,
          `${url.host} sent a response the proxy cannot forward.`,
          'http_response_incomplete',
        );
      }
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      options.log?.info('A proxied request failed', { target: target.shown, reason: error.message });
      if (response.headersSent) return response.destroy();
      const failure = asFailure(error, url.host);
      reply(response, failure.status, failure.error.message, failure.proxyStatus);
    });
    // A client that goes away takes its upstream request with it.
    response.once('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.once('error', () => upstream.destroy());
    request.pipe(upstream);
  }

  async function forwardUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const parsed = parseProxyRequest(request, ['http:', 'ws:']);
    if ('status' in parsed) return void socket.end(statusLine(parsed.status, parsed.message));
    const { url } = parsed;
    let target: Target;
    try {
      target = await resolveTarget(url, shownUrl(url));
    } catch (error) {
      const failure = asFailure(error, url.host);
      if (failure.status === 403) refuse(shownUrl(url), failure.error);
      return void socket.end(statusLine(failure.status, failure.error.message, failure.proxyStatus));
    }
    const upstream = await connectTo(target, socket);
    if (upstream === undefined) return;
    // The upgrade is forwarded as it came, in origin form, with the Host of the URL that was checked.
    const headers = forwardedHeaders(request.headers, url, ['connection', 'upgrade']);
    const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`];
    for (const [name, value] of Object.entries(headers)) {
      for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    splice(socket, upstream, head);
  }

  async function openTunnel(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const authority = request.url ?? '';
    const match = AUTHORITY.exec(authority);
    const port = Number(match?.[2] ?? 0);
    if (match === null || port < 1 || port > 65535 || hasDuplicateHost(request)) {
      return void socket.end(statusLine(400, 'CONNECT needs one host:port target.'));
    }
    // The authority is judged as the URL parser reads it, so numeric spellings (2130706433, 0x7f.1) are the
    // dotted quad they stand for, and that same normalised host is the one connected to.
    let url: URL;
    try {
      url = new URL(`https://${authority}/`);
    } catch {
      return void socket.end(statusLine(400, 'CONNECT needs one host:port target.'));
    }
    const shown = `${url.hostname}:${port}`;
    let target: Target;
    try {
      target = await resolveTarget(url, `a tunnel to ${shown}`);
    } catch (error) {
      const failure = asFailure(error, shown);
      if (failure.status === 403) refuse(shown, failure.error);
      return void socket.end(statusLine(failure.status, failure.error.message, failure.proxyStatus));
    }
    const upstream = await connectTo({ ...target, port }, socket);
    if (upstream === undefined) return;
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    splice(socket, upstream, head);
  }

  // Opens a TCP connection to the first of the checked addresses that answers (an IPv6 answer on a host
  // without an IPv6 route must not fail a name that also has IPv4); rejects with the last failure.
  async function dial(target: Target): Promise<net.Socket> {
    let failure: Error = new Error(`Could not reach ${target.shown}.`);
    for (const { address, family } of target.addresses.slice(0, MAX_ADDRESSES_TRIED)) {
      try {
        return await dialOne(address, family, target);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        options.log?.info('A proxied connection failed', { target: target.shown, address, reason: failure.message });
      }
    }
    throw failure;
  }

  function dialOne(address: string, family: number, target: Target): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const upstream = net.connect({ host: address, port: target.port, family });
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      limitConnectTime(upstream, {
        timeoutMs: limits.connectTimeoutMs,
        target: target.shown,
        connectedEvent: 'connect',
      });
      upstream.once('error', reject);
      upstream.once('connect', () => {
        upstream.off('error', reject);
        resolve(upstream);
      });
    });
  }

  // Dials the target for a tunnel or upgrade; on failure answers the client and returns undefined.
  async function connectTo(target: Target, client: Duplex): Promise<net.Socket | undefined> {
    try {
      const upstream = await dial(target);
      if (client.destroyed) {
        upstream.destroy();
        return undefined;
      }
      client.once('close', () => upstream.destroy());
      return upstream;
    } catch (error) {
      const failure = asFailure(error, target.shown);
      if (client.writable) client.end(statusLine(failure.status, failure.error.message, failure.proxyStatus));
      return undefined;
    }
  }

  // Pipes a client and an upstream socket both ways; either side closing, failing or idling closes both.
  function splice(client: Duplex, upstream: net.Socket, head: Buffer): void {
    if (head.length > 0) upstream.write(head);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const side of [client, upstream]) {
      side.once('error', closeBoth);
      side.once('close', closeBoth);
    }
    upstream.setTimeout(limits.idleTimeoutMs, closeBoth);
    if (client instanceof net.Socket) client.setTimeout(limits.idleTimeoutMs, closeBoth);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the proxy is for the browser this process launched, never for the network.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as net.AddressInfo;
  self = { address, port };
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      })),
  };
}

type ParsedRequest = { readonly url: URL } | { readonly status: number; readonly message: string };

// A proxy request must be in absolute form with one Host header; anything else is refused before any lookup.
function parseProxyRequest(request: IncomingMessage, schemes: readonly string[]): ParsedRequest {
  const target = request.url ?? '';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    return { status: 400, message: 'This is a forward proxy: send the request with an absolute URL.' };
  }
  if (hasDuplicateHost(request)) return { status: 400, message: 'A request must carry exactly one Host header.' };
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { status: 400, message: 'The request URL is not a valid absolute URL.' };
  }
  if (!schemes.includes(url.protocol)) {
    return { status: 400, message: `The proxy forwards only ${schemes.join(' and ')} URLs; use CONNECT for https.` };
  }
  if (url.username !== '' || url.password !== '') {
    return { status: 400, message: 'The proxy does not forward URLs that carry credentials.' };
  }
  return { url };
}

function hasDuplicateHost(request: IncomingMessage): boolean {
  let hosts = 0;
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    if (request.rawHeaders[index]?.toLowerCase() === 'host') hosts += 1;
  }
  return hosts > 1;
}

// The request's end-to-end headers, with Host set to the URL that was checked (RFC 9112 §3.2.2: the
// absolute-form target wins over any Host the client sent).
function forwardedHeaders(
  headers: IncomingHttpHeaders,
  url: URL,
  keep: readonly string[] = [],
): http.OutgoingHttpHeaders {
  const out = withoutHopByHop(headers, keep);
  out.host = url.host;
  return out;
}

function withoutHopByHop(headers: IncomingHttpHeaders, keep: readonly string[] = []): http.OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '' && !keep.includes(name)),
  );
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if ((HOP_BY_HOP.has(name) || named.has(name)) && !keep.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

// Runs a policy check and rewrites a refusal's "Refused <what>: " opening to name `shown` instead.
async function renamed<T>(shown: string, openings: readonly string[], check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const opening = openings.find((prefix) => error.message.startsWith(prefix));
    if (opening === undefined) throw error;
    throw new PolicyError(`Refused ${shown}: ${error.message.slice(opening.length)}`, { cause: error });
  }
}

function lookupAll(policy: UrlPolicy, host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    policy.lookup(host, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses as LookupAddress[]),
    );
  });
}

type Failure = { readonly status: number; readonly error: Error; readonly proxyStatus: string };

// RFC 9209 Proxy-Status error types, so a client can tell a policy refusal from an unreachable host.
function asFailure(error: unknown, host: string): Failure {
  if (error instanceof PolicyError) return { status: 403, error, proxyStatus: 'destination_ip_prohibited' };
  if (error instanceof TimeoutError) return { status: 504, error, proxyStatus: 'connection_timeout' };
  if (error instanceof InvalidArgumentError) return { status: 400, error, proxyStatus: 'http_request_error' };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return {
      status: 502,
      error: new Error(`Could not resolve ${host}; check the host name.`),
      proxyStatus: 'dns_error',
    };
  }
  if (code === 'ECONNREFUSED') {
    return { status: 502, error: new Error(`${host} refused the connection.`), proxyStatus: 'connection_refused' };
  }
  return { status: 502, error: new Error(`Could not reach ${host}.`), proxyStatus: 'destination_unavailable' };
}

function reply(response: ServerResponse, status: number, message: string, proxyStatus?: string): void {
  const body = `${message}\n`;
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(proxyStatus === undefined ? {} : { 'proxy-status': `portico; error=${proxyStatus}` }),
    connection: 'close',
  });
  response.end(body);
}

function statusLine(status: number, message: string, proxyStatus?: string): string {
  const body = `${message}\n`;
  const extra = proxyStatus === undefined ? '' : `Proxy-Status: portico; error=${proxyStatus}\r\n`;
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`
  );
}

function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

// The unspecified address connects to the local host too, so it counts as the proxy's own address.
function isSelf(address: string, own: string): boolean {
  const strip = (ip: string): string => ip.replace(/^::ffff:/i, '');
  return strip(address) === strip(own) || address === '0.0.0.0' || address === '::';
}

function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
