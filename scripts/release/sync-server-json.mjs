#!/usr/bin/env node
// Runs after `changeset version` (the root `version` script): the MCP registry lists a server at the version
// its server.json names, so each server.json must name the version changesets just wrote to package.json.
//
//   node scripts/release/sync-server-json.mjs [repo-root]
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..'));
const serversDir = join(root, 'servers');
for (const name of readdirSync(serversDir).sort()) {
  const file = join(serversDir, name, 'server.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(join(serversDir, name, 'package.json'), 'utf8'));
  const server = JSON.parse(readFileSync(file, 'utf8'));
  server.version = pkg.version;
  for (const entry of server.packages ?? []) {
    if (entry.registryType === 'npm' && entry.identifier === pkg.name) entry.version = pkg.version;
  }
  const text = `${JSON.stringify(server, null, 2)}\n`;
  if (text !== readFileSync(file, 'utf8')) {
    writeFileSync(file, text);
    console.log(`server.json: ${pkg.name} ${pkg.version}`);
  }
}
