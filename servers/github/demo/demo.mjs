// `npm run demo` for the GitHub server: the local GitHub API of the tests (answers from GitHub's published
// OpenAPI description) on 127.0.0.1, reached through GITHUB_API_URL with a dummy token, then a few calls that
// show a paged list, an issue, a search and how a 404 comes back as one sentence.
import { loadFakeGitHub } from '../test/fake-api/load.mjs';

const REPO = { owner: 'octocat', repo: 'Hello-World' };
const MISSING_ISSUE = 404;

export const demo = {
  async setup() {
    const { startFakeGitHub, paginate, notFound } = await loadFakeGitHub();
    const github = await startFakeGitHub({ quiet: true });
    // The list example's issue carries a pull_request link (it would read as a PR); issues/get's own example
    // is an unresolved $ref in the description, so get_issue is answered from the same issue.
    const { pull_request: _pr, ...issue } = github.example('issues/list-for-repo')[0];
    github.override(
      'issues/list-for-repo',
      paginate(
        Array.from({ length: 12 }, (_, index) => ({
          ...issue,
          number: index + 1,
          title: `Issue ${index + 1}: ${issue.title}`,
        })),
      ),
    );
    github.override('issues/get', (request) => {
      const number = Number(request.params.issue_number);
      return number === MISSING_ISSUE ? notFound() : { body: { ...issue, number } };
    });
    const item = github.example('search/repos').items[0];
    const found = Array.from({ length: 8 }, (_, index) => ({
      ...item,
      full_name: `octocat/tetris-${index + 1}`,
      name: `tetris-${index + 1}`,
    }));
    github.override(
      'search/repos',
      paginate(found, { wrap: (page, total) => ({ total_count: total, incomplete_results: false, items: page }) }),
    );
    return {
      args: [],
      env: { GITHUB_API_URL: github.url, GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_demo_not_a_real_token' },
      close: () => github.close(),
      calls: [
        { name: 'list_issues', arguments: { ...REPO, state: 'open', per_page: 5 } },
        { name: 'get_issue', arguments: { ...REPO, issue_number: 1347 } },
        { name: 'search_repositories', arguments: { query: 'tetris language:assembly', perPage: 3 } },
        { name: 'get_issue', arguments: { ...REPO, issue_number: MISSING_ISSUE } },
      ],
    };
  },
};
