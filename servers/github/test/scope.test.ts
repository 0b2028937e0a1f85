import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect } from './helpers.js';
import type { Connected } from './helpers.js';

// Every case is first run without --repos, to prove it reaches the API (so the refusal with the scope is the
// scope's doing, not a call that never worked), then with the scope, where it must not reach the API at all.
const OUTSIDE: Array<[string, string, Record<string, unknown>]> = [
  ['get_issue on another repository', 'get_issue', { owner: 'victim', repo: 'private-stuff', issue_number: 1 }],
  [
    'get_file_contents on another owner',
    'get_file_contents',
    { owner: 'victim', repo: 'Hello-World', path: 'README.md' },
  ],
  [
    'a repository whose name only starts like an allowed one',
    'list_issues',
    { owner: 'octocat', repo: 'Hello-World-private' },
  ],
  [
    'create_or_update_file outside',
    'create_or_update_file',
    { owner: 'victim', repo: 'x', path: 'a', content: 'b', message: 'c', branch: 'main' },
  ],
  [
    'push_files outside',
    'push_files',
    { owner: 'victim', repo: 'x', branch: 'main', message: 'm', files: [{ path: 'a', content: 'b' }] },
  ],
  ['create_issue outside', 'create_issue', { owner: 'victim', repo: 'x', title: 't' }],
  ['merge_pull_request outside', 'merge_pull_request', { owner: 'victim', repo: 'x', pull_number: 1 }],
  [
    'a fork into an organization outside',
    'fork_repository',
    { owner: 'octocat', repo: 'Hello-World', organization: 'elsewhere' },
  ],
  ['a search that names a repository outside', 'search_issues', { q: 'token repo:victim/private-stuff' }],
  ['a search that names an organization outside', 'search_code', { q: 'secret org:victim' }],
  ['a search that names a user outside', 'search_repositories', { query: 'user:victim' }],
];

let fake: FakeGitHub;
let open: Connected;
let scoped: Connected;

beforeAll(async () => {
  fake = await startFakeGitHub({ quiet: true });
  open = await connect(fake);
  scoped = await connect(fake, ['--repos', 'octocat/Hello-World,octo-org/*']);
});
afterEach(() => {
  fake.assertNoViolations();
  fake.reset();
});
afterAll(async () => {
  await open.close();
  await scoped.close();
  await fake.close();
});

describe('the --repos scope', () => {
  it.each(OUTSIDE)('refuses %s, which reaches the API without the scope', async (_label, tool, args) => {
    const without = await open.call(tool, args);
    expect(fake.requests.length, without.text).toBeGreaterThan(0);
    fake.reset();
    const result = await scoped.call(tool, args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /outside the repositories this server is confined to \(--repos octocat\/hello-world,octo-org\/\*\)/,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('allows a repository in the scope, whatever its case', async () => {
    const result = await scoped.call('get_issue', { owner: 'OctoCat', repo: 'hello-world', issue_number: 1 });
    expect(result.isError).toBe(false);
  });

  it('allows any repository of an owner/* entry', async () => {
    const result = await scoped.call('list_issues', { owner: 'octo-org', repo: 'anything' });
    expect(result.isError).toBe(false);
  });

  it('adds the scope’s qualifiers to a search that does not say where to look', async () => {
    await scoped.call('search_issues', { q: 'is:open crash' });
    expect(fake.requests[0]?.query.q).toBe('is:open crash repo:octocat/hello-world org:octo-org');
  });

  it('keeps a search that already looks only inside the scope as written', async () => {
    await scoped.call('search_code', { q: 'needle repo:octocat/Hello-World' });
    expect(fake.requests[0]?.query.q).toBe('needle repo:octocat/Hello-World');
  });

  it('checks where create_repository would create, from the token’s login', async () => {
    // The example user of GET /user is octocat, so a new repository octocat/<name> is outside unless named.
    const refused = await scoped.call('create_repository', { name: 'new-one' });
    expect(refused.isError).toBe(true);
    expect(fake.requests.map((request) => request.operationId)).toEqual(['users/get-authenticated']);
    const inside = await connect(fake, ['--repos', 'octocat/new-one']);
    try {
      expect((await inside.call('create_repository', { name: 'new-one' })).isError).toBe(false);
    } finally {
      await inside.close();
    }
  });
});

describe('the --repos scope on the opt-in toolsets', () => {
  let all: Connected;
  beforeAll(async () => {
    all = await connect(fake, ['--toolsets', 'all', '--repos', 'octocat/Hello-World']);
  });
  afterAll(() => all.close());

  it('leaves out notifications from repositories outside it', async () => {
    fake.override('activity/list-notifications-for-authenticated-user', (_request, { example }) => {
      const [thread] = example();
      return {
        body: [
          thread,
          {
            ...thread,
            id: '2',
            repository: { ...thread.repository, name: 'private-stuff', full_name: 'octocat/private-stuff' },
            subject: { ...thread.subject, title: 'Secret plan' },
          },
        ],
      };
    });
    const result = await all.call('list_notifications', {});
    expect(result.text).toContain('octocat/Hello-World');
    expect(result.text).not.toContain('Secret plan');
    expect(result.text).toContain('1 outside --repos left out');
  });

  it('refuses to mark every notification read, which reaches other repositories', async () => {
    const result = await all.call('mark_notifications_read', {});
    expect(result.isError).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses to resolve a thread whose pull request is in another repository', async () => {
    fake.override('POST /graphql', {
      body: { data: { node: { pullRequest: { repository: { name: 'private-stuff', owner: { login: 'victim' } } } } } },
    });
    const result = await all.call('resolve_review_thread', {
      owner: 'octocat',
      repo: 'Hello-World',
      thread_id: 'PRRT_other',
    });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/victim\/private-stuff is outside the repositories/);
    expect(
      fake.requests.filter((request) => JSON.stringify(request.body).includes('resolveReviewThread')),
    ).toHaveLength(0);
  });

  it('refuses the actions and releases tools outside it', async () => {
    for (const [tool, args] of [
      ['get_job_logs', { owner: 'victim', repo: 'x', job_id: 1 }],
      ['list_releases', { owner: 'victim', repo: 'x' }],
      ['list_labels', { owner: 'victim', repo: 'x' }],
    ] as const) {
      expect((await all.call(tool, args)).isError, tool).toBe(true);
    }
    expect(fake.requests).toHaveLength(0);
  });
});
