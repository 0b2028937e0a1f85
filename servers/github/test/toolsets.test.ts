import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paginate, SAMPLE_JOB_LOG, startFakeGitHub } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect, requestsOf } from './helpers.js';
import type { Connected } from './helpers.js';

let fake: FakeGitHub;
let github: Connected;

beforeAll(async () => {
  fake = await startFakeGitHub({ quiet: true });
  github = await connect(fake, ['--toolsets', 'all']);
});
afterEach(() => {
  fake.assertNoViolations();
  fake.reset();
});
afterAll(async () => {
  await github.close();
  await fake.close();
});

const REPO = { owner: 'octocat', repo: 'Hello-World' };

describe('actions', () => {
  it('list_workflow_runs filters by branch and status and pages', async () => {
    const run = fake.example('actions/list-workflow-runs-for-repo').workflow_runs[0];
    fake.override(
      'actions/list-workflow-runs-for-repo',
      paginate([run, run, run], { wrap: (page, total) => ({ total_count: total, workflow_runs: page }) }),
    );
    const result = await github.call('list_workflow_runs', { ...REPO, branch: 'main', status: 'failure', per_page: 2 });
    expect(result.text).toContain(`[${run.id}]`);
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 2 }, total_count: 3 });
    expect(requestsOf(fake, 'actions/list-workflow-runs-for-repo')[0]?.query).toMatchObject({
      branch: 'main',
      status: 'failure',
    });
  });

  it('list_workflow_jobs names the failed steps of each job', async () => {
    fake.override('actions/list-jobs-for-workflow-run', (_request, { example }) => {
      const body = example();
      body.jobs[0].conclusion = 'failure';
      body.jobs[0].steps = [{ name: 'Run npm test', status: 'completed', conclusion: 'failure', number: 2 }];
      return { body };
    });
    const result = await github.call('list_workflow_jobs', { ...REPO, run_id: 30433642 });
    expect(result.text).toMatch(/failure .* — failed steps: 2 Run npm test/);
  });

  it('get_job_logs follows the redirect and shows the last lines without timestamps', async () => {
    const result = await github.call('get_job_logs', { ...REPO, job_id: 399444496, tail_lines: 2 });
    expect(result.isError).toBe(false);
    expect(result.text).toContain('##[endgroup]\n##[error]Process completed with exit code 1.');
    expect(result.text).not.toMatch(/2025-01-15T/);
    expect(result.text).not.toContain('Syncing repository');
    expect(result.structured).toMatchObject({ lines: SAMPLE_JOB_LOG.trim().split('\n').length });
  });

  it('get_job_logs with failed_steps shows only the failed step and the error line', async () => {
    fake.override('actions/get-job-for-workflow-run', (_request, { example }) => ({
      body: {
        ...example(),
        steps: [
          { name: 'Run actions/checkout@v4', status: 'completed', conclusion: 'success', number: 1 },
          { name: 'Run npm test', status: 'completed', conclusion: 'failure', number: 2 },
        ],
      },
    }));
    const result = await github.call('get_job_logs', { ...REPO, job_id: 399444496, failed_steps: true });
    expect(result.text).toContain('FAIL test/farewell.test.js');
    expect(result.text).toContain('##[error]Process completed with exit code 1.');
    expect(result.text).not.toContain('actions/checkout');
  });

  it('get_job_logs with grep keeps only matching lines', async () => {
    const result = await github.call('get_job_logs', { ...REPO, job_id: 399444496, grep: 'fail' });
    expect(result.text).toContain('FAIL test/farewell.test.js');
    expect(result.text).toContain('Tests: 1 failed');
    expect(result.text).not.toContain('PASS test/greeting.test.js');
  });

  it('rerun_workflow_run re-runs only the failed jobs with failed_only', async () => {
    const result = await github.call('rerun_workflow_run', { ...REPO, run_id: 30433642, failed_only: true });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'actions/re-run-workflow-failed-jobs')).toHaveLength(1);
  });
});

