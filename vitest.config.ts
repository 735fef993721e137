import { defineConfig } from 'vitest/config';

// Suites that start real servers, influxd or Chromium. Everything else under
// test/ is a unit test and must stay fast.
const integrationSuites = ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'];
const excluded = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    // Standalone on purpose: merging vite.config.ts would pull in the web
    // build's root and plugins, which would change where tests are found.
    reporters: [
      'default',
      // Read by .ci/run to print a 'N passed, N failed' closing line.
      ['json', { outputFile: 'test-artifacts/vitest-report.json' }],
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...excluded, ...integrationSuites],
          testTimeout: 15_000,
          hookTimeout: 15_000,
          // Vitest's default (cores - 1) would run unit files one by one on 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integrationSuites,
          exclude: excluded,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One integration file at a time: each starts influxd, the server,
          // broker and Chromium, and two of those stacks on 2 cores make
          // timing-sensitive assertions flaky.
          fileParallelism: false,
          // After the unit group, so unit workers don't compete with them either.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
