import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notFound, rateLimited, secondaryRateLimit, startFakeGitHub, validationFailed } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect, requestsOf } from './helpers.js';
import type { Connected } from './helpers.js';

let fake: FakeGitHub;
let github: Connected;

beforeAll(async () => {
  fake = await startFakeGitHub({ quiet: true });
  github = await connect(fake);
});
afterEach(() => {
  fake.assertNoViolations();
  fake.reset();
});
afterAll(async () => {
  await github.close();
  await fake.close();
});

const ISSUE = { owner: 'octocat', repo: 'Hello-World', issue_number: 1 };

describe('GitHub failures as tool results with one actionable sentence', () => {
  it('a 403 with no quota left is a rate limit with its reset time, not a permission error', async () => {
    const resetAt = Math.floor(Date.parse('2030-01-02T03:04:05Z') / 1000);
    fake.override('issues/get', rateLimited({ resetAt }));
    const result = await github.call('get_issue', ISSUE);
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      "GitHub's API rate limit is used up until 2030-01-02T03:04:05Z; wait until then, or set a token (GITHUB_PERSONAL_ACCESS_TOKEN) for a higher limit.",
    );
    expect(requestsOf(fake, 'issues/get')).toHaveLength(1);
  });

  it('a 429 with no quota left is the same rate limit', async () => {
    fake.override(
      'issues/get',
      rateLimited({ status: 429, resetAt: Math.floor(Date.parse('2030-01-02T03:04:05Z') / 1000) }),
    );
    const result = await github.call('get_issue', ISSUE);
    expect(result.text).toMatch(/^GitHub's API rate limit is used up until 2030-01-02T03:04:05Z;/);
  });

  it('a secondary rate limit says when to retry', async () => {
    fake.override('issues/get', secondaryRateLimit({ retryAfter: 120 }));
    const result = await github.call('get_issue', ISSUE);
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      "GitHub's secondary rate limit stopped this request (too many requests too quickly); retry after 120 seconds, and make fewer calls at once.",
    );
  });

  it('a secondary limit with a short wait is retried by the throttling plugin and then answers', async () => {
    fake.override('issues/get', secondaryRateLimit({ retryAfter: 1 }), { times: 1 });
    const result = await github.call('get_issue', ISSUE);
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'issues/get')).toHaveLength(2);
  });

  it('a 403 with quota left is a permission error naming GitHub’s reason', async () => {
    fake.override('issues/get', {
      status: 403,
      headers: { 'x-ratelimit-remaining': 4999 },
      body: { message: 'Resource not accessible by personal access token', documentation_url: 'x', status: '403' },
    });
    const result = await github.call('get_issue', ISSUE);
    expect(result.text).toBe(
      'GitHub refused the request (403: Resource not accessible by personal access token); the token may lack the scope or permission this needs.',
    );
  });

  it('a 404 says the item may be private or missing', async () => {
    fake.override('issues/get', notFound());
    const result = await github.call('get_issue', ISSUE);
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'GitHub found no issue #1 in octocat/Hello-World (404): it may be private (invisible to this token) or missing; check the owner, repository, number and path.',
    );
  });

  it('a 422 gives GitHub’s field errors', async () => {
    fake.override(
      'issues/create',
      validationFailed([
        { resource: 'Issue', field: 'title', code: 'missing_field' },
        { resource: 'Label', field: 'name', code: 'invalid', message: 'name is too long' },
      ]),
    );
    const result = await github.call('create_issue', { owner: 'octocat', repo: 'Hello-World', title: 'x' });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'GitHub rejected the request as invalid (422: Validation Failed; Issue title missing_field; name: name is too long); fix those fields and try again.',
    );
  });

  it('a 401 says to fix the token without showing it', async () => {
    fake.override('issues/get', {
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'x', status: '401' },
    });
    const result = await github.call('get_issue', ISSUE);
    expect(result.text).toBe(
      'GitHub rejected the token (401 Bad credentials); set GITHUB_PERSONAL_ACCESS_TOKEN to a valid, unexpired token.',
    );
  });

  it('an API that cannot be reached is a tool result, not a protocol error', async () => {
    const closed = await startFakeGitHub({ quiet: true });
    const url = closed.url;
    await closed.close();
    const lost = await connect({ ...fake, url });
    try {
      const result = await lost.call('get_issue', ISSUE);
      expect(result.isError).toBe(true);
      expect(result.text).toBe(
        `The GitHub API at ${url} could not be reached; check GITHUB_API_URL and the network, then try again.`,
      );
    } finally {
      await lost.close();
    }
  });

  it('an invalid owner never reaches the API', async () => {
    const result = await github.call('get_issue', { ...ISSUE, owner: 'octo/../../user' });
    expect(result.isError).toBe(true);
    expect(result.text).toBe('owner "octo/../../user" is not a GitHub user or organization name.');
    expect(fake.requests).toHaveLength(0);
  });
});
