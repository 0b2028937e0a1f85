import type { FieldError } from './validate.js';

/** What a handler answers; `status` defaults to the operation's documented success status. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string | number>;
  /** JSON-encoded unless a string (sent as-is) or undefined (no body). */
  body?: unknown;
}

/** A request as the fake received it, after routing. */
export interface FakeRequest {
  method: string;
  /** The path after the flavour's prefix (/api/v3 for GHES), e.g. /repos/o/r/issues. */
  path: string;
  /** The path as sent, prefix included. */
  rawPath: string;
  query: Record<string, string | string[]>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON when the request had a JSON body, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** The matched operation, or undefined for an unknown one. */
  operationId: string | undefined;
  /** Decoded path parameters of the matched template. */
  params: Record<string, string>;
  /** Absolute URL of this request on the fake, for building Link headers. */
  url: URL;
}

const DOCS = 'https://docs.github.com/rest';

/** 404 in GitHub's shape: a missing repository and a private one the token cannot see look the same. */
export function notFound(message = 'Not Found', documentationUrl = DOCS): FakeReply {
  return { status: 404, body: { message, documentation_url: documentationUrl, status: '404' } };
}

/** 422 "Validation Failed" with field errors, as GitHub answers a create/update it refuses. */
export function validationFailed(errors: Partial<FieldError>[], documentationUrl = DOCS): FakeReply {
  return {
    status: 422,
    body: { message: 'Validation Failed', errors, documentation_url: documentationUrl, status: '422' },
  };
}

/** 409, e.g. a contents update whose `sha` is no longer the file's blob. */
export function conflict(message: string, documentationUrl = DOCS): FakeReply {
  return { status: 409, body: { message, documentation_url: documentationUrl, status: '409' } };
}

/** The primary rate limit spent: 403 (or 429) with no quota left and the reset time in epoch seconds. */
export function rateLimited(
  options: { status?: 403 | 429; resetAt?: number; resource?: string; limit?: number } = {},
): FakeReply {
  const reset = options.resetAt ?? Math.floor(Date.now() / 1000) + 3600;
  const limit = options.limit ?? 5000;
  return {
    status: options.status ?? 403,
    headers: {
      'x-ratelimit-limit': limit,
      'x-ratelimit-remaining': 0,
      'x-ratelimit-used': limit,
      'x-ratelimit-reset': reset,
      'x-ratelimit-resource': options.resource ?? 'core',
    },
    body: {
      message:
        'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: String(options.status ?? 403),
    },
  };
}

/** A secondary (abuse) rate limit: quota left, but GitHub asks to wait `retryAfter` seconds. */
export function secondaryRateLimit(options: { status?: 403 | 429; retryAfter?: number } = {}): FakeReply {
  return {
    status: options.status ?? 403,
    headers: { 'retry-after': options.retryAfter ?? 1, 'x-ratelimit-remaining': 4000 },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
      documentation_url:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: String(options.status ?? 403),
    },
  };
}

/**
 * A handler that serves `items` page by page from the request's `page`/`per_page`, with GitHub's `Link`
 * header (first/prev/next/last) pointing back at the fake. `wrap` shapes a page's body, e.g. search results
 * `{ total_count, incomplete_results, items }`.
 */
export function paginate<T>(
  items: readonly T[],
  options: { perPage?: number; wrap?: (page: T[], total: number) => unknown } = {},
): (request: FakeRequest) => FakeReply {
  return (request) => {
    const perPage = Math.min(100, Number(first(request.query.per_page) ?? options.perPage ?? 30));
    const page = Math.max(1, Number(first(request.query.page) ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (target: number, rel: string) => {
      const url = new URL(request.url);
      url.searchParams.set('page', String(target));
      if (request.query.per_page !== undefined) url.searchParams.set('per_page', String(perPage));
      return `<${url.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {};
    return {
      headers,
      body: options.wrap ? options.wrap(slice, items.length) : slice,
    };
  };
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
