import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { isWithin } from './contain.js';
import { errorCode } from './errno.js';
import { expandHome, fileUriToPath, isFileUri } from './input.js';
import { quotePath } from './messages.js';

/** A URI scheme such as `https:`; a Windows drive letter (`C:\`) is not one. */
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const WINDOWS_DRIVE = /^[a-z]:[\\/]/i;

/**
 * Resolves one operator root (as typed, never trimmed) to its real directory, or throws InvalidArgumentError
 * naming it; `noun` is what the server calls its roots in messages ("Allowed directory", "Repository").
 */
export async function realOperatorRoot(
  given: string,
  home: string,
  cwd: string,
  noun = 'Allowed directory',
): Promise<string> {
  if (typeof given !== 'string' || given === '') {
    throw new InvalidArgumentError(`${noun} is an empty string; pass the path of an existing directory.`);
  }
  if (given.includes('\0')) {
    throw new InvalidArgumentError(
      `${noun} ${quotePath(given)} contains a NUL byte; pass the path of an existing directory.`,
    );
  }
  const absolute = path.resolve(cwd, expandHome(given, home));
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InvalidArgumentError(`${noun} ${quotePath(given)} does not exist; create it or fix the path.`, {
        cause: error,
      });
    }
    throw new InvalidArgumentError(`${noun} ${quotePath(given)} cannot be resolved (${code}); check its permissions.`, {
      cause: error,
    });
  }
  if (!(await isDirectory(real))) {
    throw new InvalidArgumentError(`${noun} ${quotePath(given)} is not a directory; pass a directory, not a file.`);
  }
  return real;
}

/** Resolves a client root (`file:` URI or absolute path) to its real directory, or undefined when it names none. */
export async function realClientRoot(given: string): Promise<string | undefined> {
  if (typeof given !== 'string' || given === '' || given.includes('\0')) return undefined;
  let local: string;
  if (isFileUri(given)) {
    try {
      local = fileUriToPath(given);
    } catch {
      return undefined;
    }
  } else if (URI_SCHEME.test(given) && !WINDOWS_DRIVE.test(given)) {
    return undefined;
  } else {
    local = given;
  }
  if (local.includes('\0') || !path.isAbsolute(local)) return undefined;
  try {
    const real = await realpath(local);
    return (await isDirectory(real)) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Intersects operator and client roots in client order: the narrower of each overlapping pair is kept. */
export function intersectRoots(operatorRoots: readonly string[], clientRoots: readonly string[]): string[] {
  const kept: string[] = [];
  for (const client of clientRoots) {
    if (operatorRoots.some((operator) => isWithin(client, operator))) {
      kept.push(client);
      continue;
    }
    for (const operator of operatorRoots) {
      if (isWithin(operator, client)) kept.push(operator);
    }
  }
  return uniqueRoots(kept);
}

/** Drops repeated roots, keeping the first occurrence (the first root is where relative paths start). */
export function uniqueRoots(roots: readonly string[]): string[] {
  return [...new Set(roots)];
}

async function isDirectory(realPath: string): Promise<boolean> {
  try {
    return (await stat(realPath)).isDirectory();
  } catch {
    return false;
  }
}
