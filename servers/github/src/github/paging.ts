import * as z from 'zod';
import type { Continuation, Page, Reply } from '@portico-mcp/shared/output';

/** GitHub's own default page size, kept so that a call without paging arguments sees what the API would send. */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

// Bounds are applied by `pagingOf` rather than listed in every schema, where they would cost bytes in every
// tool list (a page size over 100 is taken as 100, as GitHub itself does).
export const PAGE = z.number().optional();
export const PER_PAGE = z.number().optional();

/** The reference spells the page size `perPage` on some tools and `per_page` on others; both are accepted everywhere. */
export type PerPageSpelling = 'perPage' | 'per_page';

interface PagingArgs {
  page?: number | undefined;
  perPage?: number | undefined;
  per_page?: number | undefined;
}

/** The page and page size a call asked for, whichever spelling it used (unknown keys pass through `.loose()`). */
export function pagingOf(args: PagingArgs & Record<string, unknown>): { page: number; perPage: number } {
  const raw = args.per_page ?? args.perPage;
  const perPage = typeof raw === 'number' && Number.isInteger(raw) ? Math.min(Math.max(raw, 1), MAX_PER_PAGE) : DEFAULT_PER_PAGE;
  const page = typeof args.page === 'number' && Number.isInteger(args.page) && args.page > 0 ? args.page : 1;
  return { page, perPage };
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

/** Lays out one API page of a list: items while they fit, then `next` from the Link header (or the budget cut). */
export function listPage<T>(
  reply: Reply,
  items: readonly T[],
  options: { line(item: T): string; noun: string; page: number; perPage: number; hasNext: boolean; spelling: PerPageSpelling },
): Page<T> {
  const page = reply.page(items, {
    line: options.line,
    noun: options.noun,
    offset: (options.page - 1) * options.perPage,
    more: options.hasNext,
    next: (end) => continuation(end, options.perPage, options.spelling),
    limitReason: `one page of ${options.perPage}`,
  });
  reply.set({ count: page.items.length, page: options.page });
  return page;
}
