import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../db/migrate.js';
import { createTestDb, describeEachBackend, type TestDb } from '../support/db.js';
import { TEST_SECRET } from '../support/context.js';

const execFileP = promisify(execFile);

describeEachBackend('migrations', (get) => {
  it('apply once, then a second run applies nothing and changes nothing', async () => {
    const { db } = get();
    const again = await migrate(db);
    expect(again).toEqual([]);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(listMigrations().map((m) => m.version));
  });

  it('create the hot-path indexes', async () => {
    const { rows } = await get().db.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const names = rows.map((r) => r.indexname);
    for (const ix of ['sequence_steps_due_idx', 'sequences_review_idx', 'signals_fingerprint_uq', 'contacts_email_uq'])
      expect(names).toContain(ix);
  });

  it('roll back a failing migration entirely', async () => {
    const { db } = get();
    const bad = [
      { version: 9001, name: '9001_bad.sql', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' },
    ];
    await expect(migrate(db, bad)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    const { rows } = await db.query(`SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`);
    expect(rows).toHaveLength(0);
    const v = await db.query(`SELECT 1 FROM schema_migrations WHERE version = 9001`);
    expect(v.rows).toHaveLength(0);
  });
});

describe('migrations from two processes at once [postgres]', { timeout: 90_000 }, () => {
  let t: TestDb;
  afterAll(async () => t?.dispose());

  it('apply each migration exactly once', async () => {
    t = await createTestDb('postgres', { migrate: false, label: 'race' });
    const env = { ...process.env, DATABASE_URL: t.url!, APP_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' };
    const runOne = () => execFileP(process.execPath, ['bin/prospector.js', 'migrate'], { env, cwd: process.cwd() });
    const results = await Promise.all([runOne(), runOne()]);
    // Each migration is its own transaction, so the two may share the work; none is applied twice.
    const applied = results.flatMap((r) =>
      r.stdout.trim().startsWith('applied: ') ? r.stdout.trim().slice(9).split(', ') : [],
    );
    expect(applied.sort()).toEqual(
      listMigrations()
        .map((m) => m.name)
        .sort(),
    );
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]!.n).toBe(listMigrations().length);
  });
});

describeEachBackend('value shapes', (get) => {
  it('bigint, bigint[] and numeric come back as numbers on both backends', async () => {
    const { rows } = await get().db.query<{ x: number[]; y: number; z: number }>(
      `SELECT ARRAY[1, 2]::bigint[] AS x, 5::bigint AS y, 1.25::numeric AS z`,
    );
    expect(rows[0]).toEqual({ x: [1, 2], y: 5, z: 1.25 });
  });
});
