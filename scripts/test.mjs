#!/usr/bin/env node
// Runs every test (vitest: unit and protocol projects) and ends with one plain summary line,
// "Tests: N passed, N failed", so that any CI reader can count the tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'portico-test-'));
const report = join(dir, 'vitest.json');
const result = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let summary = 'Tests: 0 passed, 0 failed';
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = json.numPendingTests + json.numTodoTests;
  summary = `Tests: ${json.numPassedTests} passed, ${json.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
} catch {
  // No report means vitest failed before running anything; its own output says why.
}
rmSync(dir, { recursive: true, force: true });
console.log(summary);
process.exitCode = result.status ?? 1;
