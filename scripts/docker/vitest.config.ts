import { defineConfig } from 'vitest/config';

// The Docker step runs on its own (`.ci/run`, after conformance): it builds six images and may take minutes,
// so it stays out of the root config's projects and out of `npm test`.
export default defineConfig({
  test: {
    name: 'docker',
    root: new URL('../..', import.meta.url).pathname,
    include: ['scripts/docker/*.docker.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One file, in order: the builds share one layer cache and the machine has few cores.
    fileParallelism: false,
  },
});
