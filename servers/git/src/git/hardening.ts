/**
 * What every git invocation is pinned to, whatever the repository's configuration says. Repository config
 * (`.git/config`, `config.worktree`, and the files they include) is the part of a repository that is not
 * reviewed when it is shared: several of its keys name programs that git runs on its own, and several name
 * files that git reads. Neither may come from the repository.
 */

/** How a call may touch the repository: `read` tools change nothing; `write` tools act as the user would. */
export type GitMode = 'read' | 'write' | 'remote';

/** Config pinned on every invocation (as `-c key=value`, which overrides every config file). */
const ALWAYS: readonly string[] = [
  // fsmonitor is a program git starts on status/diff/add; the user's own setting is only a speed-up.
  'core.fsmonitor=false',
  // Automatic maintenance and gc spawn background processes (and run the pre-auto-gc hook).
  'maintenance.auto=false',
  'gc.auto=0',
  // The ext:: transport runs an arbitrary command; git's default is already "never", but repo config can change it.
  'protocol.ext.allow=never',
  // No tool needs an editor (messages are always passed), yet `tag.gpgSign` makes a message-less git tag open
  // one: core.editor/sequence.editor from repository config would be a program it runs.
  'core.editor=:',
  'sequence.editor=:',
];

/** Config pinned on reads only: writes keep the repository's hooks and signing, as the user's own git would. */
const READS_ONLY: readonly string[] = [
  // Hooks such as post-index-change run when a read refreshes the index.
  'core.hooksPath=/dev/null',
  // Verifying a signature runs gpg.program, which repository config may point anywhere.
  'log.showSignature=false',
  // Looking inside a dirty submodule starts a child git that reads the submodule's own config (its filters),
  // which the pins below cannot see; reads compare submodules by their recorded commit only.
  'diff.ignoreSubmodules=dirty',
  'submodule.recurse=false',
];

/**
 * Config pinned on fetch, pull and push: recursing into submodules talks to the submodules' own remotes, named in
 * their own config (and in `.gitmodules`), which the remote checks of this repository never see.
 */
const REMOTE_ONLY: readonly string[] = [
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'push.recurseSubmodules=no',
];

/** The environment facts a fallback value may depend on. */
type Env = Readonly<Record<string, string>>;

/** A key pinned on every invocation to the operator's value (system or global config), else to git's default. */
interface OperatorKey {
  /** The key git reads (lower case), and the aliases that set the same thing. */
  key: string;
  aliases?: readonly string[];
  modes: readonly GitMode[];
  fallback: (env: Env) => string;
}

const ALL_MODES: readonly GitMode[] = ['read', 'write', 'remote'];

/** `$XDG_CONFIG_HOME/git/<name>`, where git looks when the key is unset. */
function xdgGitFile(env: Env, name: string): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : env.HOME ? `${env.HOME}/.config` : '';
  return base ? `${base}/git/${name}` : '';
}

/**
 * Keys with a fixed name that make git read a file or start a program. They are pinned on every call,
 * whatever the repository's config says now or writes a moment later, so no cached view of that config
 * can open a window.
 */
const OPERATOR_KEYS: readonly OperatorKey[] = [
  // Files git reads on status, diff, add and checkout: ignore and attribute patterns.
  { key: 'core.excludesfile', modes: ALL_MODES, fallback: (env) => xdgGitFile(env, 'ignore') },
  { key: 'core.attributesfile', modes: ALL_MODES, fallback: (env) => xdgGitFile(env, 'attributes') },
  // A file of path patterns that orders diff output.
  { key: 'diff.orderfile', modes: ALL_MODES, fallback: () => '/dev/null' },
  // A file of name/email rewrites that blame and mailmap-aware formats read.
  { key: 'mailmap.file', modes: ALL_MODES, fallback: () => '' },
  { key: 'commit.template', modes: ALL_MODES, fallback: () => '' },
  // Signature programs and the files that verification reads (reads never verify; writes sign as the operator does).
  { key: 'gpg.openpgp.program', aliases: ['gpg.program'], modes: ALL_MODES, fallback: () => 'gpg' },
  { key: 'gpg.x509.program', modes: ALL_MODES, fallback: () => 'gpgsm' },
  { key: 'gpg.ssh.program', modes: ALL_MODES, fallback: () => 'ssh-keygen' },
  { key: 'gpg.ssh.defaultkeycommand', modes: ALL_MODES, fallback: () => '' },
  { key: 'gpg.ssh.allowedsignersfile', modes: ALL_MODES, fallback: () => '' },
  { key: 'gpg.ssh.revocationfile', modes: ALL_MODES, fallback: () => '' },
  // Programs and files that fetch, pull and push use.
  { key: 'core.sshcommand', modes: ['remote'], fallback: () => 'ssh' },
  { key: 'core.gitproxy', modes: ['remote'], fallback: () => '' },
  { key: 'core.askpass', modes: ['remote'], fallback: () => '' },
  // A cookie file is sent to the server (and, with saveCookies, written): a way to ship any file out.
  { key: 'http.cookiefile', modes: ['remote'], fallback: () => '' },
  { key: 'http.savecookies', modes: ['remote'], fallback: () => 'false' },
  // A password-protected client certificate makes git ask for its password; nothing may prompt.
  { key: 'http.sslcertpasswordprotected', modes: ['remote'], fallback: () => 'false' },
  { key: 'http.proxysslcertpasswordprotected', modes: ['remote'], fallback: () => 'false' },
];

