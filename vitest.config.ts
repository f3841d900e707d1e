import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Most suites wait on servers, child processes and Chromium rather than compute: three files at
    // once on two cores keeps `.ci/run` under 20 minutes (1,110 tests took 21 min with two).
    maxWorkers: 3,
    // Browser and multi-process tests on a 2-core machine: room beyond the usual 5–30 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database suites create their own database per file; nothing is shared between files.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
