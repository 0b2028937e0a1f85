import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import type { Continuation, Page, Reply } from '@portico-mcp/shared/output';

/** GitHub's own default page size, kept so that a call without paging arguments sees what the API would send. */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

/**
 * The reference spells the page size `perPage` on some tools and `per_page` on others; both are accepted
 * everywhere, with `page`. They are not listed in the tool schemas (`lenient`): every list reply that has more
 * names them in `next`, so the model learns them where it needs them instead of paying for them in every
 * conversation.
 */
export type PerPageSpelling = 'perPage' | 'per_page';

/** The page and page size a call asked for, whichever spelling it used (unknown keys pass through `.loose()`). */
export function pagingOf(args: Record<string, unknown>): Paging {
  const rawSize = whole(args.per_page ?? args.perPage);
  const rawPage = whole(args.page);
  if (rawSize === null || rawPage === null)
    throw new InvalidArgumentError('page and per_page (or perPage) must be whole numbers.');
  const perPage = rawSize === undefined ? DEFAULT_PER_PAGE : Math.min(Math.max(rawSize, 1), MAX_PER_PAGE);
  const page = rawPage === undefined ? 1 : Math.max(rawPage, 1);
  // Only what the caller gave goes to GitHub, whose defaults are the same (page 1, 30 a page): the request is
  // then the one GitHub's own clients send, which recorded traffic can answer.
  const params = {
    ...(rawPage === undefined ? {} : { page }),
    ...(rawSize === undefined ? {} : { per_page: perPage }),
  };
  return { page, perPage, params };
}

/** A whole number from a number or numeric string; undefined when absent, null when it is not one. */
function whole(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : null;
}

/**
 * The arguments that continue a listing after `end` items in all. After a whole page that is simply the next
 * page; after a page the reply budget cut short, a page size that divides `end` makes the next page start
 * exactly at the first item not shown, so nothing is skipped or repeated.
 */
export function continuation(end: number, perPage: number, spelling: PerPageSpelling): Continuation {
  let size = perPage;
  if (end % perPage !== 0) {
    size = 1;
    for (let candidate = Math.min(perPage, end); candidate > 1; candidate--) {
      if (end % candidate === 0) {
        size = candidate;
        break;
      }
    }
  }
  return { page: Math.floor(end / size) + 1, [spelling]: size };
}

/** What a list call asked for, from `pagingOf`; `params` is what goes to GitHub. */
export interface Paging {
  page: number;
  perPage: number;
  params: { page?: number; per_page?: number };
}

/**
 * Lays out one API page of a list: items while they fit, then `next` from the response's Link header (or the
 * budget cut). `spelling` is the page-size name the reference used for this tool, so `next` reads as its own.
 */
export function listPage<T>(
  reply: Reply,
  paging: Paging,
  response: { nextPage: number | undefined },
  items: readonly T[],
  view: { line: (item: T) => string; noun: string; spelling?: PerPageSpelling },
): Page<T> {
  const { page, perPage } = paging;
  const shown = reply.page(items, {
    line: view.line,
    noun: view.noun,
    offset: (page - 1) * perPage,
    more: response.nextPage !== undefined,
    next: (end) => continuation(end, perPage, view.spelling ?? 'per_page'),
    limitReason: `one page of ${perPage}`,
  });
  reply.set({ count: shown.items.length, page });
  return shown;
}
