import { ConfigError, RefusedError } from '@portico-mcp/shared/errors';

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
// Qualifiers that choose where a search looks; a query that names one outside the scope is refused rather than
// rewritten, so that the caller learns why it got nothing from elsewhere.
const WHERE_QUALIFIER = /(^|[\s(])(-?)(repo|org|user|owner):("([^"]*)"|[^\s)]+)/gi;

/**
 * The repositories every tool is confined to (`--repos owner/name,owner/*`), or everything when empty. It is
 * the defence against a prompt injection in one public issue steering the agent into another, private
 * repository: the agent cannot read or write outside what the operator named.
 */
export class RepoScope {
  readonly repos: ReadonlySet<string>;
  readonly owners: ReadonlySet<string>;

  private constructor(repos: Set<string>, owners: Set<string>) {
    this.repos = repos;
    this.owners = owners;
  }

  /** Parses the --repos items; throws ConfigError on a malformed one. */
  static parse(items: readonly string[]): RepoScope {
    const repos = new Set<string>();
    const owners = new Set<string>();
    for (const item of items) {
      const [owner, name, ...rest] = item.trim().split('/');
      if (
        owner === undefined ||
        name === undefined ||
        rest.length > 0 ||
        !OWNER.test(owner) ||
        !(name === '*' || NAME.test(name))
      ) {
        throw new ConfigError(`--repos takes owner/name or owner/* items; "${item}" is neither.`);
      }
      if (name === '*') owners.add(owner.toLowerCase());
      else repos.add(`${owner}/${name}`.toLowerCase());
    }
    return new RepoScope(repos, owners);
  }

  /** Whether a scope is set at all (off by default). */
  get active(): boolean {
    return this.repos.size > 0 || this.owners.size > 0;
  }

  /** Whether owner/repo is inside the scope (GitHub names are case-insensitive). */
  allows(owner: string, repo: string): boolean {
    if (!this.active) return true;
    return this.owners.has(owner.toLowerCase()) || this.repos.has(`${owner}/${repo}`.toLowerCase());
  }

  /** Throws RefusedError unless owner/repo is inside the scope. */
  check(owner: string, repo: string): void {
    if (!this.allows(owner, repo))
      throw new RefusedError(
        `${owner}/${repo} is outside the repositories this server is confined to (--repos ${this.describe()}); work in one of those instead.`,
      );
  }

  /** The scope as the operator wrote it, for messages. */
  describe(): string {
    return [...this.repos, ...[...this.owners].map((owner) => `${owner}/*`)].join(',');
  }

  /**
   * Confines a search query: a query that already says where to look must look only inside the scope (a
   * negated qualifier narrows, so it may name anything); one that does not gets the scope's qualifiers.
   */
  qualify(query: string): string {
    if (!this.active) return query;
    let named = false;
    for (const match of query.matchAll(WHERE_QUALIFIER)) {
      if (match[2] === '-') continue;
      named = true;
      const kind = match[3]!.toLowerCase();
      const value = (match[5] ?? match[4]!).toLowerCase();
      const inside =
        kind === 'repo'
          ? this.allows(value.split('/')[0] ?? '', value.split('/')[1] ?? '') && value.split('/').length === 2
          : this.owners.has(value);
      if (!inside)
        throw new RefusedError(
          `The query's ${kind}:${value} is outside the repositories this server is confined to (--repos ${this.describe()}); search inside those instead.`,
        );
    }
    if (named) return query;
    const qualifiers = [
      ...[...this.repos].map((repo) => `repo:${repo}`),
      ...[...this.owners].map((owner) => `org:${owner}`),
    ];
    return `${query} ${qualifiers.join(' ')}`.trim();
  }
}
