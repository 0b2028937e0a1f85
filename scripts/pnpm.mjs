#!/usr/bin/env node
// Runs the pnpm version pinned in package.json's "packageManager", whether or not pnpm is installed,
// so that a machine with only Node and npm can run every repo command.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Runs pnpm with the given arguments and returns its exit status. */
export function runPnpm(args, options = {}) {
  const result = spawnSync('npm', ['exec', '--yes', `--package=${packageManager}`, '--', 'pnpm', ...args], {
    stdio: 'inherit',
    ...options,
    env: { ...process.env, npm_config_update_notifier: 'false', ...options.env },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = runPnpm(process.argv.slice(2));
}
