import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFound, rateLimited, startFakeGitHub } from './fake-api/index.js';
import type { FakeGitHub } from './fake-api/index.js';
import { connect, requestsOf, TEST_TOKEN } from './helpers.js';
import { CALLS } from './calls.js';

let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub({ quiet: true });
});
afterAll(() => fake.close());

describe('the token', () => {
  it('is sent to the API and never appears in any reply, error or log line', async () => {
    const github = await connect(fake, ['--log-level', 'debug']);
    const outputs: string[] = [];
    try {
      for (const [tool, args] of CALLS) outputs.push(JSON.stringify((await github.call(tool, args)).raw));
      // Failures too: the error paths are where a client library's request (headers included) is at hand.
      for (const reply of [
        notFound(),
        rateLimited(),
        { status: 401, body: { message: 'Bad credentials', documentation_url: 'x', status: '401' } },
        { status: 500, body: { message: 'boom' } },
      ]) {
        fake.override('issues/get', reply);
        outputs.push(
          JSON.stringify(
            (await github.call('get_issue', { owner: 'octocat', repo: 'Hello-World', issue_number: 1 })).raw,
          ),
        );
      }
      expect(fake.requests.length).toBeGreaterThan(CALLS.length);
      expect(fake.requests.every((request) => request.headers.authorization === `token ${TEST_TOKEN}`)).toBe(true);
      expect(outputs.join('\n')).not.toContain(TEST_TOKEN);
      expect(github.server.logs()).not.toContain(TEST_TOKEN);
      expect(github.server.logs().length).toBeGreaterThan(0);
    } finally {
      await github.close();
      fake.reset();
    }
  });
});

describe('untrusted text', () => {
  it('a body with <workspace_id> and Promise<string> survives a round trip through GitHub unchanged', async () => {
    const github = await connect(fake);
    const body =
      'Set <workspace_id> before calling `load(): Promise<string>`.\n\n<details><summary>log</summary>\n\nx < y && y > z\n</details>';
    try {
      let stored: unknown;
      fake.override('issues/update', (request, { example }) => {
        stored = (request.body as { body: string }).body;
        return { body: { ...example(), number: 5, body: stored } };
      });
      fake.override('issues/get', (_request, { example }) => ({ body: { ...example(), number: 5, body: stored } }));
      expect(
        (await github.call('update_issue', { owner: 'octocat', repo: 'Hello-World', issue_number: 5, body })).isError,
      ).toBe(false);
      expect(stored).toBe(body);
      const read = await github.call('get_issue', { owner: 'octocat', repo: 'Hello-World', issue_number: 5 });
      expect(read.text).toContain(`--- body (untrusted) ---\n${body}\n--- end of body ---`);
      // Written back as read: the text the agent saw is the text GitHub has.
      fake.reset();
      fake.override('issues/update', (request, { example }) => ({
        body: { ...example(), body: (request.body as { body: string }).body },
      }));
      const seen = read.text.split('--- body (untrusted) ---\n')[1]!.split('\n--- end of body ---')[0]!;
      await github.call('update_issue', { owner: 'octocat', repo: 'Hello-World', issue_number: 5, body: seen });
      expect(requestsOf(fake, 'issues/update')[0]?.body).toEqual({ body });
    } finally {
      await github.close();
      fake.reset();
    }
  });
});
