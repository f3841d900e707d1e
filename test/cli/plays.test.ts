import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/context.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { ROOT } from '../support/process.js';

const execFileP = promisify(execFile);

describe('prospector play and enroll (CLI) [postgres]', { timeout: 120_000 }, () => {
  let t: TestDb;
  afterAll(async () => t?.dispose());

  it('a new workspace starts with the default plays; a contact can be enrolled by hand', async () => {
    t = await createTestDb('postgres', { label: 'cliplays' });
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      DATABASE_URL: t.url!,
      APP_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
    };
    const cli = (...args: string[]) =>
      execFileP(process.execPath, ['bin/prospector.js', ...args], { env, cwd: ROOT, timeout: 60_000 });
    await cli('user', 'add', '--email', 'ops@test.example', '--role', 'revops');
    const list = (await cli('play', 'list')).stdout;
    expect(list).toMatch(/\bon\s+v1\s+Funding: Series A or later/);
    expect(list).toMatch(/Onboarding: trial signup/);
    // A table: a header, then one row a play with its trigger in words.
    expect(list.split('\n')[0]).toMatch(/^ID\s+STATE\s+VERSION\s+NAME\s+TRIGGER$/);
    expect(list).toMatch(/Funding: Series A or later\s+signal funding \(series_a or later\)/);
    const json = JSON.parse((await cli('play', 'list', '--json')).stdout) as { id: number; name: string }[];
    expect(json.length).toBe(list.trim().split('\n').length - 1);
    expect(json.map((p) => p.name)).toContain('Funding: Series A or later');
    const funding = /^(\d+)\s+on\s+v1\s+Funding/m.exec(list)![1]!;
    const show = (await cli('play', 'show', funding)).stdout;
    expect(show).toContain(
      'Sales leadership: sales, revenue, commercial, business development, growth; exclude: engineer, intern, ' +
        'assistant, coordinator; seniority: c_level, vp, head, director',
    );
    expect(show).toContain('2 contact(s) per account, skip if contacted in 90 days, 24 h between first sends');

    const ws = (await t.db.query<{ id: number }>('SELECT id FROM workspaces ORDER BY id LIMIT 1')).rows[0]!.id;
    const acc = (
      await t.db.query<{ id: number }>(
        `INSERT INTO accounts (workspace_id, name, domain) VALUES ($1, 'Orbit', 'orbit.example') RETURNING id`,
        [ws],
      )
    ).rows[0]!.id;
    await t.db.query(
      `INSERT INTO contacts (workspace_id, account_id, first_name, email, title) VALUES ($1, $2, 'Ola', 'ola@orbit.example', 'CRO')`,
      [ws, acc],
    );
    const out = (
      await cli('enroll', '--play', funding, '--contact', 'ola@orbit.example', '--note', 'asked for a follow-up')
    ).stdout;
    expect(out).toMatch(/enrolled 1 contact\(s\): signal (\d+); research is queued/);
    const signalId = Number(/signal (\d+)/.exec(out)![1]);
    const s = (
      await t.db.query<{ play_id: number; target_contact_ids: number[]; status: string }>(
        'SELECT play_id, target_contact_ids, status FROM signals WHERE id = $1',
        [signalId],
      )
    ).rows[0]!;
    expect(s).toMatchObject({ play_id: Number(funding), status: 'new' });
    expect(s.target_contact_ids).toHaveLength(1);
    const jobs = await t.db.query(
      `SELECT 1 FROM pgboss.job WHERE name = 'research' AND (data->>'signalId')::int = $1`,
      [signalId],
    );
    expect(jobs.rows).toHaveLength(1);

    const missing = await cli('enroll', '--play', funding, '--contact', 'nobody@orbit.example').then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no contact with email nobody@orbit.example');
  });
});
