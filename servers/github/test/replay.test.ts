import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect } from './helpers.js';
import type { Connected } from './helpers.js';

// Traffic GitHub really answered, recorded by @octokit/fixtures: where a tool sends the same request, it must
// read GitHub's real answer (not only the OpenAPI examples) correctly.
let fake: FakeGitHub;
let github: Connected;

beforeAll(async () => {
  fake = await startFakeGitHub({ quiet: true });
  github = await connect(fake, ['--toolsets', 'labels']);
});
afterEach(() => fake.reset());
afterAll(async () => {
  await github.close();
  await fake.close();
});

const ORG = 'octokit-fixture-org';

describe('recorded GitHub traffic', () => {
  it('search_issues reads a recorded search', async () => {
    fake.replay('search-issues');
    const result = await github.call('search_issues', { q: `sesame repo:${ORG}/search-issues` });
    expect(result.isError, result.text).toBe(false);
    expect(result.text).toMatch(/^2 issues and pull requests match/m);
    expect(result.text).toMatch(/^octokit-fixture-org\/search-issues#2 /m);
  });

  it('create_or_update_file reads a recorded file creation', async () => {
    fake.replay('create-file');
    const result = await github.call('create_or_update_file', {
      owner: ORG,
      repo: 'create-file',
      path: 'test.txt',
      content: 'Test content',
      message: 'create test.txt',
      branch: 'main',
    });
    expect(result.isError, result.text).toBe(false);
    expect(result.text).toMatch(/the file's sha is now 3f3f005b29247e51a4f4d6b8ce07b67646cd6074\.$/);
  });

  it('create_label turns a recorded 422 into GitHub’s field error', async () => {
    fake.replay('errors');
    const result = await github.call('create_label', { owner: ORG, repo: 'errors', name: 'foo', color: 'invalid' });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'GitHub rejected the request as invalid (422: Validation Failed; Label color invalid); fix those fields and try again.',
    );
  });
});
