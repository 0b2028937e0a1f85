import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Octokit } from 'octokit';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  notFound,
  paginate,
  rateLimited,
  secondaryRateLimit,
  startFakeGitHub,
  validationFailed,
  SAMPLE_DIFF,
  SAMPLE_JOB_LOG,
  SAMPLE_README,
  contentFile,
} from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { loadOperations } from './fake-api/operations.js';
import { compileAll } from './fake-api/validate.js';

const json = { 'content-type': 'application/json' };

describe('the fake GitHub API (dotcom flavour)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({ quiet: true });
  });
  afterEach(() => {
    github.assertNoViolations();
    github.reset();
  });
  afterAll(() => github.close());

  it('binds 127.0.0.1 and serves the API at the root of its origin', () => {
    expect(new URL(github.url).hostname).toBe('127.0.0.1');
    expect(github.url).toBe(github.origin);
  });

  it('answers a documented operation with its success status and its first example', async () => {
    const response = await fetch(`${github.url}/repos/octocat/Hello-World`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4999');
    const body = (await response.json()) as { full_name: string; default_branch: string };
    expect(body).toEqual(github.example('repos/get'));
    expect(body.full_name).toBe('octocat/Hello-World');
  });

  it('records every request with its method, path, query, headers, body and operation', async () => {
    await fetch(`${github.url}/repos/o/r/issues`, {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer t0ken' },
      body: JSON.stringify({ title: 'Found a bug', labels: ['bug'] }),
    });
    await fetch(`${github.url}/repos/o/r/issues?state=closed&per_page=5`);
    expect(github.requests.map((r) => r.operationId)).toEqual(['issues/create', 'issues/list-for-repo']);
    const [created, listed] = github.requests;
    expect(created).toMatchObject({ method: 'POST', path: '/repos/o/r/issues', body: { title: 'Found a bug' } });
    expect(created?.headers.authorization).toBe('Bearer t0ken');
    expect(created?.params).toEqual({ owner: 'o', repo: 'r' });
    expect(listed?.query).toEqual({ state: 'closed', per_page: '5' });
  });

  it('answers a create with the status the description documents for it', async () => {
    const response = await fetch(`${github.url}/repos/o/r/issues`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ title: 'Found a bug' }),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { number: number }).number).toBe(1347);
  });

  it('rejects a body that breaks the request schema with 422 and GitHub field errors, and records it', async () => {
    const response = await fetch(`${github.url}/repos/o/r/issues`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ body: 'no title', labels: 'bug' }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as {
      message: string;
      errors: { field: string; code: string }[];
      documentation_url: string;
    };
    expect(body.message).toBe('Validation Failed');
    expect(body.documentation_url).toContain('docs.github.com/rest/issues');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'title', code: 'missing_field' }),
        expect.objectContaining({ field: 'labels', code: 'invalid' }),
      ]),
    );
    expect(github.violations.map((v) => v.kind)).toEqual(['invalid-body']);
    expect(() => github.assertNoViolations()).toThrow(/invalid-body: POST \/repos\/o\/r\/issues/);
  });

  it('rejects a body that is not JSON with 400 "Problems parsing JSON"', async () => {
    const response = await fetch(`${github.url}/repos/o/r/git/refs`, { method: 'POST', headers: json, body: '{ref:' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe('Problems parsing JSON');
    expect(github.takeViolations().map((v) => v.kind)).toEqual(['unparsable-body']);
  });

  it('rejects values outside an enum and mistyped path parameters with 422', async () => {
    const state = await fetch(`${github.url}/repos/o/r/issues?state=bogus`);
    const number = await fetch(`${github.url}/repos/o/r/issues/abc`);
    expect([state.status, number.status]).toEqual([422, 422]);
    expect(github.takeViolations().map((v) => v.errors?.[0]?.field)).toEqual(['state', 'issue_number']);
  });

  it('answers undocumented query parameters and body fields as GitHub does, but reports them', async () => {
    const camel = await fetch(`${github.url}/repos/o/r/pulls?perPage=5`);
    const created = await fetch(`${github.url}/user/repos`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'demo', autoInit: true }),
    });
    expect([camel.status, created.status]).toEqual([200, 201]);
    expect(github.takeViolations().map((v) => v.message)).toEqual([
      'pulls/list does not document query parameter perPage',
      'repos/create-for-authenticated-user does not document body field autoInit',
    ]);
  });

  it("answers an unknown operation with 404 in GitHub's shape and fails assertNoViolations loudly", async () => {
    const response = await fetch(`${github.url}/repos/o/r/wikis`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
    const wrongMethod = await fetch(`${github.url}/repos/o/r/pulls/1`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(() => github.assertNoViolations()).toThrow(/unknown-operation: GET \/repos\/o\/r\/wikis[\s\S]*DELETE/);
  });

  it('routes file paths and refs that contain slashes, encoded or not', async () => {
    await fetch(`${github.url}/repos/o/r/contents/docs/guide/intro.md?ref=main`);
    await fetch(`${github.url}/repos/o/r/contents/${encodeURIComponent('docs/a b.md')}`);
    await fetch(`${github.url}/repos/o/r/git/refs/heads/feature/x`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ sha: 'aa218f56b14c9653891f9e74264a383fa43fefbd', force: false }),
    });
    await fetch(`${github.url}/repos/o/r/git/ref/heads%2Fmain`);
    expect(github.requests.map((r) => [r.operationId, r.params.path ?? r.params.ref])).toEqual([
      ['repos/get-content', 'docs/guide/intro.md'],
      ['repos/get-content', 'docs/a b.md'],
      ['git/update-ref', 'heads/feature/x'],
      ['git/get-ref', 'heads/main'],
    ]);
  });

  it('prefers literal path segments over parameters, as GitHub routes /user/repos', async () => {
    const response = await fetch(`${github.url}/user/repos?per_page=2`);
    expect(response.status).toBe(200);
    expect(github.requests[0]?.operationId).toBe('repos/list-for-authenticated-user');
  });

  it('lets a test override an operation by operationId or by method and path template', async () => {
    github.override('repos/get', notFound());
    github.override('GET /repos/{owner}/{repo}/pulls/{pull_number}', (request, { example }) => ({
      body: { ...example(), title: `PR ${request.params.pull_number} of ${request.params.owner}` },
    }));
    const missing = await fetch(`${github.url}/repos/o/private`);
    expect(missing.status).toBe(404);
    const pull = (await (await fetch(`${github.url}/repos/o/r/pulls/7`)).json()) as { title: string; head: unknown };
    expect(pull.title).toBe('PR 7 of o');
    expect(pull.head).toBeDefined();
  });

  it('still validates a request whose operation is overridden', async () => {
    github.override('issues/create', { status: 201, body: { number: 1 } });
    const response = await fetch(`${github.url}/repos/o/r/issues`, { method: 'POST', headers: json, body: '{}' });
    expect(response.status).toBe(422);
    expect(github.takeViolations().map((v) => v.kind)).toEqual(['invalid-body']);
  });

  it('falls back to the example once an override limited to `times` calls is used up', async () => {
    github.override('repos/get', rateLimited({ resetAt: 1_900_000_000 }), { times: 1 });
    const limited = await fetch(`${github.url}/repos/o/r`);
    const again = await fetch(`${github.url}/repos/o/r`);
    expect([limited.status, again.status]).toEqual([403, 200]);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('1900000000');
  });

  it('refuses an override for an operation it does not know, naming the fix', () => {
    expect(() => github.override('repos/get-wiki', notFound())).toThrow(/extract\.mjs/);
  });

  it('answers rate limits as GitHub does: 429 with no quota, and a secondary limit with retry-after', async () => {
    github.override('search/repos', rateLimited({ status: 429, resource: 'search' }), { times: 1 });
    github.override('search/code', secondaryRateLimit({ retryAfter: 7 }), { times: 1 });
    const primary = await fetch(`${github.url}/search/repositories?q=tetris`);
    const secondary = await fetch(`${github.url}/search/code?q=addClass`);
    expect(primary.status).toBe(429);
    expect(primary.headers.get('x-ratelimit-resource')).toBe('search');
    expect(Number(primary.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(secondary.status).toBe(403);
    expect(secondary.headers.get('retry-after')).toBe('7');
    expect(((await secondary.json()) as { message: string }).message).toMatch(/secondary rate limit/);
  });

  it('answers 422 with the field errors a test gives', async () => {
    github.override(
      'pulls/create',
      validationFailed([
        { resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for o:feature.' },
      ]),
    );
    const response = await fetch(`${github.url}/repos/o/r/pulls`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ title: 't', head: 'feature', base: 'main' }),
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/already exists/);
  });

  it('pages a list with real Link headers: next and last, then prev and first', async () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({
      ...github.example('issues/list-for-repo')[0],
      number: i + 1,
    }));
    github.override('issues/list-for-repo', paginate(issues));
    const first = await fetch(`${github.url}/repos/o/r/issues?per_page=3`);
    expect(first.headers.get('link')).toBe(
      `<${github.url}/repos/o/r/issues?per_page=3&page=2>; rel="next", <${github.url}/repos/o/r/issues?per_page=3&page=3>; rel="last"`,
    );
    const last = await fetch(`${github.url}/repos/o/r/issues?per_page=3&page=3`);
    expect(((await last.json()) as { number: number }[]).map((i) => i.number)).toEqual([7]);
    expect(last.headers.get('link')).toBe(
      `<${github.url}/repos/o/r/issues?per_page=3&page=2>; rel="prev", <${github.url}/repos/o/r/issues?per_page=3&page=1>; rel="first"`,
    );
  });

  it("is followed to the last page by octokit's own paginate, search results included", async () => {
    // The throttling plugin spaces search requests two seconds apart; that pacing is not what is tested here.
    const octokit = new Octokit({ baseUrl: github.url, auth: 'token-for-tests', throttle: { enabled: false } });
    const issues = Array.from({ length: 65 }, (_, i) => ({
      ...github.example('issues/list-for-repo')[0],
      number: i + 1,
    }));
    github.override('issues/list-for-repo', paginate(issues));
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: 'o', repo: 'r', per_page: 30 });
    expect(all.map((issue) => issue.number)).toEqual(issues.map((issue) => issue.number));
    const repos = Array.from({ length: 4 }, (_, i) => ({ ...github.example('search/repos').items[0], id: i }));
    github.override(
      'search/repos',
      paginate(repos, { wrap: (items, total) => ({ total_count: total, incomplete_results: false, items }) }),
    );
    const found = await octokit.paginate(octokit.rest.search.repos, { q: 'tetris', per_page: 3 });
    expect(found.map((repo) => repo.id)).toEqual([0, 1, 2, 3]);
    expect(github.requests.filter((r) => r.operationId === 'issues/list-for-repo')).toHaveLength(3);
  });

  it('redirects job logs to a text it serves, and run logs to a zip', async () => {
    const job = await fetch(`${github.url}/repos/o/r/actions/jobs/42/logs`, { redirect: 'manual' });
    expect(job.status).toBe(302);
    const location = job.headers.get('location') ?? '';
    expect(location.startsWith(github.origin)).toBe(true);
    expect(await (await fetch(location)).text()).toBe(SAMPLE_JOB_LOG);
    const run = await fetch(`${github.url}/repos/o/r/actions/runs/42/logs`);
    expect(run.headers.get('content-type')).toBe('application/zip');
    expect(
      Buffer.from(await run.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it('answers contents with a valid file at the requested path, and its bytes when asked for raw', async () => {
    const file = (await (await fetch(`${github.url}/repos/o/r/contents/docs/notes.md`)).json()) as {
      path: string;
      content: string;
    };
    expect(file.path).toBe('docs/notes.md');
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe(SAMPLE_README);
    const raw = await fetch(`${github.url}/repos/o/r/contents/docs/notes.md`, {
      headers: { accept: 'application/vnd.github.v3.raw' },
    });
    expect(raw.headers.get('content-type')).toContain('application/vnd.github.raw');
    expect(await raw.text()).toBe(SAMPLE_README);
  });

  it('lists the directory example for the repository root and for a path ending in a slash', async () => {
    const octokit = new Octokit({ baseUrl: github.url, auth: 'token-for-tests' });
    const root = await octokit.rest.repos.getContent({ owner: 'o', repo: 'r', path: '' });
    const docs = await fetch(`${github.url}/repos/o/r/contents/docs/`);
    expect(Array.isArray(root.data)).toBe(true);
    expect(await docs.json()).toEqual(root.data);
    expect(github.requests.map((r) => [r.operationId, r.params.path])).toEqual([
      ['repos/get-content', ''],
      ['repos/get-content', 'docs/'],
    ]);
  });

  it('serves the file a test gives through contentFile, with its git blob sha', async () => {
    github.override('repos/get-content', (request, { example }) => ({
      body: contentFile(example(), request.params.path ?? '', 'hello\n'),
    }));
    const octokit = new Octokit({ baseUrl: github.url, auth: 'token-for-tests' });
    const { data } = await octokit.rest.repos.getContent({ owner: 'o', repo: 'r', path: 'greeting.txt' });
    expect(data).toMatchObject({ path: 'greeting.txt', size: 6, sha: 'ce013625030ba8dba906f756967f9e9ca394464a' });
    const raw = await octokit.rest.repos.getContent({
      owner: 'o',
      repo: 'r',
      path: 'greeting.txt',
      mediaType: { format: 'raw' },
    });
    expect(raw.data).toBe('hello\n');
  });

  it('answers a pull request as a unified diff when asked for one', async () => {
    const octokit = new Octokit({ baseUrl: github.url, auth: 'token-for-tests' });
    const { data } = await octokit.rest.pulls.get({
      owner: 'o',
      repo: 'r',
      pull_number: 1,
      mediaType: { format: 'diff' },
    });
    expect(data).toBe(SAMPLE_DIFF);
  });

  it('answers GraphQL only through an override, and flags a query nobody answered', async () => {
    const unanswered = await fetch(`${github.url}/graphql`, {
      method: 'POST',
      headers: json,
      body: '{"query":"{ viewer { login } }"}',
    });
    expect(((await unanswered.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    expect(github.takeViolations().map((v) => v.kind)).toEqual(['unhandled-graphql']);
    github.override('POST /graphql', (request) => ({
      body: { data: { echo: (request.body as { query: string }).query } },
    }));
    const answered = await fetch(`${github.url}/graphql`, { method: 'POST', headers: json, body: '{"query":"q"}' });
    expect(await answered.json()).toEqual({ data: { echo: 'q' } });
  });

  it('accepts the requests GitHub itself answered in @octokit/fixtures for the operations it knows', async () => {
    const scenarios = [
      'get-content',
      'create-file',
      'search-issues',
      'paginate-issues',
      'get-repository',
      'git-refs',
      'create-status',
      'labels',
      'add-labels-to-issue',
      'mark-notifications-as-read',
      'release-assets',
    ];
    const require = createRequire(import.meta.url);
    const { routes } = loadOperations();
    let checked = 0;
    for (const scenario of scenarios) {
      const recorded = require(`@octokit/fixtures/scenarios/api.github.com/${scenario}/normalized-fixture.json`) as {
        method: string;
        path: string;
        body: unknown;
        status: number;
      }[];
      for (const exchange of recorded) {
        const method = exchange.method.toUpperCase();
        const pathname = new URL(exchange.path, 'https://api.github.com').pathname;
        if (exchange.status >= 400 || !routes.some((r) => r.operation.method === method && r.pattern.test(pathname)))
          continue;
        const body =
          exchange.body === ''
            ? undefined
            : typeof exchange.body === 'string'
              ? exchange.body
              : JSON.stringify(exchange.body);
        const response = await fetch(`${github.url}${exchange.path}`, {
          method,
          headers: json,
          ...(body ? { body } : {}),
        });
        expect(response.status, `${scenario}: ${method} ${exchange.path}`).toBeLessThan(400);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('replays @octokit/fixtures recorded traffic, Link headers pointed at the fake', async () => {
    github.replay('paginate-issues');
    const octokit = new Octokit({ baseUrl: github.url, auth: 'token-for-tests' });
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner: 'octokit-fixture-org',
      repo: 'paginate-issues',
      per_page: 3,
    });
    expect(issues).toHaveLength(13);
    expect(github.requests.map((r) => r.operationId)).toEqual(Array(5).fill('_recorded'));
  });
});

describe('the fake GitHub API from plain JavaScript', () => {
  it('loads through load.mjs for bench and demo scripts, validation included', async () => {
    // @ts-expect-error load.mjs is JavaScript without declarations; its module is index.ts bundled.
    const { loadFakeGitHub } = await import('./fake-api/load.mjs');
    const { startFakeGitHub: start } = (await loadFakeGitHub()) as typeof import('./fake-api/index.js');
    const github = await start({ quiet: true });
    try {
      const created = await fetch(`${github.url}/repos/o/r/issues`, { method: 'POST', headers: json, body: '{}' });
      expect(created.status).toBe(422);
      expect(((await created.json()) as { errors: unknown[] }).errors).toEqual([
        { resource: 'Issue', field: 'title', code: 'missing_field', message: '"title" wasn\'t supplied.' },
      ]);
      github.replay('get-content');
      const readme = await fetch(`${github.url}/repos/octokit-fixture-org/hello-world/contents/README.md`);
      expect(await readme.text()).toBe('# hello-world');
    } finally {
      await github.close();
    }
  });
});

describe('the fake GitHub API (ghes flavour)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({ flavour: 'ghes', quiet: true });
  });
  afterEach(() => github.reset());
  afterAll(() => github.close());

  it('serves the REST API under /api/v3 and refuses paths outside it', async () => {
    expect(github.url).toBe(`${github.origin}/api/v3`);
    const inside = await fetch(`${github.url}/repos/o/r`);
    expect(inside.status).toBe(200);
    expect(github.requests[0]).toMatchObject({
      path: '/repos/o/r',
      rawPath: '/api/v3/repos/o/r',
      operationId: 'repos/get',
    });
    const outside = await fetch(`${github.origin}/repos/o/r`);
    expect(outside.status).toBe(404);
    expect(github.takeViolations().map((v) => v.message)).toEqual(['outside the GHES API prefix /api/v3']);
  });

  it('sends the token scopes it was started with in x-oauth-scopes', async () => {
    const scoped = await startFakeGitHub({ scopes: ['read:org', 'repo'], quiet: true });
    try {
      const me = await fetch(`${scoped.url}/user`);
      expect(me.headers.get('x-oauth-scopes')).toBe('read:org, repo');
      expect(((await me.json()) as { login: string }).login).toBe('octocat');
    } finally {
      await scoped.close();
    }
  });

  it('is reached by octokit with the GHES base URL, GraphQL at /api/graphql included', async () => {
    const octokit = new Octokit({ baseUrl: github.url, auth: 'token-for-tests' });
    github.override('POST /graphql', { body: { data: { viewer: { login: 'octocat' } } } });
    const { data } = await octokit.rest.pulls.get({ owner: 'o', repo: 'r', pull_number: 1347 });
    const viewer = await octokit.graphql<{ viewer: { login: string } }>('{ viewer { login } }');
    expect(data.number).toBe(1347);
    expect(github.requests[0]?.headers.authorization).toBe('token token-for-tests');
    expect(viewer.viewer.login).toBe('octocat');
    expect(github.requests.map((r) => r.rawPath)).toEqual(['/api/v3/repos/o/r/pulls/1347', '/api/graphql']);
    expect(github.violations).toEqual([]);
  });
});

describe('the archived reference server on the fake', () => {
  const o = { owner: 'octocat', repo: 'Hello-World' };
  // One call per reference tool, with the arguments its 2025.4.8 schemas take.
  const calls: [string, Record<string, unknown>][] = [
    [
      'create_or_update_file',
      {
        ...o,
        path: 'docs/a.md',
        content: 'hi',
        message: 'm',
        branch: 'main',
        sha: '95b966ae1c166bd92f8ae7d1c313e738c731dfc3',
      },
    ],
    ['search_repositories', { query: 'tetris', page: 2, perPage: 5 }],
    ['create_repository', { name: 'demo', description: 'd', private: true, autoInit: true }],
    ['get_file_contents', { ...o, path: 'README.md', branch: 'main' }],
    ['push_files', { ...o, branch: 'main', files: [{ path: 'a.txt', content: 'a' }], message: 'm' }],
    ['create_issue', { ...o, title: 't', body: 'b', labels: ['bug'], assignees: ['octocat'] }],
    ['create_pull_request', { ...o, title: 't', head: 'feature', base: 'main', body: 'b', draft: false }],
    ['fork_repository', { ...o, organization: 'octo-org' }],
    ['create_branch', { ...o, branch: 'feature', from_branch: 'main' }],
    ['list_commits', { ...o, sha: 'main', page: 1, perPage: 5 }],
    [
      'list_issues',
      {
        ...o,
        state: 'open',
        labels: ['bug'],
        sort: 'created',
        direction: 'desc',
        since: '2024-01-01T00:00:00Z',
        page: 1,
        per_page: 5,
      },
    ],
    ['update_issue', { ...o, issue_number: 1, title: 't', state: 'closed', labels: ['x'] }],
    ['add_issue_comment', { ...o, issue_number: 1, body: 'b' }],
    ['search_code', { q: 'addClass in:file', per_page: 5, page: 1 }],
    ['search_issues', { q: 'bug', sort: 'comments', order: 'desc', per_page: 5, page: 1 }],
    ['search_users', { q: 'tom', sort: 'followers', order: 'asc', per_page: 5, page: 1 }],
    ['get_issue', { ...o, issue_number: 1 }],
    ['get_pull_request', { ...o, pull_number: 1 }],
    [
      'list_pull_requests',
      {
        ...o,
        state: 'open',
        head: 'octocat:f',
        base: 'main',
        sort: 'created',
        direction: 'desc',
        per_page: 5,
        page: 1,
      },
    ],
    [
      'create_pull_request_review',
      {
        ...o,
        pull_number: 1,
        commit_id: 'abc',
        body: 'b',
        event: 'COMMENT',
        comments: [{ path: 'a', line: 1, body: 'x' }],
      },
    ],
    ['merge_pull_request', { ...o, pull_number: 1, commit_title: 't', commit_message: 'm', merge_method: 'squash' }],
    ['get_pull_request_files', { ...o, pull_number: 1 }],
    ['get_pull_request_status', { ...o, pull_number: 1 }],
    ['update_pull_request_branch', { ...o, pull_number: 1, expected_head_sha: 'abc' }],
    ['get_pull_request_comments', { ...o, pull_number: 1 }],
    ['get_pull_request_reviews', { ...o, pull_number: 1 }],
  ];

  it('serves every request its 26 tools make, reporting only its own bugs (reference behaviour)', async () => {
    const github = await startFakeGitHub({ quiet: true });
    const require = createRequire(import.meta.url);
    const entry = require
      .resolve('@modelcontextprotocol/server-github/package.json')
      .replace(/package\.json$/, 'dist/index.js');
    const preload = fileURLToPath(new URL('./fake-api/redirect-dotcom.mjs', import.meta.url));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', preload, entry],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        FAKE_GITHUB_URL: github.url,
        GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_fake',
      },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'fake-api-test', version: '0.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(calls.map(([name]) => name).sort());
      const failed: string[] = [];
      for (const [name, args] of calls) {
        const result = await client.callTool({ name, arguments: args });
        if (result.isError) failed.push(name);
      }
      expect(failed).toEqual([]);
      expect(github.requests.every((r) => r.headers.authorization === 'Bearer ghp_fake')).toBe(true);
      expect([...new Set(github.requests.map((r) => r.operationId))].sort()).toEqual([
        'git/create-commit',
        'git/create-ref',
        'git/create-tree',
        'git/get-ref (undocumented plural path)',
        'git/update-ref',
        'issues/create',
        'issues/create-comment',
        'issues/get',
        'issues/list-for-repo',
        'issues/update',
        'pulls/create',
        'pulls/create-review',
        'pulls/get',
        'pulls/list',
        'pulls/list-files',
        'pulls/list-review-comments',
        'pulls/list-reviews',
        'pulls/merge',
        'pulls/update-branch',
        'repos/create-for-authenticated-user',
        'repos/create-fork',
        'repos/create-or-update-file-contents',
        'repos/get-combined-status-for-ref',
        'repos/get-content',
        'repos/list-commits',
        'search/code',
        'search/issues-and-pull-requests',
        'search/repos',
        'search/users',
      ]);
      expect(github.violations.map((v) => v.message)).toEqual([
        'repos/create-for-authenticated-user does not document body field autoInit',
        'GitHub answers it, but the description does not document it: git/get-ref (undocumented plural path)',
        'repos/create-fork does not document query parameter organization',
        'GitHub answers it, but the description does not document it: git/get-ref (undocumented plural path)',
      ]);
    } finally {
      await client.close();
      await github.close();
    }
  });
});

describe('operations.json', () => {
  it('holds every operation with a documented example or a bodyless success, in under 1.5 MB', () => {
    const { operations } = loadOperations();
    expect(statSync(new URL('./fake-api/operations.json', import.meta.url)).size).toBeLessThan(1.5 * 1024 * 1024);
    const withoutAnswer = operations.filter(
      (op) => Object.keys(op.response.examples).length === 0 && ![202, 204, 205, 302].includes(op.response.status),
    );
    expect(withoutAnswer.map((op) => op.operationId)).toEqual([]);
  });

  it("holds examples as payloads with every $ref resolved, issues/get's shared issue example included", () => {
    const { operations } = loadOperations();
    const withRef = operations.filter((op) => JSON.stringify(op.response.examples).includes('"$ref"'));
    expect(withRef.map((op) => op.operationId)).toEqual([]);
    const issue = operations.find((op) => op.operationId === 'issues/get')!.response.examples.default as {
      number?: number;
      title?: string;
    };
    expect(issue.number).toBe(1347);
    expect(typeof issue.title).toBe('string');
  });

  it('answers issues/get with the documented issue, not a reference to it', async () => {
    const github = await startFakeGitHub({ quiet: true });
    try {
      const response = await fetch(`${github.url}/repos/octocat/Hello-World/issues/1347`);
      const body = (await response.json()) as { number?: number; $ref?: string };
      expect(body.$ref).toBeUndefined();
      expect(body.number).toBe(1347);
    } finally {
      await github.close();
    }
  });

  it('has a parameter and body schema ajv compiles for every operation', () => {
    expect(() => compileAll(loadOperations().operations)).not.toThrow();
  });
});
