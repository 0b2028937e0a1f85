#!/usr/bin/env node
// Builds one MCP Apps view as a single self-contained HTML file (the ui:// resource a host renders):
//
//   node scripts/build-app.mjs <entry.ts> <out.html> --title "<title>"
//
// The entry (with the ext-apps App class) is bundled into one inline script, and <entry>.css beside it into an
// inline style: a view's default CSP allows no fetches, so nothing may be loaded from anywhere.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { title: { type: 'string', default: 'View' } },
});
const [entry, out] = positionals;
if (!entry || !out) {
  console.error('usage: node scripts/build-app.mjs <entry.ts> <out.html> --title "<title>"');
  process.exit(2);
}

// zod (which the ext-apps App validates messages with) re-exports every locale it has; a view needs English
// only, and the other forty-odd locales are most of the script's weight.
const englishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), args.path.replace('index.js', 'en.js')), namespace: 'zod-en' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

const result = await build({
  plugins: [englishOnly],
  entryPoints: [entry],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const script = result.outputFiles[0].text.replaceAll('</script', '<\\/script');
const css = await readFile(entry.replace(/\.ts$/, '.css'), 'utf8').catch(() => '');
const escapeHtml = (text) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(values.title)}</title>
<style>${css.replace(/\s*\n\s*/g, '')}</style>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script>${script}</script>
</body>
</html>
`;
await mkdir(dirname(out), { recursive: true });
await writeFile(out, html);
console.log(`${out}: ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB`);
