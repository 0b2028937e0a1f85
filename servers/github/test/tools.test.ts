import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conflict, contentFile, paginate, SAMPLE_README, startFakeGitHub, validationFailed } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect, requestsOf } from './helpers.js';
import type { Connected } from './helpers.js';

let fake: FakeGitHub;
let github: Connected;

beforeAll(async () => {
  fake = await startFakeGitHub({ flavour: 'dotcom', quiet: true });
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

const REPO = { owner: 'octocat', repo: 'Hello-World' };

describe('files', () => {
  it('get_file_contents decodes a file and shows it as untrusted text with its sha', async () => {
    fake.override('repos/get-content', (_request, { example }) => ({
      body: contentFile(example('response-if-content-is-a-file') ?? example(), 'README.md', SAMPLE_README),
    }));
    const result = await github.call('get_file_contents', { ...REPO, path: 'README.md', branch: 'main' });
    expect(result.isError).toBe(false);
    expect(result.text).toContain('Keep <workspace_id> and Promise<string> as written.');
    expect(result.text).toContain('untrusted');
    expect(result.structured).toMatchObject({ type: 'file', path: 'README.md' });
    expect(requestsOf(fake, 'repos/get-content')[0]).toMatchObject({
      path: '/repos/octocat/Hello-World/contents/README.md',
      query: { ref: 'main' },
    });
  });

  it('get_file_contents lists a directory, directories first', async () => {
    fake.override('repos/get-content', {
      body: [
        {
          type: 'file',
          name: 'b.txt',
          path: 'src/b.txt',
          size: 3,
          sha: '1'.repeat(40),
          url: 'x',
          html_url: 'x',
          git_url: 'x',
          download_url: 'x',
          _links: { self: 'x', git: 'x', html: 'x' },
        },
        {
          type: 'dir',
          name: 'lib',
          path: 'src/lib',
          size: 0,
          sha: '2'.repeat(40),
          url: 'x',
          html_url: 'x',
          git_url: 'x',
          download_url: null,
          _links: { self: 'x', git: 'x', html: 'x' },
        },
      ],
    });
    const result = await github.call('get_file_contents', { ...REPO, path: 'src' });
    expect(result.text).toMatch(/dir {2}lib\nfile b\.txt \(3 B\)/);
    expect(requestsOf(fake, 'repos/get-content')[0]?.path).toBe('/repos/octocat/Hello-World/contents/src');
  });

  it('get_file_contents refuses dot segments that would turn the route into another', async () => {
    const result = await github.call('get_file_contents', { ...REPO, path: '../../../user' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/"\.\." segments/);
    expect(fake.requests).toHaveLength(0);
  });

  it('create_or_update_file sends the content base64-encoded with the sha it was given', async () => {
    const result = await github.call('create_or_update_file', {
      ...REPO,
      path: 'docs/a.md',
      content: 'hello <workspace_id>\n',
      message: 'Add a',
      branch: 'main',
      sha: 'abc123',
    });
    expect(result.isError).toBe(false);
    const [put] = requestsOf(fake, 'repos/create-or-update-file-contents');
    expect(put?.path).toBe('/repos/octocat/Hello-World/contents/docs/a.md');
    expect(put?.body).toMatchObject({
      message: 'Add a',
      branch: 'main',
      sha: 'abc123',
      content: Buffer.from('hello <workspace_id>\n').toString('base64'),
    });
    expect(result.text).toMatch(/^Updated docs\/a\.md on main in commit /);
  });

  it('create_or_update_file with a stale sha is a conflict that says to read the file again', async () => {
    fake.override('repos/create-or-update-file-contents', conflict('docs/a.md does not match abc123'));
    const result = await github.call('create_or_update_file', {
      ...REPO,
      path: 'docs/a.md',
      content: 'x',
      message: 'm',
      branch: 'main',
      sha: 'abc123',
    });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'docs/a.md on main is no longer at sha abc123: someone changed it; read it again with get_file_contents and pass its current sha.',
    );
  });

  it('create_or_update_file without a sha over an existing file asks for its sha instead of overwriting it', async () => {
    fake.override('repos/create-or-update-file-contents', {
      status: 422,
      body: { message: 'Invalid request.\n\n"sha" wasn\'t supplied.', documentation_url: 'x', status: '422' },
    });
    const result = await github.call('create_or_update_file', {
      ...REPO,
      path: 'README.md',
      content: 'x',
      message: 'm',
      branch: 'main',
    });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'README.md already exists on main; pass its current sha (from get_file_contents) to replace it.',
    );
    expect(requestsOf(fake, 'repos/get-content')).toHaveLength(0);
  });

  it('push_files builds one commit on the branch head and moves the branch without force', async () => {
    const result = await github.call('push_files', {
      ...REPO,
      branch: 'main',
      message: 'Two files',
      files: [
        { path: 'a.txt', content: 'A' },
        { path: 'dir/b.txt', content: 'B' },
      ],
    });
    expect(result.isError).toBe(false);
    const ref = requestsOf(fake, 'git/get-ref')[0];
    expect(ref?.path).toBe('/repos/octocat/Hello-World/git/ref/heads/main');
    const tree = requestsOf(fake, 'git/create-tree')[0]?.body as {
      tree: Array<{ path: string; content: string }>;
      base_tree: string;
    };
    expect(tree.tree.map((entry) => [entry.path, entry.content])).toEqual([
      ['a.txt', 'A'],
      ['dir/b.txt', 'B'],
    ]);
    expect(requestsOf(fake, 'git/create-commit')[0]?.body).toMatchObject({ message: 'Two files' });
    expect(requestsOf(fake, 'git/update-ref')[0]?.body).toMatchObject({ force: false });
    expect(result.text).toMatch(/^Pushed 2 files to main in commit /);
  });

  it('push_files answers a branch that moved meanwhile with a retry sentence, not a forced update', async () => {
    fake.override('git/update-ref', validationFailed([]));
    fake.override('git/update-ref', {
      status: 422,
      body: { message: 'Update is not a fast forward', documentation_url: 'x', status: '422' },
    });
    const result = await github.call('push_files', {
      ...REPO,
      branch: 'main',
      message: 'm',
      files: [{ path: 'a.txt', content: 'A' }],
    });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'main moved while pushing (someone else pushed); nothing was overwritten, call push_files again.',
    );
  });
});