describe('releases', () => {
  it('list_releases pages', async () => {
    const release = fake.example('repos/list-releases')[0];
    fake.override('repos/list-releases', paginate([release, release]));
    const result = await github.call('list_releases', { ...REPO, per_page: 1 });
    expect(result.text).toContain(release.tag_name);
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 1 } });
  });

  it('get_release reads the latest release, or one by tag', async () => {
    expect((await github.call('get_release', REPO)).text).toMatch(/Release v1\.0\.0/);
    await github.call('get_release', { ...REPO, tag: 'v1.0.0' });
    expect(requestsOf(fake, 'repos/get-latest-release')).toHaveLength(1);
    expect(requestsOf(fake, 'repos/get-release-by-tag')[0]?.path).toBe(
      '/repos/octocat/Hello-World/releases/tags/v1.0.0',
    );
  });

  it('list_tags shows each tag with its commit', async () => {
    const result = await github.call('list_tags', REPO);
    expect(result.text).toMatch(/^v0\.1 [0-9a-f]{12}$/m);
  });
});

describe('reviews', () => {
  it('list_review_threads shows thread ids, state and comments, and continues with the cursor', async () => {
    fake.override('POST /graphql', (request) => {
      expect((request.body as { variables: Record<string, unknown> }).variables).toMatchObject({
        owner: 'octocat',
        repo: 'Hello-World',
        number: 12,
      });
      return {
        body: {
          data: {
            repository: {
              pullRequest: {
                reviewThreads: {
                  pageInfo: { hasNextPage: true },
                  edges: [
                    {
                      cursor: 'Y3Vyc29yOjE=',
                      node: {
                        id: 'PRRT_1',
                        isResolved: false,
                        isOutdated: false,
                        path: 'src/a.ts',
                        line: 4,
                        comments: {
                          nodes: [
                            {
                              databaseId: 101,
                              author: { login: 'octocat' },
                              body: 'Rename <T>?',
                              createdAt: '2025-01-02T00:00:00Z',
                            },
                          ],
                        },
                      },
                    },
                  ],
                },
              },
            },
          },
        },
      };
    });
    const result = await github.call('list_review_threads', { ...REPO, pull_number: 12 });
    expect(result.text).toContain('thread PRRT_1 unresolved src/a.ts:4');
    expect(result.text).toContain('[101] octocat 2025-01-02: Rename <T>?');
    expect(result.structured).toMatchObject({ truncated: true, next: { cursor: 'Y3Vyc29yOjE=' } });
  });

  it('reply_to_review_comment posts in the thread', async () => {
    const result = await github.call('reply_to_review_comment', {
      ...REPO,
      pull_number: 12,
      comment_id: 101,
      body: 'Done',
    });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'pulls/create-reply-for-review-comment')[0]?.body).toEqual({ body: 'Done' });
  });

  it('resolve_review_thread sends the resolve mutation', async () => {
    fake.override('POST /graphql', (request) => {
      expect((request.body as { query: string }).query).toContain('resolveReviewThread');
      return { body: { data: { resolveReviewThread: { thread: { id: 'PRRT_1', isResolved: true } } } } };
    });
    const result = await github.call('resolve_review_thread', { ...REPO, thread_id: 'PRRT_1' });
    expect(result.text).toBe('Thread PRRT_1 is now resolved.');
  });

  it('get_pull_request_diff asks for the diff and shows it file by file', async () => {
    const result = await github.call('get_pull_request_diff', { ...REPO, pull_number: 12 });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'pulls/get')[0]?.headers.accept).toMatch(/diff/);
    expect(result.text).toMatch(/^diff --git a\//m);
  });
});

describe('notifications', () => {
  it('list_notifications shows thread ids and pages', async () => {
    const result = await github.call('list_notifications', { all: true });
    expect(result.text).toMatch(/^\[\d+\] (unread|read) octocat\/Hello-World/m);
    expect(requestsOf(fake, 'activity/list-notifications-for-authenticated-user')[0]?.query).toMatchObject({
      all: 'true',
    });
  });

  it('mark_notifications_read marks one thread, one repository, or all', async () => {
    await github.call('mark_notifications_read', { thread_id: '1' });
    await github.call('mark_notifications_read', REPO);
    await github.call('mark_notifications_read', {});
    expect(requestsOf(fake, 'activity/mark-thread-as-read')).toHaveLength(1);
    expect(requestsOf(fake, 'activity/mark-repo-notifications-as-read')).toHaveLength(1);
    expect(requestsOf(fake, 'activity/mark-notifications-as-read')).toHaveLength(1);
  });
});

