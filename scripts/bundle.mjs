#!/usr/bin/env node
// Bundles a server entry for fast startup, which is a headline number (DESIGN.md, Performance):
//
//   node scripts/bundle.mjs <entry> <outdir> [--external name]... [--worker entry]...
//
// Output:
//   <outdir>/server.cjs        the whole server as one CommonJS script (dependencies included)
//   <outdir>/index.js          the bin: a small loader that compiles server.cjs with V8's code cache
//   <outdir>/server.cjs.cache  the code cache, written by a first run at build time
//   <outdir>/<worker>.cjs      each --worker entry (a worker_threads script) as its own CommonJS script,
//                              named after its source file; the server finds it beside server.cjs
//
// Why a script and a code cache: most of a server's startup is V8 compiling and running the SDK and zod. A
// CommonJS script can be compiled through vm.Script with cached data, which skips most of that compilation;
// ES modules cannot be on Node 20. The cache is only a hint: V8 rejects one from another Node version and the
// loader then compiles as usual (and tries to write a fresh cache for next time).
//
// Heavy or native packages (better-sqlite3, pdfjs-dist) stay external and are loaded on first use.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    external: { type: 'string', multiple: true, default: [] },
    worker: { type: 'string', multiple: true, default: [] },
  },
});
const [entry, outdir] = positionals;
if (!entry || !outdir) {
  console.error('usage: node scripts/bundle.mjs <entry> <outdir> [--external name]...');
  process.exit(2);
}

const LOADER = `#!/usr/bin/env node
// Loads server.cjs through V8's code cache (see scripts/bundle.mjs in the Portico repository).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const filename = fileURLToPath(new URL('./server.cjs', import.meta.url));
const cacheFile = filename + '.cache';
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {}
const source = readFileSync(filename, 'utf8');
const script = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', {
  filename,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData === undefined || script.cachedDataRejected) {
  // Written at exit so that it also holds the functions compiled while serving; best effort (the package
  // directory may be read-only), and atomic so that concurrent servers never read half a cache.
  process.once('exit', () => {
    try {
      const temporary = cacheFile + '.' + process.pid;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch {}
  });
}
// External packages are imported through this module's own import() (see importExternal in the kernel):
// import() inside a script restored from the code cache has no module loader to call.
globalThis.__porticoImport = (specifier) => import(specifier);
const module = { exports: {}, filename, id: filename, loaded: false };
script.runInThisContext()(module.exports, createRequire(filename), module, filename, dirname(filename));
`;

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const scriptOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  external: values.external,
  // Bundled sources may use import.meta.url; in the script it is the script's own file URL.
  define: { 'import.meta.url': '__porticoImportMetaUrl' },
  banner: { js: "var __porticoImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};
await build({ ...scriptOptions, entryPoints: [entry], outfile: join(outdir, 'server.cjs') });
// A worker thread loads its script with Node's own loader (no vm.Script, no code cache): a plain bundle.
for (const worker of values.worker) {
  await build({
    ...scriptOptions,
    entryPoints: [worker],
    outfile: join(outdir, `${basename(worker).replace(/\.[cm]?[jt]s$/, '')}.cjs`),
  });
}
// The entry's hashbang belongs to the loader; in the wrapped script it would be a syntax error. Turning it
// into a comment keeps every line where the source map expects it.
const script = join(outdir, 'server.cjs');
const bundled = await readFile(script, 'utf8');
if (bundled.startsWith('#!')) await writeFile(script, `//${bundled.slice(2)}`);
const loader = join(outdir, 'index.js');
await writeFile(loader, LOADER);
await chmod(loader, 0o755);

// One run at build time writes the code cache: --version evaluates the whole bundle and exits.
const warm = spawnSync(process.execPath, [loader, '--version'], { stdio: ['ignore', 'ignore', 'pipe'] });
if (warm.status !== 0) {
  console.error(`bundle: ${loader} --version failed:\n${warm.stderr}`);
  process.exit(1);
}
