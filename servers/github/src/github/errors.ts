import {
  CancelledError,
  InvalidArgumentError,
  NotFoundError,
  PorticoError,
  RefusedError,
  UpstreamError,
} from '@portico-mcp/shared/errors';
import { oneLine } from './text.js';

/** What a call site knows about its request that the status alone does not say. */
export interface ErrorHints {
  /** The sentence for 409 Conflict (a stale sha, a moved branch). */
  conflict?: string;
  /** The sentence for a 422 whose GitHub message matches `pattern`. */
  unprocessable?: { pattern: RegExp; sentence: string };
  /** What was asked for, for the 404 sentence: "repository octo/app", "issue #12 in octo/app". */
  subject?: string;
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return (
    error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number'
  );
}

function githubMessage(data: unknown): string {
  if (data !== null && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string')
    return oneLine((data as { message: string }).message, 200);
  return '';
}

function fieldErrors(data: unknown): string[] {
  const errors = data !== null && typeof data === 'object' ? (data as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.slice(0, 5).map((entry: unknown) => {
    if (typeof entry === 'string') return oneLine(entry, 160);
    const item = (entry ?? {}) as { resource?: string; field?: string; code?: string; message?: string };
    if (item.message) return oneLine(item.field ? `${item.field}: ${item.message}` : item.message, 160);
    return oneLine([item.resource, item.field, item.code].filter(Boolean).join(' '), 160);
  });
}

function resetTime(headers: Record<string, string | number | undefined>): string {
  const reset = Number(headers['x-ratelimit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return 'the reset time GitHub gives';
  return `${new Date(reset * 1000).toISOString().replace('.000Z', 'Z')}`;
}

/**
 * The one place where a GitHub API failure becomes an expected failure with one actionable sentence. Rate
 * limits are told apart from permission errors by the quota headers (a 403 with no quota left is a rate
 * limit, not "forbidden"); GitHub's own messages are cleaned and shortened; the token never appears, since
 * nothing here reads the request.
 */
export function toGitHubError(error: unknown, hints: ErrorHints = {}, apiUrl = 'the GitHub API'): PorticoError {
  if (error instanceof PorticoError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new CancelledError();
  if (error instanceof Error && error.name === 'GraphqlResponseError') {
    const errors = (error as { errors?: Array<{ type?: string; message?: string }> }).errors ?? [];
    const first = errors[0];
    if (first?.type === 'NOT_FOUND')
      return new NotFoundError(
        `GitHub found no ${hints.subject ?? 'such item'}: it may be private (invisible to this token) or missing; check the owner, repository and number.`,
      );
    return new UpstreamError(
      `GitHub's GraphQL API refused the request${first?.message ? ` (${oneLine(first.message, 200)})` : ''}; check the arguments and the token's permissions.`,
    );
  }
  if (!isRequestError(error) || error.response === undefined)
    return new UpstreamError(
      `The GitHub API at ${apiUrl} could not be reached; check GITHUB_API_URL and the network, then try again.`,
    );
  const headers = error.response?.headers ?? {};
  const data = error.response?.data;
  const message = githubMessage(data) || oneLine(error.message, 200);
  const status = error.status;
  if ((status === 403 || status === 429) && /secondary rate|abuse/i.test(message)) {
    const after = Number(headers['retry-after']);
    const wait = Number.isFinite(after) && after > 0 ? `retry after ${after} seconds` : 'wait a minute before retrying';
    return new UpstreamError(
      `GitHub's secondary rate limit stopped this request (too many requests too quickly); ${wait}, and make fewer calls at once.`,
    );
  }
  if ((status === 403 || status === 429) && (String(headers['x-ratelimit-remaining']) === '0' || status === 429)) {
    return new UpstreamError(
      `GitHub's API rate limit is used up until ${resetTime(headers)}; wait until then, or set a token (GITHUB_PERSONAL_ACCESS_TOKEN) for a higher limit.`,
    );
  }
  switch (status) {
    case 401:
      return new RefusedError(
        'GitHub rejected the token (401 Bad credentials); set GITHUB_PERSONAL_ACCESS_TOKEN to a valid, unexpired token.',
      );
    case 403:
      return new RefusedError(
        `GitHub refused the request (403${message ? `: ${message}` : ''}); the token may lack the scope or permission this needs.`,
      );
    case 404:
      return new NotFoundError(
        `GitHub found no ${hints.subject ?? 'such resource'} (404): it may be private (invisible to this token) or missing; check the owner, repository, number and path.`,
      );
    case 409:
      return new RefusedError(
        hints.conflict ??
          `GitHub reported a conflict (409${message ? `: ${message}` : ''}); read the current state and try again.`,
      );
    case 410:
      return new NotFoundError(
        `GitHub says this is gone (410${message ? `: ${message}` : ''}); it was deleted or the feature is disabled for the repository.`,
      );
    case 422: {
      if (hints.unprocessable && hints.unprocessable.pattern.test(message))
        return new InvalidArgumentError(hints.unprocessable.sentence);
      const fields = fieldErrors(data);
      const detail = [message, ...fields].filter(Boolean).join('; ');
      return new InvalidArgumentError(
        `GitHub rejected the request as invalid (422${detail ? `: ${detail}` : ''}); fix those fields and try again.`,
      );
    }
    case 405:
    case 400:
      return new InvalidArgumentError(
        `GitHub refused the request (${status}${message ? `: ${message}` : ''}); change the arguments and try again.`,
      );
    default:
      if (status >= 500)
        return new UpstreamError(
          `GitHub answered ${status}${message ? ` (${message})` : ''}; the service is failing, try again in a moment.`,
        );
      return new UpstreamError(
        `GitHub answered ${status}${message ? ` (${message})` : ''}; check the arguments and try again.`,
      );
  }
}