describe('repositories', () => {
  it('search_repositories pages with perPage and says how to get the next page', async () => {
    const item = fake.example('search/repos').items[0];
    const items = Array.from({ length: 7 }, (_, index) => ({ ...item, full_name: `octo/repo-${index + 1}` }));
    fake.override(
      'search/repos',
      paginate(items, { wrap: (page, total) => ({ total_count: total, incomplete_results: false, items: page }) }),
    );
    const first = await github.call('search_repositories', { query: 'tetris', perPage: 3 });
    expect(first.text).toContain('octo/repo-1');
    expect(first.text).toContain('octo/repo-3');
    expect(first.structured).toMatchObject({ truncated: true, next: { page: 2, perPage: 3 }, total_count: 7 });
    const last = await github.call('search_repositories', { query: 'tetris', page: 3, perPage: 3 });
    expect(last.text).toContain('octo/repo-7');
    expect(last.structured).toMatchObject({ truncated: false });
    expect(last.structured?.next).toBeUndefined();
    expect(requestsOf(fake, 'search/repos')[0]?.query).toEqual({ q: 'tetris', per_page: '3' });
  });

  it('create_repository sends autoInit to the API as auto_init', async () => {
    const result = await github.call('create_repository', {
      name: 'new-repo',
      description: 'A repo',
      private: true,
      autoInit: true,
    });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'repos/create-for-authenticated-user')[0]?.body).toEqual({
      name: 'new-repo',
      description: 'A repo',
      private: true,
      auto_init: true,
    });
  });

  it('fork_repository asks for the fork in the organization given', async () => {
    const result = await github.call('fork_repository', { ...REPO, organization: 'octo-org' });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'repos/create-fork')[0]?.body).toEqual({ organization: 'octo-org' });
  });

  it('create_branch starts from the default branch read from the API, not a guess at main', async () => {
    fake.override('repos/get', (_request, { example }) => ({ body: { ...example(), default_branch: 'trunk' } }));
    const result = await github.call('create_branch', { ...REPO, branch: 'feature' });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'git/get-ref')[0]?.path).toBe('/repos/octocat/Hello-World/git/ref/heads/trunk');
    const sha = fake.example('git/get-ref').object.sha;
    expect(requestsOf(fake, 'git/create-ref')[0]?.body).toEqual({ ref: 'refs/heads/feature', sha });
    expect(result.text).toContain('from trunk');
  });

  it('create_branch from from_branch reads that branch and not the repository', async () => {
    await github.call('create_branch', { ...REPO, branch: 'feature', from_branch: 'dev' });
    expect(requestsOf(fake, 'repos/get')).toHaveLength(0);
    expect(requestsOf(fake, 'git/get-ref')[0]?.path).toBe('/repos/octocat/Hello-World/git/ref/heads/dev');
  });

  it('list_commits pages through a branch with page and perPage', async () => {
    const commit = fake.example('repos/list-commits')[0];
    fake.override(
      'repos/list-commits',
      paginate(
        Array.from({ length: 5 }, (_, index) => ({
          ...commit,
          sha: `${index}`.repeat(40),
          commit: { ...commit.commit, message: `Commit ${index}\n\nbody` },
        })),
      ),
    );
    const result = await github.call('list_commits', { ...REPO, sha: 'main', page: 1, perPage: 2 });
    expect(result.text).toContain('Commit 0');
    expect(result.text).toContain('Commit 1');
    expect(result.text).not.toContain('Commit 2');
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, perPage: 2 } });
    expect(requestsOf(fake, 'repos/list-commits')[0]?.query).toMatchObject({ sha: 'main', per_page: '2', page: '1' });
  });
});

