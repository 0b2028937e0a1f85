import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// The bundled server runs as a script through vm.Script (see scripts/bundle.mjs), where a bare import() of an
// external package fails once the code comes from V8's code cache. The bundle's loader is a real ES module
// and provides an import function for it.
type ImportFunction = (specifier: string) => Promise<unknown>;

/**
 * Imports a package kept outside the bundle (native or ESM-only: better-sqlite3, pdfjs-dist) on first use,
 * resolved from `from` (the caller's `import.meta.url`), so that it works bundled and from sources alike.
 */
export async function importExternal<T>(specifier: string, from: string): Promise<T> {
  const url = pathToFileURL(createRequire(from).resolve(specifier)).href;
  const bundledImport = (globalThis as { __porticoImport?: ImportFunction }).__porticoImport;
  return (await (bundledImport ? bundledImport(url) : import(url))) as T;
}