/** Multi-valued program keys: an empty value empties the list, then the operator's own entries come back. */
const OPERATOR_LISTS: readonly { key: string; modes: readonly GitMode[] }[] = [
  { key: 'credential.helper', modes: ['remote'] },
];

/** Keys of repository config, with a name part the repository chooses, that name a program a read could start. */
const READ_PROGRAM_KEY = /^filter\..+\.(clean|smudge|process)$/;

/**
 * A merge driver runs its command line whenever a merge (git_stash_pop, git_pull) touches a file whose
 * attributes name it: one defined by repository config is attacker-controlled, like a filter, on every call.
 */
const MERGE_DRIVER_KEY = /^merge\..+\.driver$/;

/**
 * What a switched-off merge driver runs instead: git's own three-way text merge (the built-in driver), which
 * writes the merged file (with conflict markers) and fails on conflicts, as if no driver had been named.
 */
export const BUILTIN_MERGE_COMMAND = 'git merge-file --marker-size=%L -L ours -L base -L theirs %A %O %B';

/** The same for fetch, pull and push (the fixed-name ones are pinned above). */
const REMOTE_PROGRAM_KEY = /^(credential\..+\.helper|remote\..+\.(uploadpack|receivepack))$/;

/** URL-scoped file keys of the http section that fetch, pull and push would read or write. */
const REMOTE_FILE_KEY = /^http\..+\.(cookiefile|savecookies|sslcertpasswordprotected|proxysslcertpasswordprotected)$/;

/**
 * TLS files of the http section (fixed-name and URL-scoped) that fetch, pull and push make curl read. No value
 * switches them back to curl's default (an empty one breaks TLS), so a repository that sets one is refused for
 * remote calls unless the operator's own config sets the same key, whose value is then pinned.
 */
const TLS_FILE_KEY =
  /^http\.(.+\.)?(sslcert|sslkey|sslcainfo|sslcapath|pinnedpubkey|proxysslcert|proxysslkey|proxysslcainfo)$/;

/**
 * A list of object names that fetch's object check reads from a file. Every value git sees is loaded (a pin
 * adds one more instead of replacing it), so a repository that sets it is refused for remote calls.
 */
const FETCH_SKIPLIST_KEY = 'fetch.fsck.skiplist';

/** Keys the repository may not set at all, because no value can switch them off. */
const REFUSED_KEYS: ReadonlyMap<string, string> = new Map([
  ['core.alternaterefscommand', 'names a program that fetch and push would run'],
]);

/** Include directives: they make git read another file as config. */
const INCLUDE_KEY = /^(include\.path|includeif\..+\.path)$/;

/** Scopes of config that come with the repository rather than from the user or the system. */
const REPOSITORY_SCOPES = new Set(['local', 'worktree']);
/** Scopes that are the operator's own. */
const OPERATOR_SCOPES = new Set(['system', 'global']);

/** One entry of `git config --list --show-scope --show-origin --includes -z`. */
export interface ConfigEntry {
  scope: string;
  /** Where git read it: `file:<path>` (relative to where git ran), `blob:…`, `command line:`. */
  origin: string;
  /** Lower-case section and variable name; the subsection keeps its case. */
  key: string;
  value: string;
}

/** Parses the NUL-separated listing: `scope NUL origin NUL key LF value NUL` per entry. */
export function parseConfigListing(listing: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  const fields = listing.split('\0');
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const raw = fields[i + 2]!;
    const newline = raw.indexOf('\n');
    const name = newline < 0 ? raw : raw.slice(0, newline);
    // Section and variable names are case-insensitive (git prints them lower-cased); subsections are not.
    const key = name
      .replace(/^[^.]+/, (section) => section.toLowerCase())
      .replace(/[^.]+$/, (variable) => variable.toLowerCase());
    entries.push({ scope: fields[i]!, origin: fields[i + 1]!, key, value: newline < 0 ? '' : raw.slice(newline + 1) });
  }
  return entries;
}

