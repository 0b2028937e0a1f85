import type { Logger } from '@portico-mcp/shared/log';
import { isLoopbackHost } from '@portico-mcp/shared/serve';
import type { GithubConfig } from '../config.js';
import { toGitHubError } from './errors.js';
import type { ErrorHints } from './errors.js';

type Params = Record<string, unknown>;

/** One answer of the REST API, with the next page when the Link header names one. */
export interface ApiResponse<T> {
  status: number;
  data: T;
  /** The page number of rel="next" in the Link header, when there is a next page. */
  nextPage: number | undefined;
  headers: Record<string, string | number | undefined>;
}

/** What a call passes besides the route's parameters. */
export interface CallOptions {
  signal: AbortSignal;
  hints?: ErrorHints;
}

interface OctokitLike {
  request(
    route: string,
    params?: Params,
  ): Promise<{ status: number; headers: Record<string, string | number | undefined>; data: unknown }>;
  graphql<T>(query: string, variables?: Params): Promise<T>;
}

// When a limit stops a request, octokit's throttling plugin asks whether to wait and retry. A short wait is
// worth it (the call just takes longer); a long one is not: the caller is told when to come back instead of
// a tool call hanging for up to an hour.
const MAX_RETRY_WAIT_SECONDS = 10;

/** The page number of rel="next" in a Link header. */
export function nextPageFromLink(link: string | number | undefined): number | undefined {
  if (typeof link !== 'string') return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match?.[2]?.split(/\s+/).includes('next') !== true) continue;
    try {
      const page = Number(new URL(match[1]!).searchParams.get('page'));
      return Number.isInteger(page) && page > 0 ? page : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * A success body decoded as octokit would, except that JSON goes through JSON.parse: octokit's own parser
 * (json-with-bigint) rewrites the whole text with a regular expression and revives every value, which was
 * most of the server's time on a 30-item list, for ids that GitHub keeps within 2^53 anyway.
 */
async function successBody(
  body: ReadableStream<Uint8Array> | null | string,
  contentType: string | number | undefined,
): Promise<unknown> {
  // 204/205 and HEAD answers come back from octokit with an empty string and no stream.
  if (body === null || typeof body === 'string') return body ?? '';
  const response = new Response(body);
  const type = typeof contentType === 'string' ? contentType.toLowerCase() : '';
  const mime = type.split(';')[0]!.trim();
  if (mime === 'application/json' || mime === 'application/scim+json') {
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (
    type === '' ||
    mime.startsWith('text/') ||
    (/charset=("?)utf-8\1/.test(type) && mime !== 'application/octet-stream')
  )
    return response.text();
  return response.arrayBuffer();
}

/**
 * The REST client: octokit (with its retry and throttling plugins) created on first use, since loading it is
 * most of the startup cost, and every failure mapped to a tool error in one place (`toGitHubError`).
 */
export class GitHubApi {
  readonly apiUrl: string;
  #config: GithubConfig;
  #log: Logger;
  #octokit: Promise<OctokitLike> | undefined;
  #login: Promise<string> | undefined;

  constructor(config: GithubConfig, log: Logger) {
    this.apiUrl = config.apiUrl;
    this.#config = config;
    this.#log = log;
  }

  async #client(): Promise<OctokitLike> {
    this.#octokit ??= (async () => {
      const [{ Octokit }, { yieldWithoutTimerClamp }] = await Promise.all([
        import('octokit'),
        import('./bottleneck.js'),
      ]);
      yieldWithoutTimerClamp();
      const log = this.#log;
      const retryShortWaits =
        (kind: string) =>
        (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
          const retry = retryCount === 0 && retryAfter <= MAX_RETRY_WAIT_SECONDS;
          log.warning(`GitHub ${kind}`, { method: options.method, route: options.url, retryAfter, retry });
          return retry;
        };
      let url: URL | undefined;
      try {
        url = new URL(this.#config.apiUrl);
      } catch {
        url = undefined;
      }
      // GitHub asks clients to pace writes and searches (a second between writes, two between searches) to
      // stay clear of its secondary limits; a loopback API (a local test server) has none, so the pacing
      // would only slow it down.
      const unpaced =
        url !== undefined && isLoopbackHost(url.hostname)
          ? {
              key: () => ({
                schedule: (_options: unknown, task: (...args: unknown[]) => unknown, ...args: unknown[]) =>
                  task(...args),
              }),
            }
          : undefined;
      const octokit = new Octokit({
        ...(this.#config.token ? { auth: this.#config.token } : {}),
        baseUrl: this.#config.apiUrl,
        userAgent: 'portico-mcp-server-github',
        log: {
          debug: () => {},
          info: () => {},
          warn: (message: string) => log.debug('octokit', { message }),
          error: (message: string) => log.debug('octokit', { message }),
        },
        // A conflict or an unsupported method will not go away by asking again, and 429 is the throttling
        // plugin's to handle (with the wait GitHub names); the retry plugin's own list lacks them. Its backoff
        // (1 s, then 4 s) spares a struggling GitHub; a loopback API is retried at once.
        retry: {
          retries: 2,
          doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
          ...(unpaced ? { retryAfterBaseValue: 10 } : {}),
        },
        throttle: {
          onRateLimit: retryShortWaits('rate limit'),
          onSecondaryRateLimit: retryShortWaits('secondary rate limit'),
          ...(unpaced ? { write: unpaced, search: unpaced, notifications: unpaced } : {}),
        },
      });
      return octokit;
    })();
    return this.#octokit;
  }

  /** Sends one REST request (`GET /repos/{owner}/{repo}`) and maps any failure to a tool error. */
  async request<T>(route: string, params: Params, options: CallOptions): Promise<ApiResponse<T>> {
    if (options.signal.aborted) throw toGitHubError(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    try {
      const octokit = await this.#client();
      const response = await octokit.request(route, {
        ...params,
        request: { signal: options.signal, parseSuccessResponseBody: false },
      });
      const data = await successBody(
        response.data as ReadableStream<Uint8Array> | null | string,
        response.headers['content-type'],
      );
      return {
        status: response.status,
        data: data as T,
        nextPage: nextPageFromLink(response.headers.link),
        headers: response.headers,
      };
    } catch (error) {
      if (options.signal.aborted) throw toGitHubError(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      throw toGitHubError(error, options.hints, this.apiUrl);
    }
  }

  /** Sends one GraphQL query or mutation; GraphQL errors are tool errors with GitHub's first message. */
  async graphql<T>(query: string, variables: Params, options: CallOptions): Promise<T> {
    try {
      const octokit = await this.#client();
      return await octokit.graphql<T>(query, { ...variables, request: { signal: options.signal } });
    } catch (error) {
      if (options.signal.aborted) throw toGitHubError(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      throw toGitHubError(error, options.hints, this.apiUrl);
    }
  }

  /** The login of the token's user, asked once. */
  async login(signal: AbortSignal): Promise<string> {
    this.#login ??= this.request<{ login: string }>(
      'GET /user',
      {},
      { signal, hints: { subject: 'authenticated user (set a token)' } },
    ).then(
      (response) => response.data.login,
      (error: unknown) => {
        this.#login = undefined;
        throw error;
      },
    );
    return this.#login;
  }
}
