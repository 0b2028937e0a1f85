import { readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { RefusedError, SandboxError } from '@portico-mcp/shared/errors';
import { isWithin } from '@portico-mcp/shared/sandbox';
import type { Sandbox } from '@portico-mcp/shared/sandbox';
import { effectiveEntry, isIncludeDirective, isRepositoryEntry, refusedSettings, remoteRefusal } from './hardening.js';
import type { ConfigEntry, ConfigFacts } from './hardening.js';

/** The places of one repository that git may read: its work tree, git dir and common dir (real paths). */
export interface RepositoryPlaces {
  topLevel: string | undefined;
  gitDir: string;
  commonDir: string;
}

/** Whether a real path lies inside the repository itself. */
export function insideRepository(places: RepositoryPlaces, real: string): boolean {
  return [places.topLevel, places.gitDir, places.commonDir].some(
    (place) => place !== undefined && isWithin(real, place),
  );
}

/** The real path of `file`, or undefined when nothing is there (a dangling link counts as nothing). */
async function realOrMissing(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch {
    return undefined;
  }
}

/** git's own path expansion for config values: `~/` is the home directory; relative paths start at `base`. */
function expandConfigPath(value: string, base: string, env: Readonly<Record<string, string>>): string | undefined {
  if (value.startsWith('~/')) return env.HOME ? path.join(env.HOME, value.slice(2)) : undefined;
  // `~user/` and `%(prefix)/` name places the server cannot place; treat them as outside.
  if (value.startsWith('~') || value.startsWith('%(prefix)/')) return undefined;
  return path.resolve(base, value);
}

const denied = (given: string, what: string) =>
  new RefusedError(
    `The repository at ${JSON.stringify(given)} ${what}; change that in its git config to use it with this server.`,
  );

/**
 * Checks the repository's config listing and turns it into the facts the pins need. Refused: settings no pin
 * can switch off, config files (the repository's own or included ones) whose real path is outside the
 * repository, file-valued keys that lead out of it, and a work tree (`core.worktree`) outside the allowed
 * repositories.
 */
export async function configFacts(
  entries: readonly ConfigEntry[],
  places: RepositoryPlaces,
  listingCwd: string,
  env: Readonly<Record<string, string>>,
  given: string,
  sandbox: Sandbox,
): Promise<ConfigFacts> {
  const refused = refusedSettings(entries);
  if (refused.length > 0) throw denied(given, `sets ${refused[0]!.key}, which ${refused[0]!.reason}`);

  const checked = new Map<string, boolean>();
  const staysInside = async (file: string) => {
    if (!checked.has(file)) {
      const real = await realOrMissing(file);
      checked.set(file, real === undefined || insideRepository(places, real));
    }
    return checked.get(file)!;
  };
  for (const entry of entries) {
    if (!isRepositoryEntry(entry) || !entry.origin.startsWith('file:')) continue;
    const origin = path.resolve(listingCwd, entry.origin.slice('file:'.length));
    if (!(await staysInside(origin)))
      throw denied(given, 'reads config from a file outside the repository (through a link or an include)');
    if (isIncludeDirective(entry)) {
      const target = expandConfigPath(entry.value, path.dirname(origin), env);
      if (target === undefined || !(await staysInside(target)))
        throw denied(given, `has ${entry.key} pointing outside the repository`);
    }
  }

  const workDir = places.topLevel ?? places.gitDir;
  for (const entry of entries) {
    if (entry.key !== 'blame.ignorerevsfile' || entry.value === '') continue;
    // A relative value names a file of the work tree, which the repository controls whoever configured it.
    const target = expandConfigPath(entry.value, workDir, env);
    const repositoryChose = isRepositoryEntry(entry) || (target !== undefined && insideRepository(places, target));
    if (repositoryChose && (target === undefined || !(await staysInside(target))))
      throw denied(given, 'has blame.ignoreRevsFile naming a file outside the repository');
  }

  for (const entry of entries) {
    if (entry.key !== 'core.worktree' || !isRepositoryEntry(entry)) continue;
    // git takes a relative core.worktree from the git directory; what discovery found is pinned on every call
    // (GIT_WORK_TREE, or --bare), so this one is only ever a way out, and is refused when it leads outside.
    const target = path.resolve(places.gitDir, entry.value);
    if (!sandbox.isInside((await realOrMissing(target)) ?? target))
      throw denied(given, 'has core.worktree pointing outside the allowed repositories');
  }

  const refusal = remoteRefusal(entries);
  return {
    entries,
    env,
    writeHooksPath: await writeHooksPath(entries, places, workDir, env),
    ...(await signingKeyPin(entries, places, workDir, env)),
    ...(refusal !== undefined ? { remoteRefusal: refusal } : {}),
  };
}

/** A `user.signingKey` that is a literal key (ssh signs through the agent with it), not the name of a file. */
const LITERAL_SSH_KEY = /^(key::|ssh-)/;

/**
 * For ssh signing, `user.signingKey` is a file ssh-keygen reads. When the value git would use comes from the
 * repository's config and names a file outside the repository, signing uses the operator's own value instead
 * (or none, so signing fails rather than read that file).
 */
async function signingKeyPin(
  entries: readonly ConfigEntry[],
  places: RepositoryPlaces,
  workDir: string,
  env: Readonly<Record<string, string>>,
): Promise<{ signingKeyPin?: string }> {
  const format = effectiveEntry(entries, 'gpg.format')?.value.toLowerCase() ?? 'openpgp';
  const key = effectiveEntry(entries, 'user.signingkey');
  if (
    format !== 'ssh' ||
    key === undefined ||
    !isRepositoryEntry(key) ||
    key.value === '' ||
    LITERAL_SSH_KEY.test(key.value)
  )
    return {};
  const target = expandConfigPath(key.value, workDir, env);
  if (target !== undefined && insideRepository(places, (await realOrMissing(target)) ?? target)) return {};
  let own: string | undefined;
  for (const entry of entries)
    if (!isRepositoryEntry(entry) && entry.scope !== 'command' && entry.key === 'user.signingkey') own = entry.value;
  return { signingKeyPin: own ?? '' };
}

/** The hooks directory for writes: the repository's own choice only while it stays inside the repository. */
async function writeHooksPath(
  entries: readonly ConfigEntry[],
  places: RepositoryPlaces,
  workDir: string,
  env: Readonly<Record<string, string>>,
): Promise<string> {
  const fallback = path.join(places.commonDir, 'hooks');
  const last = [...entries].reverse().find((entry) => entry.key === 'core.hookspath' && entry.scope !== 'command');
  if (last === undefined) return fallback;
  const target = expandConfigPath(last.value, workDir, env);
  if (!isRepositoryEntry(last)) return target ?? fallback;
  if (target === undefined) return fallback;
  const real = (await realOrMissing(target)) ?? target;
  return insideRepository(places, real) ? real : fallback;
}

/** Directories of a git dir that git never reads on its own: hooks run only on writes, which keep them by design. */
const UNREAD_TOP_LEVEL = new Set(['hooks', 'lfs']);

/**
 * Refuses a repository whose git dir reaches outside it: any symbolic link under the git dir (or the common
 * dir) whose real target is outside the repository, and alternates that lead outside the allowed repositories.
 * Loose object files are not looked at one by one (there can be thousands); their directories are.
 */
export async function assertGitDirContained(places: RepositoryPlaces, sandbox: Sandbox, given: string): Promise<void> {
  const roots = [places.commonDir, ...(isWithin(places.gitDir, places.commonDir) ? [] : [places.gitDir])];
  for (const root of roots) await walk(root, root, places, given);
  await assertAlternatesInside(path.join(places.commonDir, 'objects'), sandbox, given, new Set(), 0);
}

async function walk(dir: string, root: string, places: RepositoryPlaces, given: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const looseObjects = path.basename(dir) === 'objects';
  const below: Promise<void>[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (dir === root && UNREAD_TOP_LEVEL.has(entry.name)) continue;
    if (entry.isSymbolicLink()) {
      const real = await realOrMissing(full);
      if (real === undefined || !insideRepository(places, real)) {
        throw new SandboxError(
          `Access denied: the git directory of ${JSON.stringify(given)} has a symbolic link (${path.relative(root, full)}) that leads outside the repository; replace it with a regular file to use this repository.`,
        );
      }
      continue;
    }
    if (!entry.isDirectory()) continue;
    if (looseObjects && /^[0-9a-f]{2}$/.test(entry.name)) continue;
    below.push(walk(full, root, places, given));
  }
  await Promise.all(below);
}

/** Unquotes a C-quoted alternates line (git writes paths with unusual bytes that way). */
function unquote(line: string): string {
  if (!line.startsWith('"') || !line.endsWith('"')) return line;
  return line.slice(1, -1).replace(/\\([0-7]{3}|.)/g, (_all, escape: string) => {
    if (/^[0-7]{3}$/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
    return ({ n: '\n', t: '\t', '\\': '\\', '"': '"' } as Record<string, string>)[escape] ?? escape;
  });
}

/** git follows alternates of alternates this deep. */
const MAX_ALTERNATE_DEPTH = 5;

async function assertAlternatesInside(
  objects: string,
  sandbox: Sandbox,
  given: string,
  seen: Set<string>,
  depth: number,
): Promise<void> {
  if (depth > MAX_ALTERNATE_DEPTH || seen.has(objects)) return;
  seen.add(objects);
  let listing: string;
  try {
    listing = await readFile(path.join(objects, 'info', 'alternates'), 'utf8');
  } catch {
    return;
  }
  for (const raw of listing.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const target = path.resolve(objects, unquote(line));
    const real = await realOrMissing(target);
    if (real === undefined) continue;
    if (!sandbox.isInside(real)) {
      throw new SandboxError(
        `Access denied: ${JSON.stringify(given)} borrows objects from a repository outside the allowed ones (objects/info/alternates); allow that repository too, or run git repack -a -d and remove the alternates file.`,
      );
    }
    await assertAlternatesInside(real, sandbox, given, seen, depth + 1);
  }
}
