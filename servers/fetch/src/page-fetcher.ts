import { UpstreamError } from '@portico-mcp/shared/errors';
import type { Logger } from '@portico-mcp/shared/log';
import { UrlPolicy, displayUrl } from '@portico-mcp/shared/net';
import type { FetchConfig } from './config.js';
import { ConversionPool } from './convert/pool.js';
import { DocumentCache } from './document-cache.js';
import type { CachedDocument } from './document-cache.js';
import { HttpClient } from './net/http-client.js';
import type { RequestLimits } from './net/http-client.js';
import { RobotsGuard } from './robots.js';
import type { RobotsCheck } from './robots.js';
import { throwIfCancelled } from './cancel.js';

/** Who asked: the model through the tool (robots.txt applies) or the user through the prompt (it does not). */
export type FetchMode = 'autonomous' | 'manual';

/** One request for a document. */
export interface DocumentRequest {
  url: string;
  raw: boolean;
  mode: FetchMode;
  /** Per-call limits, already capped by the operator's. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  progress?: (done: number, total: number | undefined, message: string) => void;
}

/** A document and whether it came from the cache. */
export interface DocumentResult {
  document: CachedDocument;
  requestedUrl: URL;
  fromCache: boolean;
}

// Two conversions at once: a hostile page converting does not hold up the next call, and memory stays at
// most two threads' limits.
const CONVERSION_THREADS = 2;

const ACCEPT =
  'text/html,application/xhtml+xml,application/json;q=0.9,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.5';

/** Fetches pages under the URL policy and robots.txt, converts them, and caches the result for continuation. */
export class PageFetcher {
  readonly #config: FetchConfig;
  readonly #policy: UrlPolicy;
  readonly #client: HttpClient;
  readonly #robots: RobotsGuard;
  readonly #cache: DocumentCache;
  readonly #conversions: ConversionPool;
  readonly #log: Logger;

  /** `workerFile` is the conversion thread's script, for tests that run the sources (default: beside the bundle). */
  constructor(config: FetchConfig, log: Logger, options: { workerFile?: URL } = {}) {
    this.#config = config;
    this.#log = log;
    this.#policy = new UrlPolicy({ allowHosts: config.allowHosts, denyHosts: config.denyHosts });
    this.#client = new HttpClient(this.#policy, config.proxyUrl);
    this.#robots = new RobotsGuard(this.#client, config.cacheTtlMs);
    this.#cache = new DocumentCache({ ttlMs: config.cacheTtlMs, maxBytes: config.cacheMaxBytes });
    this.#conversions = new ConversionPool({
      // Beside the bundled server (dist/server.cjs), built by scripts/bundle.mjs --worker.
      workerFile: options.workerFile ?? new URL('./conversion-worker.cjs', import.meta.url),
      maxWorkers: CONVERSION_THREADS,
      memoryMb: config.maxConversionMemoryMb,
      log,
    });
  }

  /**
   * The document at `url`, from the cache when this request was converted within the TTL. One deadline
   * (the call's timeout) covers the robots.txt checks, the download and the conversion.
   */
  async getDocument(request: DocumentRequest): Promise<DocumentResult> {
    const url = this.#policy.checkUrl(request.url);
    const timeoutMs = Math.min(request.timeoutMs ?? this.#config.timeoutMs, this.#config.timeoutMs);
    const deadline = performance.now() + timeoutMs;
    const limits = (): RequestLimits => ({
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
      connectTimeoutMs: Math.min(
        request.connectTimeoutMs ?? this.#config.connectTimeoutMs,
        this.#config.connectTimeoutMs,
      ),
      maxBytes: this.#config.maxDownloadBytes,
      maxRedirects: this.#config.maxRedirects,
    });
    const userAgent = request.mode === 'autonomous' ? this.#config.autonomousUserAgent : this.#config.manualUserAgent;
    const robots = request.mode === 'autonomous' && !this.#config.ignoreRobotsTxt;
    const check = (): RobotsCheck => ({
      userAgent,
      limits: limits(),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    // robots.txt is consulted on every tool call (its verdict is cached per origin), so a document that the
    // prompt put in the cache is not handed to the model past a Disallow rule: every URL the document was
    // reached through is checked again, redirect targets included.
    if (robots) await this.#robots.assertAllowed(url, check());
    const key = DocumentCache.key(url, request.raw);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      if (robots) await this.#assertHopsAllowed(cached, check);
      return { document: cached, requestedUrl: url, fromCache: true };
    }

    const response = await this.#client.get(url, {
      userAgent,
      accept: ACCEPT,
      limits: limits(),
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (received, total) => request.progress?.(received, total, 'downloading'),
      // RFC 9309 applies to each URL fetched: a redirect to a disallowed path (or to another origin's) is
      // refused before it is requested.
      ...(robots
        ? { beforeRedirect: (next: URL, from: URL) => this.#robots.assertRedirectAllowed(next, from, check()) }
        : {}),
    });
    if (response.status >= 400) throw httpStatusError(response.url, response.status, response.statusText);
    const started = performance.now();
    const converted = await this.#conversions.convert(response, {
      raw: request.raw,
      maxDecodedBytes: this.#config.maxDecompressedBytes,
      deadline,
      timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (message) => request.progress?.(response.body.length, response.body.length, message),
    });
    throwIfCancelled(request.signal);
    this.#log.debug('converted', {
      url: displayUrl(response.url),
      kind: converted.kind,
      bytes: response.body.length,
      chars: converted.text.length,
      ms: Math.round(performance.now() - started),
    });
    const document: CachedDocument = {
      ...converted,
      finalUrl: response.url.href,
      via: response.via.map((hop) => hop.href),
      status: response.status,
      fetchedAt: Date.now(),
    };
    this.#cache.set(key, document);
    return { document, requestedUrl: url, fromCache: false };
  }

  async #assertHopsAllowed(document: CachedDocument, check: () => RobotsCheck): Promise<void> {
    const hops = [...document.via, document.finalUrl];
    for (let index = 1; index < hops.length; index++) {
      await this.#robots.assertRedirectAllowed(new URL(hops[index]!), new URL(hops[index - 1]!), check());
    }
  }
}

function httpStatusError(url: URL, status: number, statusText: string): UpstreamError {
  const advice =
    status === 404 || status === 410
      ? 'check the URL'
      : status === 401 || status === 403
        ? 'the page needs access this server does not have'
        : status === 429
          ? 'the site is rate limiting requests; wait before trying again'
          : status >= 500
            ? 'the site has a problem; try again later'
            : 'check the URL and the request';
  return new UpstreamError(
    `Fetching ${displayUrl(url)} failed with HTTP ${status}${statusText ? ` ${statusText}` : ''}; ${advice}.`,
  );
}
