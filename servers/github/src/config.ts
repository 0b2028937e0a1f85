import { ConfigError } from '@portico-mcp/shared/errors';
import { isLoopbackHost } from '@portico-mcp/shared/serve';
import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';
import { RepoScope } from './github/scope.js';

/** The github server's own flags (the common ones come from the kernel). */
export const GITHUB_FLAGS = {
  repos: {
    type: 'list',
    placeholder: 'owner/name,owner/*',
    description: 'Confine every tool (reads, writes, searches) to these repositories; off by default.',
    env: 'PORTICO_GITHUB_REPOS',
  },
} as const satisfies Record<string, FlagSpec>;

/** The github server's typed configuration, parsed once at startup. */
export interface GithubConfig {
  /** The token, or undefined for anonymous access; never logged, echoed or put in an error. */
  token: string | undefined;
  /** REST base URL without a trailing slash: https://api.github.com, https://ghes.example/api/v3, … */
  apiUrl: string;
  /** Where the URL came from, for the startup log (never the token). */
  apiUrlSource: 'default' | 'GITHUB_API_URL' | 'GITHUB_HOST';
  scope: RepoScope;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * The REST base URL for a GITHUB_HOST value. Only github.com itself is api.github.com: a host that merely ends
 * in "github.com" (evilgithub.com) is somebody else's server, which the official server once confused.
 */
export function apiUrlForHost(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError('GITHUB_HOST must be a host name such as github.example.com or octocorp.ghe.com.');
  }
  const host = url.hostname.toLowerCase();
  if (host === 'github.com' || host === 'api.github.com') return DEFAULT_API_URL;
  if (host.endsWith('.ghe.com')) {
    const sub = host.startsWith('api.') ? host : `api.${host}`;
    return checkedApiUrl(`${url.protocol}//${sub}${url.port ? `:${url.port}` : ''}`, 'GITHUB_HOST');
  }
  return checkedApiUrl(`${url.protocol}//${url.host}/api/v3`, 'GITHUB_HOST');
}

/** Validates a REST base URL: HTTPS, except on loopback (a local test API or a tunnel). */
export function checkedApiUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://github.example.com/api/v3.`);
  }
  if (url.username !== '' || url.password !== '')
    throw new ConfigError(`${name} must not carry credentials; set GITHUB_PERSONAL_ACCESS_TOKEN instead.`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigError(`${name} must use https (plain http is allowed only on a loopback address).`);
  }
  if (url.search !== '' || url.hash !== '') throw new ConfigError(`${name} must not have a query or fragment.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Builds the configuration; throws ConfigError with one sentence on bad input. */
export function parseGithubConfig({ values, positionals, env }: ConfigInput<typeof GITHUB_FLAGS>): GithubConfig {
  if (positionals.length > 0)
    throw new ConfigError(`Unexpected argument "${positionals[0]}"; this server takes only flags (run with --help).`);
  const token = (env.GITHUB_PERSONAL_ACCESS_TOKEN ?? '').trim() || (env.GITHUB_TOKEN ?? '').trim() || undefined;
  let apiUrl = DEFAULT_API_URL;
  let apiUrlSource: GithubConfig['apiUrlSource'] = 'default';
  const explicit = (env.GITHUB_API_URL ?? '').trim();
  const host = (env.GITHUB_HOST ?? '').trim();
  if (explicit !== '') {
    apiUrl = checkedApiUrl(explicit, 'GITHUB_API_URL');
    apiUrlSource = 'GITHUB_API_URL';
  } else if (host !== '') {
    apiUrl = apiUrlForHost(host);
    apiUrlSource = 'GITHUB_HOST';
  }
  return { token, apiUrl, apiUrlSource, scope: RepoScope.parse(values.repos ?? []) };
}