describe('issues', () => {
  it('create_issue sends title, body, labels and assignees', async () => {
    const result = await github.call('create_issue', {
      ...REPO,
      title: 'Bug',
      body: 'It breaks',
      labels: ['bug'],
      assignees: ['octocat'],
    });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'issues/create')[0]?.body).toEqual({
      title: 'Bug',
      body: 'It breaks',
      labels: ['bug'],
      assignees: ['octocat'],
    });
    expect(result.text).toMatch(/^Created issue #\d+/);
  });

  it('list_issues joins labels, passes filters and pages with per_page', async () => {
    const issue = fake.example('issues/list-for-repo')[0];
    fake.override(
      'issues/list-for-repo',
      paginate(Array.from({ length: 4 }, (_, index) => ({ ...issue, number: index + 1, title: `Issue ${index + 1}` }))),
    );
    const result = await github.call('list_issues', { ...REPO, labels: ['bug', 'ui'], state: 'all', per_page: 3 });
    expect(result.text).toContain('#1 [open] Issue 1');
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 3 } });
    expect(requestsOf(fake, 'issues/list-for-repo')[0]?.query).toMatchObject({
      labels: 'bug,ui',
      state: 'all',
      per_page: '3',
    });
  });

  it('list_issues shows the columns chosen with fields, in that order, and names fields when they are not given', async () => {
    const issue = fake.example('issues/list-for-repo')[0];
    fake.override(
      'issues/list-for-repo',
      paginate([{ ...issue, number: 7, title: 'Chosen', html_url: 'https://github.com/octocat/Hello-World/issues/7' }]),
    );
    const compact = await github.call('list_issues', REPO);
    expect(compact.text).toContain(
      'Columns: fields (repo,number,state,title,author,comments,labels,assignees,milestone,created,updated,closed,url).',
    );
    const chosen = await github.call('list_issues', { ...REPO, fields: ['url', 'number', 'title'] });
    expect(chosen.text).toMatch(/^https:\/\/github\.com\/octocat\/Hello-World\/issues\/7 \| (PR )?#7 \| Chosen$/m);
    expect(chosen.text).not.toContain('Columns: fields');
    const comma = await github.call('list_issues', { ...REPO, fields: 'number,state' });
    expect(comma.text).toMatch(/^(PR )?#7 \| \[open\]$/m);
  });

  it('list_issues refuses an unknown column before asking GitHub, naming the ones there are', async () => {
    const result = await github.call('list_issues', { ...REPO, fields: ['number', 'body'] });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'fields takes column names from: repo, number, state, title, author, comments, labels, assignees, milestone, created, updated, closed, url (not "body").',
    );
    expect(requestsOf(fake, 'issues/list-for-repo')).toHaveLength(0);
  });

  it('search_issues takes fields too, the repository column included', async () => {
    const result = await github.call('search_issues', { q: 'bug', fields: 'repo,number' });
    expect(result.isError).toBe(false);
    expect(result.text).toMatch(/^[\w.-]+\/[\w.-]+ \| (PR )?#\d+$/m);
  });

  it('list_issues also accepts the perPage spelling', async () => {
    await github.call('list_issues', { ...REPO, perPage: 5 });
    expect(requestsOf(fake, 'issues/list-for-repo')[0]?.query).toMatchObject({ per_page: '5' });
  });

  it('update_issue sends only the fields given', async () => {
    const result = await github.call('update_issue', { ...REPO, issue_number: 7, state: 'closed', title: 'Done' });
    expect(result.isError).toBe(false);
    const [patch] = requestsOf(fake, 'issues/update');
    expect(patch?.path).toBe('/repos/octocat/Hello-World/issues/7');
    expect(patch?.body).toEqual({ state: 'closed', title: 'Done' });
  });

  it('add_issue_comment posts the body as written', async () => {
    const result = await github.call('add_issue_comment', { ...REPO, issue_number: 7, body: 'Looks good' });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'issues/create-comment')[0]?.body).toEqual({ body: 'Looks good' });
  });

  it('get_issue shows the body delimited as untrusted, with bidi and tag characters removed and markup kept', async () => {
    const body = 'Set <workspace_id> in Promise<string>\u202E evil\u202C and \u{E0049}\u{E0047}hidden\u200B.';
    fake.override('issues/get', (_request, { example }) => ({ body: { ...example(), number: 7, body } }));
    const result = await github.call('get_issue', { ...REPO, issue_number: 7 });
    expect(result.text).toContain('Set <workspace_id> in Promise<string> evil and hidden.');
    expect(result.text).toMatch(/untrusted/i);
    expect(result.text).not.toMatch(/[\u202E\u202C\u200B]|[\u{E0000}-\u{E007F}]/u);
  });
});

