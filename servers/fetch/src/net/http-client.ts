import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import {
  CancelledError,
  isPorticoError,
  PolicyError,
  TimeoutError,
  TooLargeError,
  UpstreamError,
} from '@portico-mcp/shared/errors';
import type { PorticoError } from '@portico-mcp/shared/errors';
import type { UrlPolicy } from '@portico-mcp/shared/net';
import { displayUrl, formatSeconds } from '@portico-mcp/shared/net';
import { createConnectionScope } from './connections.js';
import type { ConnectionRoute, ConnectionScope } from './connections.js';

/** Limits of one request (all its redirect hops together). */
export interface RequestLimits {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Keep the first `maxBytes` and stop, instead of failing (robots.txt: only the first 500 KiB count). */
  truncateAtMaxBytes?: boolean;
}

/** What one GET asks for besides the URL. */
export interface RequestOptions {
  userAgent: string;
  accept: string;
  limits: RequestLimits;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  /**
   * Vets each redirect target (after the URL policy accepted it) before it is requested; throwing stops the
   * request. The tool checks robots.txt here, since RFC 9309 rules apply to every URL fetched, per origin.
   */
  beforeRedirect?: (next: URL, from: URL) => Promise<void>;
}

/** A response whose body was read in full (or up to the byte cap). */
export interface FetchedResponse {
  /** The URL the body came from, after redirects. */
  url: URL;
  /** The URLs requested before `url`, in order (the request URL first); empty without redirects. */
  via: URL[];
  status: number;
  /** The standard reason phrase of `status` (never the server's own text, which is free-form). */
  statusText: string;
  /** Lower-cased header names. */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
  /** Whether the body was cut at `maxBytes` (only with `truncateAtMaxBytes`). */
  truncated: boolean;
  redirects: number;
}

/** More redirects than the limit allows. */
export class RedirectLimitError extends UpstreamError {}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PROGRESS_EVERY_BYTES = 512 * 1024;

type NodeFetch = typeof import('node-fetch').default;
let nodeFetchModule: Promise<NodeFetch> | undefined;
// Loaded on first use: node-fetch and its helpers are not needed to answer initialize or tools/list.
function loadNodeFetch(): Promise<NodeFetch> {
  nodeFetchModule ??= import('node-fetch').then((module) => module.default);
  return nodeFetchModule;
}

/**
 * GETs URLs under the URL policy: every hop's URL is checked by name with `checkUrl`, every connection by
 * resolved address in the policy agents, redirects are followed here one by one, and bodies are streamed
 * under a byte cap and a whole-request deadline.
 */
export class HttpClient {
  readonly #policy: UrlPolicy;
  readonly #route: ConnectionRoute;

  constructor(policy: UrlPolicy, proxyUrl?: URL) {
    this.#policy = policy;
    this.#route = proxyUrl === undefined ? { kind: 'direct', policy } : { kind: 'proxy', proxyUrl };
  }

  /** Whether requests go through an HTTP proxy (which then resolves target names itself). */
  get proxied(): boolean {
    return this.#route.kind === 'proxy';
  }

  /** GETs `url`, following redirects; HTTP error statuses are returned, network and policy failures thrown. */
  async get(url: string | URL, options: RequestOptions): Promise<FetchedResponse> {
    const fetch = await loadNodeFetch();
    const { limits } = options;
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort();
    }, limits.timeoutMs);
    const onCancel = (): void => deadline.abort();
    options.signal?.addEventListener('abort', onCancel, { once: true });
    if (options.signal?.aborted) deadline.abort();
    const scope = createConnectionScope(this.#route, limits.connectTimeoutMs);
    let current = this.#policy.checkUrl(url);
    const via: URL[] = [];
    try {
      for (let redirects = 0; ; redirects++) {
        await this.#vetProxiedTarget(current);
        const response = await fetch(current.href, {
          redirect: 'manual',
          agent: scope.agent,
          signal: deadline.signal,
          headers: { 'user-agent': options.userAgent, accept: options.accept },
        }).catch((error: unknown) => {
          throw explainFailure(error, current, scope, {
            timedOut,
            limits,
            cancelled: options.signal?.aborted === true,
          });
        });
        const location = response.headers.get('location');
        if (REDIRECT_STATUSES.has(response.status) && location !== null) {
          (response.body as Readable | null)?.destroy();
          if (redirects >= limits.maxRedirects) {
            throw new RedirectLimitError(
              `${displayUrl(url)} redirected more than ${limits.maxRedirects} times; the site may be misconfigured.`,
            );
          }
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            throw new UpstreamError(
              `${displayUrl(current)} redirected to an invalid location; the site may be misconfigured.`,
            );
          }
          const checked = this.#checkRedirect(next, current);
          await options.beforeRedirect?.(checked, current);
          via.push(current);
          current = checked;
          continue;
        }
        const headers = new Map<string, string>();
        response.headers.forEach((value, name) => headers.set(name.toLowerCase(), value));
        const body = await readBody(
          response.body as Readable | null,
          headers,
          current,
          limits,
          options.onProgress,
        ).catch((error: unknown) => {
          throw explainFailure(error, current, scope, {
            timedOut,
            limits,
            cancelled: options.signal?.aborted === true,
          });
        });
        return {
          url: current,
          via,
          status: response.status,
          statusText: STATUS_CODES[response.status] ?? '',
          headers,
          ...body,
          redirects,
        };
      }
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCancel);
    }
  }

  #checkRedirect(next: URL, from: URL): URL {
    try {
      return this.#policy.checkUrl(next);
    } catch (error) {
      if (error instanceof PolicyError) {
        throw new PolicyError(`${displayUrl(from)} redirected to a refused location. ${error.message}`);
      }
      throw error;
    }
  }

  // Through a proxy the target's name is resolved by the proxy, so the connect-time address check cannot
  // run; when the name also resolves here, its addresses are still checked (best effort, documented).
  async #vetProxiedTarget(url: URL): Promise<void> {
    if (this.#route.kind !== 'proxy') return;
    const hostname = url.hostname;
    await new Promise<void>((resolve, reject) => {
      this.#policy.lookup(hostname, { all: true }, (error) => {
        if (error && isPorticoError(error)) reject(error);
        else resolve();
      });
    });
  }
}