describe('labels', () => {
  it('list_labels lists a repository’s labels or an issue’s', async () => {
    expect((await github.call('list_labels', REPO)).text).toMatch(/^bug #f29513/m);
    await github.call('list_labels', { ...REPO, issue_number: 3 });
    expect(requestsOf(fake, 'issues/list-labels-on-issue')).toHaveLength(1);
  });

  it('create_label, add_issue_labels and remove_issue_label send what they say', async () => {
    await github.call('create_label', { ...REPO, name: 'bug', color: 'f29513' });
    await github.call('add_issue_labels', { ...REPO, issue_number: 3, labels: ['bug'] });
    await github.call('remove_issue_label', { ...REPO, issue_number: 3, name: 'needs triage' });
    expect(requestsOf(fake, 'issues/create-label')[0]?.body).toEqual({ name: 'bug', color: 'f29513' });
    expect(requestsOf(fake, 'issues/add-labels')[0]?.body).toEqual({ labels: ['bug'] });
    expect(requestsOf(fake, 'issues/remove-label')[0]?.params.name).toBe('needs triage');
  });
});

describe('gists', () => {
  it('list_gists, get_gist, create_gist and update_gist reach the gist API', async () => {
    expect((await github.call('list_gists', {})).isError).toBe(false);
    expect((await github.call('get_gist', { gist_id: 'aa5a315d61ae9438b18d' })).text).toMatch(/--- file /);
    await github.call('create_gist', { description: 'd', files: { 'a.txt': { content: 'A' } } });
    await github.call('update_gist', { gist_id: 'aa5a315d61ae9438b18d', files: { 'a.txt': { content: 'B' } } });
    expect(requestsOf(fake, 'gists/create')[0]?.body).toEqual({
      description: 'd',
      public: false,
      files: { 'a.txt': { content: 'A' } },
    });
    expect(requestsOf(fake, 'gists/update')[0]?.body).toEqual({ files: { 'a.txt': { content: 'B' } } });
  });

  it('are refused under a --repos scope, which cannot name them', async () => {
    const scoped = await connect(fake, ['--toolsets', 'gists', '--repos', 'octocat/Hello-World']);
    try {
      const result = await scoped.call('list_gists', {});
      expect(result.isError).toBe(true);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await scoped.close();
    }
  });
});

describe('context', () => {
  it('get_me reports the login, the token’s scopes and the rate limit left', async () => {
    const result = await github.call('get_me', {});
    expect(result.text).toMatch(/^octocat/);
    expect(result.text).toContain('Token scopes: gist, notifications, repo, workflow');
    expect(result.text).toMatch(/Rate limit: \d+ of \d+ left/);
  });
});

const PULL = { ...REPO, pull_number: 1347 };

// Every tool that lists one GitHub page, with the arguments it needs besides paging. list_review_threads is
// GraphQL and continues with a cursor instead.
const LISTS: Record<string, Record<string, unknown>> = {
  search_repositories: { query: 'tetris' },
  list_commits: REPO,
  list_issues: REPO,
  list_pull_requests: REPO,
  search_code: { q: 'addClass' },
  search_issues: { q: 'bug' },
  search_users: { q: 'tom' },
  get_pull_request_files: PULL,
  get_pull_request_comments: PULL,
  get_pull_request_reviews: PULL,
  list_workflow_runs: REPO,
  list_workflow_jobs: { ...REPO, run_id: 30433642 },
  list_releases: REPO,
  list_tags: REPO,
  list_notifications: {},
  list_labels: REPO,
  list_gists: {},
};

describe('paging arguments', () => {
  it('cover every list tool of every toolset', async () => {
    const { tools } = await github.server.client.listTools();
    const lists = tools
      .map((tool) => tool.name)
      .filter((name) => /^(list|search)_/.test(name) && name !== 'list_review_threads');
    expect(
      Object.keys(LISTS)
        .filter((name) => !name.startsWith('get_'))
        .sort(),
    ).toEqual(lists.sort());
  });

  for (const [tool, args] of Object.entries(LISTS)) {
    for (const spelling of ['per_page', 'perPage'] as const) {
      it(`${tool} accepts page with ${spelling} and sends GitHub page and per_page`, async () => {
        const result = await github.call(tool, { ...args, page: 2, [spelling]: 7 });
        expect(result.isError, result.text).toBe(false);
        expect(fake.requests).toHaveLength(1);
        expect(fake.requests[0]?.query).toMatchObject({ page: '2', per_page: '7' });
        expect(result.structured).toMatchObject({ page: 2 });
      });
    }
  }

  it('refuses a page that is not a whole number with one sentence', async () => {
    const result = await github.call('list_issues', { ...REPO, page: 'two' });
    expect(result.isError).toBe(true);
    expect(result.text).toBe('page and per_page (or perPage) must be whole numbers.');
    expect(fake.requests).toHaveLength(0);
  });
});
