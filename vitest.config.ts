import { defineConfig } from 'vitest/config';

// Four projects. `unit` is the fast loop (`npm run test:fast`, under 15 s on a quiet machine): tool logic
// through the real call path in process (`connectInProcess`), the kernel, and libraries against real files and
// repositories. `protocol` spawns built servers over stdio/HTTP as a host does (framing, shutdown, both eras).
// `browser` drives real headless Chromium (the browser server's tests). `slow` holds tests that are slow by
// nature (large trees and repositories, time limits, memory bombs, attack corpora of many subprocesses), named
// *.slow.test.ts. `npm test` runs all four. `browser` also holds the MCP Apps view tests
// (servers/*/test/*.app.test.ts). The Docker step (*.docker.test.ts) has a config of its own,
// scripts/docker/vitest.config.ts, which CI runs as a separate step.
const everywhere = ['shared/test/**', 'servers/*/test/**', 'scripts/**'];
const under = (suffix: string) => everywhere.map((dir) => `${dir}/*${suffix}`);
// The browser server's tests start Chromium; they are a project of their own, outside the fast loop. So are
// the MCP Apps view tests (*.app.test.ts): each loads a server's view in Chromium inside a bridge host page.
const browserTests = ['servers/browser/test/*.test.ts'];
const appTests = ['servers/*/test/*.app.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: under('.test.ts'),
          exclude: [
            '**/*.protocol.test.ts',
            '**/*.slow.test.ts',
            '**/*.docker.test.ts',
            ...browserTests,
            ...appTests,
            '**/node_modules/**',
          ],
          testTimeout: 20_000,
          // One module graph per worker instead of per file: loading the SDK and zod again for each of some fifty
          // files cost more than the tests themselves. Unit tests keep no state in modules between files.
          isolate: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: [...browserTests, ...appTests],
          exclude: ['**/*.protocol.test.ts', '**/*.slow.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'protocol',
          include: under('.protocol.test.ts'),
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'slow',
          include: under('.slow.test.ts'),
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