async function readBody(
  stream: Readable | null,
  headers: ReadonlyMap<string, string>,
  url: URL,
  limits: RequestLimits,
  onProgress: RequestOptions['onProgress'],
): Promise<{ body: Buffer; truncated: boolean }> {
  if (stream === null) return { body: Buffer.alloc(0), truncated: false };
  const declared = Number(headers.get('content-length') ?? Number.NaN);
  const total = Number.isFinite(declared) && declared >= 0 ? declared : undefined;
  if (total !== undefined && total > limits.maxBytes && limits.truncateAtMaxBytes !== true) {
    stream.destroy();
    throw tooLarge(url, limits.maxBytes, total);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let nextProgress = PROGRESS_EVERY_BYTES;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (received + chunk.length > limits.maxBytes) {
      stream.destroy();
      if (limits.truncateAtMaxBytes !== true) throw tooLarge(url, limits.maxBytes, total);
      chunks.push(chunk.subarray(0, limits.maxBytes - received));
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    received += chunk.length;
    if (onProgress !== undefined && received >= nextProgress) {
      nextProgress = received + PROGRESS_EVERY_BYTES;
      onProgress(received, total);
    }
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function tooLarge(url: URL, maxBytes: number, declared: number | undefined): TooLargeError {
  const size = declared === undefined ? 'larger than' : `${declared.toLocaleString('en-US')} bytes, over`;
  return new TooLargeError(
    `The response from ${displayUrl(url)} is ${size} the ${maxBytes.toLocaleString('en-US')}-byte download limit; the operator can raise --max-download-bytes.`,
  );
}

interface FailureContext {
  timedOut: boolean;
  cancelled: boolean;
  limits: RequestLimits;
}

/** Turns whatever a request threw into one actionable typed error. */
function explainFailure(error: unknown, url: URL, scope: ConnectionScope, context: FailureContext): PorticoError {
  if (isPorticoError(error)) return error;
  // node-fetch keeps only the message of a socket error; the scope kept the error itself.
  const recorded = scope.failures.last;
  if (recorded !== undefined && isPorticoError(recorded)) return recorded;
  if (context.cancelled) return new CancelledError();
  if (context.timedOut) {
    return new TimeoutError(
      `${displayUrl(url)} did not answer in full within ${formatSeconds(context.limits.timeoutMs)}; try again, or pass a larger timeout_seconds if the operator's --timeout allows.`,
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  const host = url.host;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UpstreamError(`Could not resolve the host name ${url.hostname}; check the URL.`);
    case 'ECONNREFUSED':
      return new UpstreamError(`${host} refused the connection; check the URL or try again later.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new UpstreamError(`The connection to ${host} was closed unexpectedly; try again later.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UpstreamError(`${host} is unreachable from this server; check the URL.`);
    case 'Z_DATA_ERROR':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new UpstreamError(`The response from ${host} was cut off or corrupt; try again later.`);
    case 'ETIMEDOUT':
      return new UpstreamError(`The connection to ${host} timed out; try again later.`);
    case 'HPE_HEADER_OVERFLOW':
      return new UpstreamError(`${host} sent response headers over the size limit; the page cannot be fetched.`);
    default:
      // Only a code of Node's own fixed vocabulary is named; library messages can quote response bytes,
      // resolved addresses or the proxy's URL, so they never reach the reply.
      if (typeof code === 'string' && /^[A-Z0-9_]{1,60}$/.test(code) && /CERT|SSL|TLS/.test(code)) {
        return new UpstreamError(
          `The TLS certificate of ${host} could not be verified (${code}); the page cannot be fetched securely.`,
        );
      }
      if (typeof code === 'string' && code.startsWith('HPE_')) {
        return new UpstreamError(`${host} sent a malformed HTTP response; the page cannot be fetched.`);
      }
      return new UpstreamError(
        `Could not fetch ${displayUrl(url)}: the connection failed; check the URL or try again later.`,
      );
  }
}
