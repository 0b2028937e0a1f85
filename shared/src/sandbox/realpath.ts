import { readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { errorCode } from './errno.js';

/** Same limit as Linux's MAXSYMLINKS, applied to the links we follow by hand. */
const MAX_SYMLINK_HOPS = 40;

/** Outcome of resolving an absolute path to the real path an operation on it would reach. */
export type RealResolution =
  | { readonly kind: 'existing'; readonly realPath: string }
  | { readonly kind: 'missing'; readonly realPath: string }
  | { readonly kind: 'loop' }
  | { readonly kind: 'unresolvable'; readonly code: string };

/** Resolves every symbolic link in an absolute path, including dangling links and not-yet-created components. */
export async function resolveReal(absolutePath: string): Promise<RealResolution> {
  // An existing path is realpath'd; a dangling final link is followed by hand to where a create would land;
  // a path that does not exist yet is its deepest existing ancestor's real path plus the remaining components.
  return resolveFrom(absolutePath, { hops: 0 });
}

async function resolveFrom(absolutePath: string, budget: { hops: number }): Promise<RealResolution> {
  try {
    return { kind: 'existing', realPath: await realpath(absolutePath) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ELOOP') return { kind: 'loop' };
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return { kind: 'unresolvable', code };
  }

  const parent = path.dirname(absolutePath);
  if (parent === absolutePath) return { kind: 'unresolvable', code: 'ENOENT' };
  const parentResolution = await resolveFrom(parent, budget);
  if (parentResolution.kind !== 'existing' && parentResolution.kind !== 'missing') return parentResolution;

  const link = await readLinkIfAny(absolutePath);
  if (link.kind === 'error') return { kind: 'unresolvable', code: link.code };
  if (link.kind === 'none') {
    return { kind: 'missing', realPath: path.join(parentResolution.realPath, path.basename(absolutePath)) };
  }
  budget.hops += 1;
  if (budget.hops > MAX_SYMLINK_HOPS) return { kind: 'loop' };
  // A link's relative target is relative to the directory that holds the link, i.e. its real parent.
  return resolveFrom(path.resolve(parentResolution.realPath, link.target), budget);
}

type LinkRead = { kind: 'link'; target: string } | { kind: 'none' } | { kind: 'error'; code: string };

async function readLinkIfAny(absolutePath: string): Promise<LinkRead> {
  try {
    return { kind: 'link', target: await readlink(absolutePath) };
  } catch (error) {
    const code = errorCode(error);
    // EINVAL: it exists but is not a link (it appeared since realpath ran); ENOENT/ENOTDIR: it is not there.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EINVAL') return { kind: 'none' };
    return { kind: 'error', code };
  }
}
