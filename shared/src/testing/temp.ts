import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory (its real path) and the function that removes it. */
export interface TempDir {
  path: string;
  cleanup(): Promise<void>;
}

/** Makes a fresh temporary directory; the path is real (no symlinked /tmp surprises in assertions). */
export async function makeTempDir(prefix = 'portico-'): Promise<TempDir> {
  const path = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
