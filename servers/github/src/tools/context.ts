import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { DESTRUCTIVE, READ_ONLY, WRITE, withHints } from '@portico-mcp/shared/serve';
import type { PorticoToolAnnotations } from '@portico-mcp/shared/serve';
import type { GitHubApi } from '../github/api.js';
import type { RepoScope } from '../github/scope.js';

/** What every tool group gets: the API client and the repository scope. */
export interface GitHubTools {
  api: GitHubApi;
  scope: RepoScope;
}

// Plain strings in the schema (a pattern would cost bytes in every tool list); `repository` checks them.
export const OWNER = z.string();
export const REPO = z.string();
export const NUMBER = z.number().int();

/** Short ISO date (YYYY-MM-DD) of a GitHub timestamp. */
export function day(timestamp: string | null | undefined): string {
  return typeof timestamp === 'string' ? timestamp.slice(0, 10) : '';
}

/** A login, or "ghost" for a deleted account as GitHub shows it. */
export function login(user: { login?: string } | null | undefined): string {
  return user?.login ?? 'ghost';
}

const OWNER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Checks owner/repo before they go into a URL path, so that "../" or a query string in an argument cannot
 * turn one route into another (the scope check would then be about a different repository), then applies the
 * --repos scope.
 */
export function repository(tools: GitHubTools, owner: string, repo: string): { owner: string; repo: string } {
  if (!OWNER_NAME.test(owner))
    throw new InvalidArgumentError(`owner "${owner.slice(0, 60)}" is not a GitHub user or organization name.`);
  if (!REPO_NAME.test(repo) || repo === '.' || repo === '..')
    throw new InvalidArgumentError(`repo "${repo.slice(0, 100)}" is not a repository name.`);
  tools.scope.check(owner, repo);
  return { owner, repo };
}

// Annotation presets of GitHub tools. Two fields are left out on purpose, both to keep the 26 default tools
// within their 10,240-byte tools/list budget (paid in every conversation): the title, because the tool's own
// `title` field already carries it, and openWorldHint, because every call reaches GitHub and `true` is what
// the MCP specification says an absent openWorldHint means.
const SPEC_DEFAULTS_LEFT_OUT = {
  openWorldHint: undefined,
  title: undefined,
} as unknown as Partial<PorticoToolAnnotations>;
export const GH_READ = withHints(READ_ONLY, SPEC_DEFAULTS_LEFT_OUT);
export const GH_WRITE = withHints(WRITE, SPEC_DEFAULTS_LEFT_OUT);
export const GH_UPDATE = withHints(WRITE, { ...SPEC_DEFAULTS_LEFT_OUT, idempotentHint: true });
export const GH_DESTRUCTIVE = withHints(DESTRUCTIVE, SPEC_DEFAULTS_LEFT_OUT);

/**
 * A git ref as literal URL path segments (`heads/feature/x`): octokit would encode the slashes of a `{ref}`
 * parameter, and dot segments are refused because URL parsing would resolve them into another route.
 */
export function refPath(ref: string): string {
  const segments = ref.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..'))
    throw new InvalidArgumentError(`"${ref.slice(0, 200)}" is not a valid branch or ref name.`);
  return segments.map(encodeURIComponent).join('/');
}
