// System programs some suites drive for real (Debian's Chromium and Dovecot). On a machine without one, `npm test`
// leaves out the suites that need it and says so in one loud line at the end of the run, with the install command;
// PROSPECTOR_REQUIRE_ALL=1 (set by .ci/run) turns any such gap into a failure, so CI always runs everything.
// A suite needs a program when its source matches the program's `uses` pattern (it imports the helper that starts it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter } from 'vitest/reporters';

interface Program {
  name: string;
  bin: string;
  install: string;
  uses: RegExp;
}

const PROGRAMS: Program[] = [
  {
    name: 'Chromium',
    bin: '/usr/bin/chromium',
    install: 'apt-get install -y chromium',
    uses: /support\/browser\.js|findChromium\(/,
  },
  {
    name: 'Dovecot',
    bin: process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot',
    install: 'apt-get install -y dovecot-imapd',
    uses: /support\/dovecot\.js|from '\.\/stack\.js'/,
  },
];

function missingPrograms(): Program[] {
  return PROGRAMS.filter((p) => !existsSync(p.bin));
}

/** True when `name` (as in PROGRAMS) is not installed: for the odd test, inside an otherwise runnable suite. */
export function lacks(name: string): boolean {
  return missingPrograms().some((p) => p.name === name);
}

interface ProgramGap {
  program: Program;
  /** Test files (relative to the repository) left out for want of it. */
  files: string[];
}

/** The suites under `root`/test that need a missing program, per program. */
export function programGaps(root: string, missing = missingPrograms()): ProgramGap[] {
  if (!missing.length) return [];
  const files = readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join('test', f));
  return missing.map((program) => ({
    program,
    files: files.filter((f) => program.uses.test(readFileSync(path.join(root, f), 'utf8'))),
  }));
}

export function gapLine(gaps: ProgramGap[]): string {
  const parts = gaps.map(
    (g) => `${g.program.name} is missing, ${g.files.length} suites not run (${g.program.install})`,
  );
  return `!!! INCOMPLETE TEST RUN: ${parts.join('; ')}. CI sets PROSPECTOR_REQUIRE_ALL=1 and fails on this. !!!`;
}

/** Prints the gap line after vitest's own summary, where it cannot be missed. */
export class ProgramGapsReporter implements Reporter {
  constructor(private readonly gaps: ProgramGap[]) {}
  onTestRunEnd() {
    if (!this.gaps.length) return;
    const line = gapLine(this.gaps);
    process.stdout.write(`\n${process.stdout.isTTY ? `\x1b[1;33m${line}\x1b[0m` : line}\n\n`);
  }
}
