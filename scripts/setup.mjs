#!/usr/bin/env node
// Installs and builds the workspace, so that `npm test`, `npm run demo` and the other root commands
// work on a machine that has only Node and npm.
import { existsSync } from 'node:fs';
import { runPnpm } from './pnpm.mjs';

// Native addons (better-sqlite3) must compile against the local Node headers: nothing may be downloaded.
const env = {};
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

const steps = [
  ['install', '--frozen-lockfile', '--reporter=append-only'],
  ['run', 'build'],
];
for (const args of steps) {
  const status = runPnpm(args, { env });
  if (status !== 0) {
    console.error(`setup: pnpm ${args.join(' ')} failed with status ${status}`);
    process.exit(status);
  }
}
