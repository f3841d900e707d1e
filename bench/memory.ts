// Memory benchmark: RSS of an idle `prospector worker` (PostgreSQL) and of `prospector start
// --demo` (the `npm start` command, embedded PGlite in a temp DATA_DIR), each against a baseline
// process that is the same command with the heavy packages it used to import eagerly preloaded
// (bench/eager-baseline.mjs). Children run one at a time; RSS is read from /proc after the
// process is ready and has idled N seconds, with the peak (VmHWM) beside it.
//
//   npx tsx bench/memory.ts [idleSeconds=20] [worker|start|both]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb } from '../test/support/db.js';
import { cleanEnv, ROOT, startProcess } from '../test/support/process.js';

const IDLE = Number(process.argv[2] ?? 20);
const which = process.argv[3] ?? 'both';
const SECRET = 'bench-memory-app-secret-0123456789abcdef';
const BASELINE = `--import=${path.join(ROOT, 'bench/eager-baseline.mjs')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => Math.round(kb / 1024);

function memOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** `eager`: the old imports preloaded; `tsx`: run through tsx's loader, as before bin/build.js; `now`: as shipped. */
type Mode = 'eager' | 'tsx' | 'now';
async function measure(args: string[], env: Record<string, string>, ready: RegExp, mode: Mode) {
  const extra: Record<string, string> =
    mode === 'eager' ? { NODE_OPTIONS: BASELINE } : mode === 'tsx' ? { PROSPECTOR_TSX: '1' } : {};
  const p = startProcess(args, cleanEnv({ ...env, ...extra }));
  try {
    // Logs go to stderr, the start banner to stdout.
    for (const end = Date.now() + 180_000; !ready.test(p.stdout() + p.stderr()); await sleep(200)) {
      if (p.child.exitCode !== null || Date.now() > end)
        throw new Error(`not ready (${ready}): ${p.stdout()}\n${p.stderr().slice(-2000)}`);
    }
    await sleep(IDLE * 1000);
    return memOf(p.child.pid!);
  } finally {
    await p.stop();
  }
}

async function pair(label: string, run: (mode: Mode) => Promise<{ rss: number; peak: number }>) {
  const base = await run('eager');
  const tsx = await run('tsx');
  const now = await run('now');
  const vs = (name: string, b: { rss: number; peak: number }) =>
    `RSS ${mb(now.rss)} MB vs ${name} ${mb(b.rss)} MB = ${(now.rss / b.rss).toFixed(2)}×` +
    `, peak ${mb(now.peak)} vs ${mb(b.peak)} MB = ${(now.peak / b.peak).toFixed(2)}×`;
  console.log(`${label.padEnd(24)} ${vs('eager', base)}\n${''.padEnd(24)} ${vs('tsx', tsx)}`);
}

console.log(`idle ${IDLE} s after ready; ratios = as shipped / eager imports, and / through tsx (same run)`);
if (which === 'worker' || which === 'both') {
  const t = await createTestDb('postgres', { label: 'bench_memory' });
  try {
    const env = { DATABASE_URL: t.url!, APP_SECRET: SECRET, LOG_LEVEL: 'info' };
    await pair('prospector worker', (m) => measure(['worker'], env, /agents\.started/, m));
  } finally {
    await t.dispose();
  }
}
if (which === 'start' || which === 'both') {
  const run = async (mode: Mode) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prospector-bench-mem-'));
    try {
      const env = { DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
      return await measure(['start', '--demo'], env, /Prospector is running at/, mode);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await pair('prospector start --demo', run);
}
process.exit(0);
