// The fake GitHub API for plain-JavaScript callers (bench/*.mjs, demo/demo.mjs) that cannot import its
// TypeScript: bundles index.ts with esbuild into a temporary file once per process and imports that.
//
//   import { loadFakeGitHub } from '../test/fake-api/load.mjs';
//   const { startFakeGitHub, paginate } = await loadFakeGitHub();
//   const github = await startFakeGitHub({ flavour: 'dotcom' });
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
let loading;

/** Resolves to the module namespace of index.ts (startFakeGitHub and the reply helpers). */
export function loadFakeGitHub() {
  loading ??= (async () => {
    const { build } = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'portico-fake-github-'));
    const outfile = join(dir, 'index.mjs');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      // operations.json and @octokit/fixtures are found relative to the sources, not the temporary bundle.
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
      // ajv and its friends are CommonJS; a bundled require() needs a real one in ESM output.
      banner: {
        js: "import { createRequire as __portico_createRequire } from 'node:module'; const require = __portico_createRequire(import.meta.url);",
      },
    });
    try {
      return await import(pathToFileURL(outfile).href);
    } finally {
      // Once imported the module lives in memory; the file is not needed again.
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return loading;
}
