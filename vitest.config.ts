import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { gapLine, programGaps, ProgramGapsReporter } from './test/support/programs.js';
import { LongestFirstSequencer } from './test/support/sequencer.js';

// Suites that need a system program this machine lacks (Chromium, Dovecot) are left out and named in one line at
// the end; CI (PROSPECTOR_REQUIRE_ALL=1) runs everything or fails.
const gaps = programGaps(path.dirname(fileURLToPath(import.meta.url)));
if (gaps.length && process.env.PROSPECTOR_REQUIRE_ALL === '1') throw new Error(gapLine(gaps));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...gaps.flatMap((g) => g.files)],
    reporters: ['default', new ProgramGapsReporter(gaps)],
    pool: 'forks',
    // PGlite is PostgreSQL compiled to WASM: V8 compiles it quickly (Liftoff) and then again, optimised,
    // on background threads (TurboFan) - most of a test database's start, and CPU the short-lived test
    // workers never earn back. Liftoff only: 22.1 and 23.0 -> 17.8 and 16.8 CPU-s for send.test.ts and
    // review-http.test.ts together (both backends), same results.
    execArgv: ['--liftoff-only'],
    // Longest files first, also on a clean clone with no cached durations (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    // Most suites wait on servers, child processes and Chromium rather than compute: three files at
    // once on two cores keeps `.ci/run` under 20 minutes (1,110 tests took 21 min with two).
    maxWorkers: 3,
    // Browser and multi-process tests on a 2-core machine: room beyond the usual 5–30 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database suites create their own database per file; nothing is shared between files. With no PostgreSQL
    // at TEST_DATABASE_URL, the global setup starts an embedded one for the run.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
