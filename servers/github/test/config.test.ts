import { describe, expect, it } from 'vitest';
import { prepareServer } from '@portico-mcp/shared/serve';
import { apiUrlForHost, checkedApiUrl } from '../src/config.js';
import { githubServer } from '../src/server.js';
import { nextPageFromLink } from '../src/github/api.js';
import { continuation } from '../src/github/paging.js';
import { clean } from '../src/github/text.js';

async function configFor(env: Record<string, string>, argv: string[] = []) {
  let logs = '';
  const prepared = await prepareServer(githubServer, argv, env, (line) => (logs += line));
  if (prepared.kind !== 'server') throw new Error('printed');
  await prepared.server.close('test');
  return { logs };
}

describe('the API base URL', () => {
  it('is api.github.com for github.com itself', () => {
    expect(apiUrlForHost('github.com')).toBe('https://api.github.com');
    expect(apiUrlForHost('https://github.com')).toBe('https://api.github.com');
  });

  it('is not api.github.com for a host that merely ends in github.com', () => {
    expect(apiUrlForHost('evilgithub.com')).toBe('https://evilgithub.com/api/v3');
    expect(apiUrlForHost('github.com.attacker.example')).toBe('https://github.com.attacker.example/api/v3');
  });

  it('is /api/v3 on a GitHub Enterprise Server host', () => {
    expect(apiUrlForHost('github.example.com')).toBe('https://github.example.com/api/v3');
  });

  it('is api.<sub>.ghe.com on GitHub Enterprise Cloud with data residency', () => {
    expect(apiUrlForHost('octocorp.ghe.com')).toBe('https://api.octocorp.ghe.com');
    expect(apiUrlForHost('https://api.octocorp.ghe.com')).toBe('https://api.octocorp.ghe.com');
  });

  it('requires https except on a loopback address', () => {
    expect(() => checkedApiUrl('http://github.example.com/api/v3', 'GITHUB_API_URL')).toThrow(
      'GITHUB_API_URL must use https (plain http is allowed only on a loopback address).',
    );
    expect(() => apiUrlForHost('http://github.example.com')).toThrow(/must use https/);
    expect(checkedApiUrl('http://127.0.0.1:8080/api/v3/', 'GITHUB_API_URL')).toBe('http://127.0.0.1:8080/api/v3');
  });

  it('refuses credentials in the URL', () => {
    expect(() => checkedApiUrl('https://user:secret@github.example.com', 'GITHUB_API_URL')).toThrow(
      'GITHUB_API_URL must not carry credentials; set GITHUB_PERSONAL_ACCESS_TOKEN instead.',
    );
  });
});

describe('startup', () => {
  it('warns on stderr when no token is set', async () => {
    const { logs } = await configFor({});
    expect(logs).toMatch(/No GitHub token: set GITHUB_PERSONAL_ACCESS_TOKEN/);
  });

  it('does not warn when GITHUB_TOKEN is set, and never logs the token', async () => {
    const { logs } = await configFor({ GITHUB_TOKEN: 'ghp_onlyInEnv123456', PORTICO_LOG_LEVEL: 'debug' }, [
      '--log-level',
      'debug',
    ]);
    expect(logs).not.toMatch(/No GitHub token/);
    expect(logs).not.toContain('ghp_onlyInEnv123456');
  });

  it('refuses a malformed --repos entry with one sentence', async () => {
    await expect(configFor({}, ['--repos', 'octocat'])).rejects.toThrow(
      '--repos takes owner/name or owner/* items; "octocat" is neither.',
    );
  });
});

describe('pagination', () => {
  it('reads the next page from a Link header', () => {
    expect(
      nextPageFromLink(
        '<https://api.github.com/repositories/1/issues?page=3&per_page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=9>; rel="last"',
      ),
    ).toBe(3);
    expect(nextPageFromLink('<https://api.github.com/x?page=1>; rel="prev"')).toBeUndefined();
    expect(nextPageFromLink(undefined)).toBeUndefined();
  });

  it('continues a page cut short by the reply budget exactly at the first item not shown', () => {
    expect(continuation(60, 30, 'per_page')).toEqual({ page: 3, per_page: 30 });
    expect(continuation(45, 30, 'per_page')).toEqual({ page: 4, per_page: 15 });
    expect(continuation(37, 30, 'perPage')).toEqual({ page: 38, perPage: 1 });
    for (const [end, size] of [
      [45, 30],
      [64, 30],
      [7, 100],
    ] as const) {
      const next = continuation(end, size, 'per_page');
      expect(((next.page as number) - 1) * (next.per_page as number)).toBe(end);
    }
  });
});

describe('untrusted text', () => {
  it('removes bidirectional, zero-width and tag characters and nothing else', () => {
    expect(clean('a\u202Eb\u2066c\u200Bd\u{E0041}e\uFEFF')).toBe('abcde');
    expect(clean('<workspace_id> Promise<string> <script>x</script> ❤️ émoji')).toBe(
      '<workspace_id> Promise<string> <script>x</script> ❤️ émoji',
    );
  });
});