describe('pull requests', () => {
  it('create_pull_request sends head, base and draft', async () => {
    const result = await github.call('create_pull_request', {
      ...REPO,
      title: 'Feature',
      head: 'feature',
      base: 'main',
      draft: true,
      body: 'Please',
    });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'pulls/create')[0]?.body).toEqual({
      title: 'Feature',
      head: 'feature',
      base: 'main',
      draft: true,
      body: 'Please',
    });
  });

  it('get_pull_request shows the branches, counts and body', async () => {
    const result = await github.call('get_pull_request', { ...REPO, pull_number: 1347 });
    expect(result.isError).toBe(false);
    expect(result.text).toMatch(/Pull request #1347/);
    expect(result.text).toMatch(/→ master/);
    expect(result.structured).toMatchObject({ number: 1347 });
  });

  it('list_pull_requests pages with per_page', async () => {
    const pull = fake.example('pulls/list')[0];
    fake.override('pulls/list', paginate(Array.from({ length: 3 }, (_, index) => ({ ...pull, number: index + 1 }))));
    const result = await github.call('list_pull_requests', { ...REPO, state: 'open', per_page: 2 });
    expect(result.text).toMatch(/^#1 \[/m);
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 2 } });
  });

  it('create_pull_request_review posts the event and line comments', async () => {
    const result = await github.call('create_pull_request_review', {
      ...REPO,
      pull_number: 12,
      body: 'Nice',
      event: 'COMMENT',
      comments: [{ path: 'a.ts', line: 3, body: 'nit' }],
    });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'pulls/create-review')[0]?.body).toEqual({
      body: 'Nice',
      event: 'COMMENT',
      comments: [{ path: 'a.ts', line: 3, body: 'nit' }],
    });
  });

  it('merge_pull_request sends the merge method', async () => {
    const result = await github.call('merge_pull_request', { ...REPO, pull_number: 12, merge_method: 'squash' });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'pulls/merge')[0]?.body).toEqual({ merge_method: 'squash' });
    expect(result.text).toMatch(/^Merged #12/);
  });

  it('get_pull_request_files shows each file with its patch and pages past 30', async () => {
    const file = fake.example('pulls/list-files')[0];
    fake.override(
      'pulls/list-files',
      paginate(Array.from({ length: 35 }, (_, index) => ({ ...file, filename: `file-${index + 1}.txt` }))),
    );
    const first = await github.call('get_pull_request_files', { ...REPO, pull_number: 12 });
    expect(first.text).toContain('file-30.txt');
    expect(first.text).not.toContain('file-31.txt');
    expect(first.text).toContain('@@');
    expect(first.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 30 } });
    const second = await github.call('get_pull_request_files', { ...REPO, pull_number: 12, page: 2, per_page: 30 });
    expect(second.text).toContain('file-35.txt');
    expect(second.structured).toMatchObject({ truncated: false });
  });

  it('get_pull_request_status includes check runs besides commit statuses', async () => {
    const result = await github.call('get_pull_request_status', { ...REPO, pull_number: 1347 });
    expect(result.isError).toBe(false);
    const sha = fake.example('pulls/get').head.sha;
    expect(requestsOf(fake, 'checks/list-for-ref')[0]?.path).toBe(
      `/repos/octocat/Hello-World/commits/${sha}/check-runs`,
    );
    expect(requestsOf(fake, 'repos/get-combined-status-for-ref')[0]?.path).toBe(
      `/repos/octocat/Hello-World/commits/${sha}/status`,
    );
    expect(result.text).toMatch(/^check /m);
    expect(result.text).toMatch(/^status /m);
  });

  it('update_pull_request_branch passes the expected head sha', async () => {
    const result = await github.call('update_pull_request_branch', {
      ...REPO,
      pull_number: 12,
      expected_head_sha: 'abc',
    });
    expect(result.isError).toBe(false);
    expect(requestsOf(fake, 'pulls/update-branch')[0]?.body).toEqual({ expected_head_sha: 'abc' });
  });

  it('get_pull_request_comments shows ids, paths and bodies, paged', async () => {
    const comment = fake.example('pulls/list-review-comments')[0];
    fake.override(
      'pulls/list-review-comments',
      paginate(Array.from({ length: 3 }, (_, index) => ({ ...comment, id: index + 1, body: `Comment ${index + 1}` }))),
    );
    const result = await github.call('get_pull_request_comments', { ...REPO, pull_number: 12, per_page: 2 });
    expect(result.text).toMatch(/^\[1( reply to \d+)?\] /m);
    expect(result.text).toContain('Comment 2');
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 2 } });
  });

  it('get_pull_request_reviews shows each review state, paged', async () => {
    const review = fake.example('pulls/list-reviews')[0];
    fake.override(
      'pulls/list-reviews',
      paginate(Array.from({ length: 3 }, (_, index) => ({ ...review, id: index + 1 }))),
    );
    const result = await github.call('get_pull_request_reviews', { ...REPO, pull_number: 12, per_page: 2 });
    expect(result.text).toContain(`[1] ${review.state}`);
    expect(result.structured).toMatchObject({ truncated: true, next: { page: 2, per_page: 2 } });
  });
});

