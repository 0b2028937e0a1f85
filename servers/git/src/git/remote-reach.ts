import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, NotFoundError, PorticoError, RefusedError } from '@portico-mcp/shared/errors';
import type { ConfigEntry } from './hardening.js';
import { effectiveEntry, isRepositoryEntry } from './hardening.js';
import type { RepositoryGit } from './repository.js';

/**
 * Where a repository's remotes lead, worked out from the config listing the call has already read, the way git's
 * remote and transport code decides it (remote.c, transport.c, connect.c of git 2.39): `remote.<name>.url` and
 * `pushurl`, `url.<base>.insteadOf`/`pushInsteadOf` rewriting, the legacy `remotes/` and `branches/` files, a
 * remote name that is itself taken as a URL, `<helper>::<address>`, `file://` and plain local paths.
 * `--allow-remote` is about network peers: a remote that is another repository on this machine is refused
 * unless that repository is allowed too (and passes the same checks as any repository the server opens).
 */

/** Transport helpers that run a command or talk over inherited file descriptors instead of reaching a peer. */
const COMMAND_TRANSPORTS = new Set(['ext', 'fd']);

/** How git would reach one URL. */
export type UrlReach = { kind: 'network' } | { kind: 'local'; path: string } | { kind: 'command'; transport: string };

/** git's `<helper>::<address>` form: the helper name is `[A-Za-z0-9][A-Za-z0-9+.-]*`, possibly empty. */
const HELPER_PREFIX = /^([A-Za-z0-9][A-Za-z0-9+.-]*)?::/;
/** git's `is_url`: a scheme, then `://`. */
const URL_SCHEME = /^([A-Za-z0-9][A-Za-z0-9+.-]*):\/\//;

/** `%XX` escapes decoded as git's url_decode does (a malformed escape stays as written). */
function percentDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Classifies a remote URL as git's transport_get would: a helper, a URL scheme, a local path or scp-like ssh. */
export function urlReach(url: string): UrlReach {
  const helper = HELPER_PREFIX.exec(url);
  if (helper) {
    const transport = (helper[1] ?? '').toLowerCase();
    if (transport === '' || COMMAND_TRANSPORTS.has(transport)) return { kind: 'command', transport };
    // A remote helper is handed the address; one that takes a local path (hg::/path, gcrypt::/path) reads there.
    return urlReach(url.slice(helper[0].length));
  }
  const scheme = URL_SCHEME.exec(url);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (COMMAND_TRANSPORTS.has(name)) return { kind: 'command', transport: name };
    if (name !== 'file') return { kind: 'network' };
    // file://<host>/<path>: git decodes the URL and uses what starts at the first slash after the scheme.
    const rest = percentDecode(url.slice(scheme[0].length));
    const slash = rest.indexOf('/');
    return { kind: 'local', path: slash < 0 ? rest : rest.slice(slash) };
  }
  // git's url_is_local_not_ssh: no colon, or a slash before the first colon, is a path; `host:path` is ssh.
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  return colon < 0 || (slash >= 0 && slash < colon) ? { kind: 'local', path: url } : { kind: 'network' };
}

/** `url.<base>.<variable>` rules, in the order git makes them (first appearance of each base). */
function rewriteRules(
  entries: readonly ConfigEntry[],
  variable: 'insteadof' | 'pushinsteadof',
): { base: string; prefix: string }[] {
  const order = new Map<string, string[]>();
  const suffix = `.${variable}`;
  for (const entry of entries) {
    if (!entry.key.startsWith('url.') || !entry.key.endsWith(suffix)) continue;
    const base = entry.key.slice('url.'.length, -suffix.length);
    if (base.length === 0) continue;
    if (!order.has(base)) order.set(base, []);
    order.get(base)!.push(entry.value);
  }
  return [...order].flatMap(([base, prefixes]) => prefixes.map((prefix) => ({ base, prefix })));
}