/** A setting of the repository's own config that the server will not run with, and why. */
export interface RefusedSetting {
  key: string;
  reason: string;
}

/** What the repository's config is, reduced to what the pins need. */
export interface ConfigFacts {
  entries: readonly ConfigEntry[];
  env: Env;
  /** The hooks directory writes use: the repository's own `core.hooksPath` when it stays inside, else the default. */
  writeHooksPath: string;
  /** The `user.signingKey` signing uses when the repository's own names an ssh key file outside the repository. */
  signingKeyPin?: string;
  /** Why fetch, pull and push are refused in this repository (a setting of its config no pin can neutralise). */
  remoteRefusal?: RefusedSetting;
}

/** The neutral value that switches off a program key of repository config. */
function neutralValue(key: string): string {
  if (key.endsWith('.uploadpack')) return 'git-upload-pack';
  if (key.endsWith('.receivepack')) return 'git-receive-pack';
  if (key.endsWith('.savecookies') || key.endsWith('passwordprotected')) return 'false';
  if (key.startsWith('merge.')) return BUILTIN_MERGE_COMMAND;
  // An empty value: no filter program, no cookie file, and an emptied credential helper list.
  return '';
}

/** The last value the operator's own config gives any of `keys`, if any. */
function operatorValue(entries: readonly ConfigEntry[], keys: readonly string[]): string | undefined {
  let value: string | undefined;
  for (const entry of entries) if (OPERATOR_SCOPES.has(entry.scope) && keys.includes(entry.key)) value = entry.value;
  return value;
}

/** The `-c` pins for one invocation: the fixed ones, and (given the config facts) the ones that depend on it. */
export function configPins(mode: GitMode, facts?: ConfigFacts): string[] {
  const pins = [...ALWAYS];
  if (mode === 'read') pins.push(...READS_ONLY);
  if (mode === 'remote') pins.push(...REMOTE_ONLY);
  if (facts === undefined) return pins;
  const { entries, env } = facts;
  for (const spec of OPERATOR_KEYS) {
    if (!spec.modes.includes(mode)) continue;
    pins.push(`${spec.key}=${operatorValue(entries, [spec.key, ...(spec.aliases ?? [])]) ?? spec.fallback(env)}`);
  }
  for (const list of OPERATOR_LISTS) {
    if (!list.modes.includes(mode)) continue;
    pins.push(`${list.key}=`);
    for (const entry of entries)
      if (OPERATOR_SCOPES.has(entry.scope) && entry.key === list.key) pins.push(`${list.key}=${entry.value}`);
  }
  if (mode !== 'read') pins.push(`core.hooksPath=${facts.writeHooksPath}`);
  if (mode !== 'read' && facts.signingKeyPin !== undefined) pins.push(`user.signingKey=${facts.signingKeyPin}`);
  if (mode === 'remote') {
    // The operator's own TLS files win over the repository's (a repository-only one refuses the call instead).
    const seenTls = new Set<string>();
    for (const entry of entries) {
      if (!REPOSITORY_SCOPES.has(entry.scope) || !TLS_FILE_KEY.test(entry.key) || seenTls.has(entry.key)) continue;
      seenTls.add(entry.key);
      const own = operatorValue(entries, [entry.key]);
      if (own !== undefined) pins.push(`${entry.key}=${own}`);
    }
  }
  const dynamic = [
    MERGE_DRIVER_KEY,
    ...(mode === 'read' ? [READ_PROGRAM_KEY] : mode === 'remote' ? [REMOTE_PROGRAM_KEY, REMOTE_FILE_KEY] : []),
  ];
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = entry.key;
    if (!REPOSITORY_SCOPES.has(entry.scope) || seen.has(key) || !dynamic.some((pattern) => pattern.test(key))) continue;
    seen.add(key);
    if (key.startsWith('credential.')) {
      // The repository's helpers for that URL are emptied; the operator's own for the same URL come back.
      pins.push(`${key}=`);
      for (const own of entries)
        if (OPERATOR_SCOPES.has(own.scope) && own.key === key) pins.push(`${key}=${own.value}`);
      continue;
    }
    pins.push(`${key}=${operatorValue(entries, [key]) ?? neutralValue(key)}`);
    // A required filter whose program is switched off would fail the read instead of passing content through.
    if (key.startsWith('filter.')) pins.push(`${key.slice(0, key.lastIndexOf('.'))}.required=false`);
  }
  return pins;
}