describe('search', () => {
  it.each([
    ['search_code', 'search/code'],
    ['search_issues', 'search/issues-and-pull-requests'],
    ['search_users', 'search/users'],
  ])('%s sends q, sort and order and pages with per_page', async (tool, operation) => {
    const item = fake.example(operation).items[0];
    fake.override(
      operation,
      paginate([item, item, item], {
        wrap: (page, total) => ({ total_count: total, incomplete_results: false, items: page }),
      }),
    );
    const result = await github.call(tool, { q: 'needle', order: 'desc', per_page: 2 });
    expect(result.isError).toBe(false);
    expect(result.structured).toMatchObject({ total_count: 3, truncated: true, next: { page: 2, per_page: 2 } });
    expect(requestsOf(fake, operation)[0]?.query).toMatchObject({ q: 'needle', order: 'desc', per_page: '2' });
  });
});

describe('a page cut short by the reply budget', () => {
  it('continues exactly at the first issue not shown', async () => {
    const issue = fake.example('issues/list-for-repo')[0];
    const issues = Array.from({ length: 30 }, (_, index) => ({
      ...issue,
      pull_request: undefined,
      number: index + 1,
      title: `Issue ${index + 1} ${'x'.repeat(150)}`,
    }));
    fake.override('issues/list-for-repo', paginate(issues));
    const small = await connect(fake, ['--max-output-bytes', '4096']);
    try {
      const first = await small.call('list_issues', { ...REPO });
      const next = first.structured?.next as { page: number; per_page: number };
      const shown = [...first.text.matchAll(/^#(\d+) /gm)].map((match) => Number(match[1]));
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThan(30);
      expect((next.page - 1) * next.per_page).toBe(shown.length);
      const second = await small.call('list_issues', { ...REPO, ...next });
      expect(second.text).toMatch(new RegExp(`^#${shown.length + 1} `, 'm'));
    } finally {
      await small.close();
    }
  });
});
