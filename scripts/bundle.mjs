#!/usr/bin/env node
// Bundles a server entry into one ES module plus lazily loaded chunks, so that startup reads a few files
// instead of hundreds: startup time is a headline number (see DESIGN.md, Performance).
//
//   node scripts/bundle.mjs <entry> <outdir> [--external name]...
//
// Heavy or native packages (better-sqlite3, puppeteer) stay external and are imported on first use.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { external: { type: 'string', multiple: true, default: [] } },
});
const [entry, outdir] = positionals;
if (!entry || !outdir) {
  console.error('usage: node scripts/bundle.mjs <entry> <outdir> [--external name]...');
  process.exit(2);
}

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { index: entry },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  external: values.external,
  chunkNames: 'chunks/[name]-[hash]',
  // Some bundled CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: { js: "import { createRequire as __porticoCreateRequire } from 'node:module'; const require = __porticoCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
