import { LRUCache } from 'lru-cache';
import { isPorticoError, PolicyError } from '@portico-mcp/shared/errors';
import { displayUrl } from '@portico-mcp/shared/net';
import { HttpClient, RedirectLimitError } from './net/http-client.js';
import type { RequestLimits } from './net/http-client.js';

/** What robots.txt says about one origin, as RFC 9309 reads the fetch outcome. */
export type RobotsVerdict =
  | { readonly kind: 'rules'; readonly robotsUrl: string; readonly text: string; readonly parser: RobotsParser }
  /** 4xx, or too many redirects: "unavailable", so everything may be fetched (RFC 9309 §2.3.1.3). */
  | { readonly kind: 'unavailable'; readonly robotsUrl: string }
  /** 5xx or no answer: "unreachable", so nothing may be fetched (RFC 9309 §2.3.1.4). */
  | { readonly kind: 'unreachable'; readonly robotsUrl: string; readonly reason: string };

interface RobotsParser {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getMatchingLineNumber(url: string, ua?: string): number;
}

// RFC 9309 §2.3.1.2: follow at least five consecutive redirects; §2.5: parse at least the first 500 KiB.
const MAX_ROBOTS_REDIRECTS = 5;
const MAX_ROBOTS_BYTES = 500 * 1024;
// An outage should not shut a site out for the whole cache lifetime: unreachable verdicts are retried sooner.
const UNREACHABLE_TTL_MS = 30_000;
const MAX_ORIGINS = 512;

type RobotsParserFactory = (url: string, text: string) => RobotsParser;
let parserModule: Promise<RobotsParserFactory> | undefined;
function loadParser(): Promise<RobotsParserFactory> {
  parserModule ??= import('robots-parser').then((module) => module.default as unknown as RobotsParserFactory);
  return parserModule;
}

/** Options of one robots.txt check. */
export interface RobotsCheck {
  userAgent: string;
  limits: Pick<RequestLimits, 'timeoutMs' | 'connectTimeoutMs'>;
  signal?: AbortSignal;
}

/** Fetches, caches (per origin) and applies robots.txt before the tool fetches a page for a model. */
export class RobotsGuard {
  readonly #client: HttpClient;
  readonly #cache: LRUCache<string, RobotsVerdict> | undefined;
  readonly #pending = new Map<string, Promise<RobotsVerdict>>();
  readonly #ttlMs: number;

  constructor(client: HttpClient, ttlMs: number) {
    this.#client = client;
    this.#ttlMs = ttlMs;
    this.#cache = ttlMs > 0 ? new LRUCache<string, RobotsVerdict>({ max: MAX_ORIGINS, ttl: ttlMs }) : undefined;
  }

  /** Throws PolicyError when the origin's robots.txt does not let `userAgent` fetch `url`. */
  async assertAllowed(url: URL, check: RobotsCheck): Promise<void> {
    if (url.pathname === '/robots.txt') return; // RFC 9309 §2.2.2: implicitly allowed.
    const verdict = await this.verdictFor(url, check);
    const token = productToken(check.userAgent);
    if (verdict.kind === 'unavailable') return;
    if (verdict.kind === 'unreachable') {
      throw new PolicyError(
        `Refused ${displayUrl(url)}: its robots.txt (${verdict.robotsUrl}) could not be read (${verdict.reason}), and RFC 9309 then means no page of the site may be fetched automatically; the user can fetch it with the fetch prompt, or the operator can pass --ignore-robots-txt.`,
      );
    }
    if (verdict.parser.isAllowed(url.href, token) === false) {
      const line = verdict.parser.getMatchingLineNumber(url.href, token);
      const rule = line > 0 ? quotableRule(verdict.text.split(/\r\n|\r|\n/)[line - 1]) : undefined;
      throw new PolicyError(
        `Refused ${displayUrl(url)}: the site's robots.txt (${verdict.robotsUrl}) does not allow user agent "${token}" to fetch it${rule ? ` (rule "${rule.slice(0, 120)}" on line ${line})` : ''}; the user can fetch it with the fetch prompt, or the operator can pass --ignore-robots-txt.`,
      );
    }
  }

  /** Like `assertAllowed`, for a URL a redirect from `from` led to: the refusal names the redirect. */
  async assertRedirectAllowed(next: URL, from: URL, check: RobotsCheck): Promise<void> {
    try {
      await this.assertAllowed(next, check);
    } catch (error) {
      if (error instanceof PolicyError)
        throw new PolicyError(
          `${displayUrl(from)} redirected to a page robots.txt does not let this server fetch. ${error.message}`,
        );
      throw error;
    }
  }

  /** The cached or freshly fetched verdict for the origin of `url`. */
  async verdictFor(url: URL, check: RobotsCheck): Promise<RobotsVerdict> {
    const origin = url.origin;
    const cached = this.#cache?.get(origin);
    if (cached !== undefined) return cached;
    let pending = this.#pending.get(origin);
    if (pending === undefined) {
      pending = this.#fetchVerdict(origin, check).finally(() => this.#pending.delete(origin));
      this.#pending.set(origin, pending);
    }
    const verdict = await pending;
    this.#cache?.set(
      origin,
      verdict,
      verdict.kind === 'unreachable' ? { ttl: Math.min(this.#ttlMs, UNREACHABLE_TTL_MS) } : {},
    );
    return verdict;
  }

  async #fetchVerdict(origin: string, check: RobotsCheck): Promise<RobotsVerdict> {
    const robotsUrl = `${origin}/robots.txt`;
    let response;
    try {
      response = await this.#client.get(robotsUrl, {
        userAgent: check.userAgent,
        accept: 'text/plain,*/*;q=0.5',
        limits: {
          ...check.limits,
          maxBytes: MAX_ROBOTS_BYTES,
          maxRedirects: MAX_ROBOTS_REDIRECTS,
          truncateAtMaxBytes: true,
        },
        ...(check.signal ? { signal: check.signal } : {}),
      });
    } catch (error) {
      if (error instanceof RedirectLimitError) return { kind: 'unavailable', robotsUrl };
      // A cancelled call says nothing about the site; let it surface as the cancellation it is.
      if (check.signal?.aborted) throw error;
      const reason = isPorticoError(error) ? error.message.replace(/\.$/, '') : 'the request failed';
      return { kind: 'unreachable', robotsUrl, reason };
    }
    if (response.status >= 400 && response.status < 500) return { kind: 'unavailable', robotsUrl };
    if (response.status >= 500 || response.status < 200 || response.status >= 300) {
      return { kind: 'unreachable', robotsUrl, reason: `HTTP ${response.status}` };
    }
    const text = response.body.toString('utf8');
    const parse = await loadParser();
    // Rules are matched against the origin that was asked, even when a redirect served them from elsewhere.
    return { kind: 'rules', robotsUrl, text, parser: parse(robotsUrl, text) };
  }
}

// The matching line is the site's own text: it is quoted only when it has the shape of a rule (a path with
// no spaces), so a robots.txt cannot put sentences of its choosing into a refusal.
function quotableRule(line: string | undefined): string | undefined {
  const rule = line?.replace(/#.*$/, '').trim();
  return rule !== undefined && /^(dis)?allow\s*:\s*[\x21-\x7e]{0,100}$/i.test(rule) ? rule : undefined;
}

/** The product token robots.txt groups are matched against: the User-Agent's first word (RFC 9309 §2.2.1). */
export function productToken(userAgent: string): string {
  return /^[A-Za-z_-]+/.exec(userAgent.trim())?.[0] ?? '*';
}
