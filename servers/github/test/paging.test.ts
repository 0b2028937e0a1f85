import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect } from './helpers.js';
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
    const lists = tools.map((tool) => tool.name).filter((name) => /^(list|search)_/.test(name) && name !== 'list_review_threads');
    expect(Object.keys(LISTS).filter((name) => !name.startsWith('get_')).sort()).toEqual(lists.sort());
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