/** git's alias_url: the longest matching prefix wins (the first of equal length); undefined when none matches. */
function rewrite(url: string, rules: readonly { base: string; prefix: string }[]): string | undefined {
  let best: { base: string; prefix: string } | undefined;
  for (const rule of rules)
    if (url.startsWith(rule.prefix) && (best === undefined || rule.prefix.length > best.prefix.length)) best = rule;
  return best === undefined ? undefined : best.base + url.slice(best.prefix.length);
}

/** git's valid_remote_nick: only such names are looked up in the legacy remotes/ and branches/ files. */
function validNick(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !name.includes('/');
}

const MAX_LEGACY_BYTES = 64 * 1024;

/** A small regular file's text, or undefined (missing, not a regular file, too large). */
async function smallFile(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_LEGACY_BYTES) return undefined;
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** URLs of a remote defined the pre-config way, in `$GIT_COMMON_DIR/remotes/<name>` or `branches/<name>`. */
async function legacyUrls(commonDir: string, name: string): Promise<string[]> {
  if (!validNick(name)) return [];
  const urls: string[] = [];
  const remotes = await smallFile(path.join(commonDir, 'remotes', name));
  for (const line of remotes?.split('\n') ?? []) if (line.startsWith('URL:')) urls.push(line.slice(4).trim());
  const branches = (await smallFile(path.join(commonDir, 'branches', name)))?.split('\n')[0]?.trim();
  if (branches) urls.push(branches.split('#')[0]!);
  return urls.filter((url) => url.length > 0);
}

/**
 * Every URL git could use for the remote `name`, fetching or pushing, after rewriting. It errs on the side of
 * more: URLs of both directions, and the legacy files and the bare name whenever the config gives no URL.
 */
export async function remoteUrls(entries: readonly ConfigEntry[], name: string, commonDir: string): Promise<string[]> {
  const values = (variable: string) =>
    entries
      .filter((entry) => entry.key === `remote.${name}.${variable}` && entry.value.length > 0)
      .map((entry) => entry.value);
  const insteadOf = rewriteRules(entries, 'insteadof');
  const pushInsteadOf = rewriteRules(entries, 'pushinsteadof');
  let urls = values('url');
  if (urls.length === 0 && effectiveEntry(entries, `remote.${name}.vcs`) === undefined) {
    // No URL in the config: git reads the legacy files, and failing those takes the name itself as the URL.
    urls = [...(await legacyUrls(commonDir, name)), name];
  }
  const found = new Set<string>();
  for (const url of urls) {
    found.add(rewrite(url, insteadOf) ?? url);
    const push = rewrite(url, pushInsteadOf);
    if (push !== undefined) found.add(push);
  }
  for (const url of values('pushurl')) found.add(rewrite(url, insteadOf) ?? url);
  return [...found];
}

/** Remotes a partial clone fetches missing objects from on its own (`extensions.partialClone`, `remote.*.promisor`). */
export function promisorRemotes(entries: readonly ConfigEntry[]): string[] {
  const names = new Set<string>();
  for (const entry of entries) {
    if (entry.key === 'extensions.partialclone' && entry.value.length > 0) names.add(entry.value);
    if (
      entry.key.startsWith('remote.') &&
      entry.key.endsWith('.promisor') &&
      !/^(false|no|off|0)$/i.test(entry.value)
    ) {
      names.add(entry.key.slice('remote.'.length, -'.promisor'.length));
    }
  }
  return [...names];
}

const refused = (name: string, what: string) => new RefusedError(`The remote ${JSON.stringify(name)} ${what}.`);
const OUTSIDE =
  'names a local repository outside the allowed ones; allow that repository too (--repository), or use a network URL';

/** The real path, or undefined when nothing is there. */
async function realOrMissing(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch {
    return undefined;
  }
}

/** Where a path that may not exist yet would land: its deepest existing ancestor's real path plus the rest. */
async function landing(file: string): Promise<string> {
  const rest: string[] = [];
  let current = file;
  for (;;) {
    const real = await realOrMissing(current);
    if (real !== undefined) return path.join(real, ...rest.reverse());
    const parent = path.dirname(current);
    if (parent === current) return file;
    rest.push(path.basename(current));
    current = parent;
  }
}

