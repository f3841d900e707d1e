// The order test files start in: longest first, so the run does not end on one long file running
// alone while the other workers sit idle. Vitest sorts by the durations it cached from the last run,
// but a clean clone (CI, after `npm ci` empties node_modules/.vite) has none and falls back to file
// size, which starts e2e/embedded (the longest) somewhere in the middle. Here: the cached duration when
// there is one, else the duration measured in a full run (SECONDS), else an estimate from what the file
// starts (Chromium, `prospector` child processes, Dovecot are the slow ones), then larger files first.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per file in full runs on the 2-core CI machine (three workers), the slowest ones. */
const SECONDS: Record<string, number> = {
  'test/e2e/embedded.test.ts': 112,
  'test/crm/crm-cli.test.ts': 110,
  'test/e2e/killed.test.ts': 80,
  'test/cli/data-dir-lock.test.ts': 78,
  'test/sequencing/agents.test.ts': 76,
  'test/review-ui/review-browser.test.ts': 75,
  'test/signals/cli.test.ts': 72,
  'test/cli/start.test.ts': 61,
  'test/cli/build.test.ts': 59,
};

/** Files that start Chromium, `prospector` processes or Dovecot: tens of seconds each. */
const SLOW = /support\/browser\.js|useBrowserApp|startProcess\(|bin\/prospector\.js|support\/dovecot\.js|\/stack\.js'/;
const SLOW_ESTIMATE = 40;

export class LongestFirstSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const estimate = new Map<TestSpecification, number>();
    for (const f of files) {
      const rel = path.relative(root, f.moduleId).split(path.sep).join('/');
      const cached = this.ctx.cache.getFileTestResults(`${f.project.name}:${rel}`);
      if (cached && !cached.failed) {
        estimate.set(f, cached.duration / 1000);
        continue;
      }
      let seconds = SECONDS[rel];
      seconds ??= SLOW.test(readFileSync(f.moduleId, 'utf8')) ? SLOW_ESTIMATE : 0;
      // Among files with the same estimate, larger first (vitest's own fallback); size in seconds' millionths.
      estimate.set(f, seconds + statSync(f.moduleId).size / 1e9);
    }
    return Promise.resolve([...files].sort((a, b) => estimate.get(b)! - estimate.get(a)!));
  }
}