/** Settings of the repository's own config that no pin can switch off (checked before every call). */
export function refusedSettings(entries: readonly ConfigEntry[]): RefusedSetting[] {
  const refused: RefusedSetting[] = [];
  for (const entry of entries) {
    if (!REPOSITORY_SCOPES.has(entry.scope)) continue;
    const reason = REFUSED_KEYS.get(entry.key);
    if (reason !== undefined) refused.push({ key: entry.key, reason });
    // `-c a.b=c.d=` would set a different key, so such a setting could not be switched off.
    if (entry.key.includes('=') && dynamicKey(entry.key))
      refused.push({ key: entry.key, reason: 'has "=" in its name, so it cannot be switched off' });
  }
  return refused;
}

function dynamicKey(key: string): boolean {
  return [READ_PROGRAM_KEY, MERGE_DRIVER_KEY, REMOTE_PROGRAM_KEY, REMOTE_FILE_KEY, TLS_FILE_KEY].some((pattern) =>
    pattern.test(key),
  );
}

/** The last entry git would use for `key`, if any. */
export function effectiveEntry(entries: readonly ConfigEntry[], key: string): ConfigEntry | undefined {
  let found: ConfigEntry | undefined;
  for (const entry of entries) if (entry.key === key) found = entry;
  return found;
}

/**
 * The first setting of the repository's own config that makes fetch, pull or push read a file, where no pin can
 * put the operator's value or git's default in its place; undefined when there is none.
 */
export function remoteRefusal(entries: readonly ConfigEntry[]): RefusedSetting | undefined {
  for (const entry of entries) {
    if (!REPOSITORY_SCOPES.has(entry.scope)) continue;
    if (entry.key === FETCH_SKIPLIST_KEY) return { key: entry.key, reason: 'names a file that fetch would read' };
    if (TLS_FILE_KEY.test(entry.key) && operatorValue(entries, [entry.key]) === undefined) {
      return {
        key: entry.key,
        reason: 'names a TLS file that fetch and push would read; set it in your own (global) git config instead',
      };
    }
  }
  return undefined;
}

/** Whether a repository-scope entry is an include directive (`include.path`, `includeIf.<condition>.path`). */
export function isIncludeDirective(entry: ConfigEntry): boolean {
  return REPOSITORY_SCOPES.has(entry.scope) && INCLUDE_KEY.test(entry.key);
}

/** Whether an entry came from the repository's own config (local or worktree scope, includes followed). */
export function isRepositoryEntry(entry: ConfigEntry): boolean {
  return REPOSITORY_SCOPES.has(entry.scope);
}

/** Environment variables every git invocation gets (on top of the operator's environment, minus GIT_*). */
export function pinnedEnvironment(mode: GitMode): Record<string, string> {
  return {
    // Paths are paths: `*`, `:(top)` or `:!x` in a caller's path never become pathspec magic.
    GIT_LITERAL_PATHSPECS: '1',
    // A partial clone must not fetch missing objects from its promisor remote behind a read (git ≥ 2.45).
    GIT_NO_LAZY_FETCH: '1',
    // Nothing may wait for a password: no terminal prompt, and an empty askpass wins over core.askPass/SSH_ASKPASS.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    // Messages git prints are parsed in a few places; keep them in English.
    LC_ALL: 'C',
    // Reads never take the index lock (no index refresh, so no post-index-change hook either), and never use a
    // transport: a list naming no protocol refuses every one, whatever protocol.*.allow says, so no lazy fetch
    // from a promisor remote (or a submodule's) can run behind a read on a git that ignores GIT_NO_LAZY_FETCH.
    ...(mode === 'read' ? { GIT_OPTIONAL_LOCKS: '0', GIT_ALLOW_PROTOCOL: 'none' } : {}),
  };
}

/** Identity and date variables a commit may take from the operator's environment. */
export const IDENTITY_VARIABLES = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
] as const;

/** Every GIT_* variable the server itself may set on a child (simple-git strips all others). */
export const ALLOWED_GIT_VARIABLES: readonly string[] = [
  ...IDENTITY_VARIABLES,
  // The operator's CA bundle (a repository cannot set environment variables, only config).
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_DIR',
  'GIT_COMMON_DIR',
  'GIT_WORK_TREE',
  'GIT_LITERAL_PATHSPECS',
  'GIT_NO_LAZY_FETCH',
  'GIT_TERMINAL_PROMPT',
  'GIT_ASKPASS',
  'GIT_OPTIONAL_LOCKS',
  'GIT_ALLOW_PROTOCOL',
];
