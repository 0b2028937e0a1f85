import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FakeReply } from './responses.js';

/** One recorded request/response pair, matched by method, path and query (in any order). */
export interface RecordedExchange {
  matches(method: string, path: string, query: URLSearchParams): boolean;
  /** The recorded reply, with api.github.com URLs in Link/Location headers pointed at `base`. */
  reply(base: string): FakeReply;
}

interface NockFixture {
  method: string;
  path: string;
  status: number;
  response: unknown;
  headers: Record<string, string>;
}

// Headers that describe the recording's connection, not GitHub's answer; Node sets its own.
const DROPPED = new Set(['content-length', 'connection', 'transfer-encoding', 'date', 'status']);

const require = createRequire(import.meta.url);

/** Reads an api.github.com scenario of @octokit/fixtures (e.g. 'paginate-issues', 'get-content'). */
export function loadScenario(name: string): RecordedExchange[] {
  const file = require.resolve(`@octokit/fixtures/scenarios/api.github.com/${name}/normalized-fixture.json`);
  const fixtures = JSON.parse(readFileSync(file, 'utf8')) as NockFixture[];
  return fixtures.map((fixture) => {
    const recorded = new URL(fixture.path, 'https://api.github.com');
    const recordedQuery = sortedQuery(recorded.searchParams);
    return {
      matches: (method, path, query) =>
        method === fixture.method.toUpperCase() && path === recorded.pathname && sortedQuery(query) === recordedQuery,
      reply: (base) => {
        const headers: Record<string, string> = {};
        for (const [header, value] of Object.entries(fixture.headers)) {
          if (DROPPED.has(header)) continue;
          headers[header] =
            header === 'link' || header === 'location' ? value.replaceAll('https://api.github.com', base) : value;
        }
        return { status: fixture.status, headers, body: fixture.response === '' ? undefined : fixture.response };
      },
    };
  });
}

const sortedQuery = (query: URLSearchParams) =>
  [...query]
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('&');
