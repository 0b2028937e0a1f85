/**
 * What every git invocation is pinned to, whatever the repository's configuration says. Repository config
 * (`.git/config`) is the part of a repository that is not reviewed when it is shared, and several of its keys
 * name programs that git runs on its own; a read tool must never run one of them.
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

/** Keys of the repository's own config whose values name a program that a read could start. */
const READ_PROGRAM_KEY = /^filter\..+\.(clean|smudge|process)$/;

/** Keys of the repository's own config whose values name a program that fetch, pull or push could start. */
const REMOTE_PROGRAM_KEY = /^(core\.sshcommand|core\.gitproxy|core\.askpass|credential\.helper|credential\..+\.helper|remote\..+\.(uploadpack|receivepack))$/;

/** Scopes of config that come with the repository rather than from the user or the system. */
const REPOSITORY_SCOPES = new Set(['local', 'worktree']);

/** The neutral value that switches off a program key of repository config. */
function neutralValue(key: string): string {
  if (key.endsWith('.uploadpack')) return 'git-upload-pack';
  if (key.endsWith('.receivepack')) return 'git-receive-pack';
  if (key === 'core.sshcommand') return 'ssh';
  // An empty value: no filter program, no proxy, no askpass, and an emptied credential helper list.
  return '';
}

/** The `-c` pins for one invocation, including neutral overrides for program keys the repository's config sets. */
export function configPins(mode: GitMode, repositoryProgramKeys: readonly string[] = []): string[] {
  const pins = [...ALWAYS];
  if (mode === 'read') pins.push(...READS_ONLY);
  const pattern = mode === 'read' ? READ_PROGRAM_KEY : mode === 'remote' ? REMOTE_PROGRAM_KEY : undefined;
  if (pattern === undefined) return pins;
  for (const key of repositoryProgramKeys) {
    if (!pattern.test(key)) continue;
    pins.push(`${key}=${neutralValue(key)}`);
    // A required filter whose program is switched off would fail the read instead of passing content through.
    if (key.startsWith('filter.')) pins.push(`${key.slice(0, key.lastIndexOf('.'))}.required=false`);
  }
  return pins;
}

/**
 * The program-naming keys that the repository's own config (local or worktree scope, includes followed) sets,
 * from the output of `git config --list --show-scope --includes -z`.
 */
export function repositoryProgramKeys(listing: string): string[] {
  const keys = new Set<string>();
  const fields = listing.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i]!;
    const key = fields[i + 1]!.split('\n', 1)[0]!;
    // Section and variable names are case-insensitive (git prints them lower-cased); subsections are not.
    const normal = key.replace(/^[^.]+/, (section) => section.toLowerCase()).replace(/[^.]+$/, (name) => name.toLowerCase());
    if (REPOSITORY_SCOPES.has(scope) && (READ_PROGRAM_KEY.test(normal) || REMOTE_PROGRAM_KEY.test(normal))) keys.add(normal);
  }
  return [...keys];
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
    // Reads never take the index lock (no index refresh, so no post-index-change hook either).
    ...(mode === 'read' ? { GIT_OPTIONAL_LOCKS: '0' } : {}),
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
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_LITERAL_PATHSPECS',
  'GIT_NO_LAZY_FETCH',
  'GIT_TERMINAL_PROMPT',
  'GIT_ASKPASS',
  'GIT_OPTIONAL_LOCKS',
];
