import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs in-process against sources and is the fast loop (`npm run test:fast`);
// `protocol` spawns built servers over stdio/HTTP as a host does, and is slower.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/test/**/*.test.ts', 'servers/*/test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.protocol.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'protocol',
          include: ['shared/test/**/*.protocol.test.ts', 'servers/*/test/**/*.protocol.test.ts', 'scripts/**/*.protocol.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