/** The git directory a `gitdir: <path>` file points at, if the file is one. */
async function gitfileTarget(file: string): Promise<string | undefined> {
  const head = (await smallFile(file))?.split('\n')[0];
  if (head === undefined || !head.startsWith('gitdir:')) return undefined;
  return path.resolve(path.dirname(file), head.slice('gitdir:'.length).trim());
}

/**
 * A local remote's path must stay inside the allowed repositories, and so must every place git's upload-pack or
 * receive-pack would enter for it (enter_repo tries `<path>/.git`, `<path>`, `<path>.git/.git`, `<path>.git`);
 * each repository found there is opened as the server opens any repository (its work tree, git directory,
 * links and alternates checked), so it cannot lead further out either.
 */
async function assertLocalInside(git: RepositoryGit, name: string, given: string, signal: AbortSignal): Promise<void> {
  const env = git.repository.config.env;
  let raw: string;
  if (given === '~' || given.startsWith('~/')) {
    if (!env.HOME) throw refused(name, OUTSIDE);
    raw = `${env.HOME}${given.slice(1)}`;
  } else if (given.startsWith('~')) {
    // Another user's home directory: not a place the server can vouch for.
    throw refused(name, OUTSIDE);
  } else {
    // Joined, not normalised: `link/..` must mean what the kernel makes of it, as it will for git.
    raw = path.isAbsolute(given) ? given : `${git.repository.topLevel ?? git.repository.gitDir}/${given}`;
  }
  raw = raw.replace(/(.)\/+$/, '$1');
  const sandbox = git.sandbox;
  if (!sandbox.isInside(await landing(raw))) throw refused(name, OUTSIDE);
  const opened = new Set<string>();
  for (const candidate of [raw, `${raw}/.git`, `${raw}.git`, `${raw}.git/.git`]) {
    const real = await realOrMissing(candidate);
    if (real === undefined || opened.has(real)) continue;
    if (!sandbox.isInside(real)) throw refused(name, OUTSIDE);
    let directory = real;
    const isDirectory = await stat(real).then(
      (info) => info.isDirectory(),
      () => undefined,
    );
    // Gone since realpath: nothing for git to enter there either.
    if (isDirectory === undefined) continue;
    if (!isDirectory) {
      // A gitdir file is followed by git; any other file (a bundle) is read where it is, inside.
      const target = await gitfileTarget(real);
      if (target === undefined) continue;
      directory = target;
    }
    try {
      const repository = (await git.openLocal(directory, signal)).repository;
      for (const place of [repository.topLevel, repository.gitDir, repository.commonDir])
        if (place !== undefined) opened.add(place);
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      // Not a repository: git skips it as well.
      if (error instanceof NotFoundError) continue;
      if (error instanceof PorticoError)
        throw refused(
          name,
          'names a local repository that reaches outside the allowed ones (through its git directory, links or alternates)',
        );
      throw error;
    }
  }
}

/**
 * Refuses a call whose remotes (`names`) could lead git anywhere but a network peer or an allowed repository:
 * a command transport (`ext::`, `fd::`), a helper program named by the repository's own `remote.<name>.vcs`,
 * or a local path, `file://` URL or helper address outside the allowed repositories.
 */
export async function assertRemotesStayInside(
  git: RepositoryGit,
  names: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const { entries } = git.repository.config;
  for (const name of names) {
    const vcs = effectiveEntry(entries, `remote.${name}.vcs`);
    if (vcs !== undefined && isRepositoryEntry(vcs)) {
      throw refused(
        name,
        `has remote.${name}.vcs set in the repository's config, which names a helper program git would run; set it in your own (global) git config instead`,
      );
    }
    for (const url of await remoteUrls(entries, name, git.repository.commonDir)) {
      const reach = urlReach(url);
      if (reach.kind === 'command')
        throw refused(
          name,
          `uses the ${reach.transport || 'empty'}:: transport, which runs a command instead of reaching a network server; use an https or ssh URL`,
        );
      if (reach.kind === 'local') await assertLocalInside(git, name, reach.path, signal);
    }
  }
}
