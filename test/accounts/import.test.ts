import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createImport, processImport } from '../../accounts/import.js';
import { mapColumns, parseCsv, validateRows } from '../../accounts/csv-rows.js';
import { normalizeDomain } from '../../accounts/normalize.js';
import { run } from '../../db/index.js';
import { buildWorkspace } from '../support/builders.js';
import { createTestDb, describeEachBackend, type TestDb } from '../support/db.js';
import { TEST_SECRET } from '../support/context.js';
import { ROOT } from '../support/process.js';

const execFileP = promisify(execFile);
const FIXTURE = path.join(__dirname, '../fixtures/accounts/accounts-with-bad-rows.csv');

describe('csv rows (pure)', () => {
  it('matches loose headers and reports each bad row with its spreadsheet row number', () => {
    const parsed = parseCsv(readFileSync(FIXTURE));
    const mapping = mapColumns('accounts', parsed.headers);
    expect(mapping).toMatchObject({
      name: 'Company',
      domain: 'Website',
      owner: 'Owner Email',
      time_zone: 'Timezone',
      tags: 'Tags',
    });
    const rows = validateRows('accounts', parsed, mapping);
    const bad = rows.filter((r) => !r.ok).map((r) => ({ row: r.row, errors: (r as { errors: string[] }).errors }));
    expect(bad).toEqual([
      { row: 4, errors: ['Name (column "Company") is required'] },
      { row: 5, errors: ['Domain (column "Website"): "not a domain" is not a domain like acme.com'] },
      { row: 6, errors: ['Time zone must be an IANA name like Europe/Berlin'] },
    ]);
    const first = rows[0]!;
    expect(first.ok && first.value).toMatchObject({ domain: 'acme-robotics.example', tags: ['robotics', 'series-b'] });
  });

  it("words zod's refusals with the field and, when its header differs, the spreadsheet column (issue 16)", () => {
    const parsed = parseCsv(
      `Work Email,First Name,Job Title,Champion,TZ\nnope,Jo,${'x'.repeat(301)},maybe,Mars/Base\njo@x.example,Jo,CEO,yes,UTC\n`,
    );
    const [bad, good] = validateRows('contacts', parsed, mapColumns('contacts', parsed.headers));
    expect(good!.ok).toBe(true);
    expect(bad).toMatchObject({
      row: 2,
      ok: false,
      errors: [
        'Email (column "Work Email") is missing or not an address',
        'Title (column "Job Title") must be at most 300 characters',
        'Time zone (column "TZ") must be an IANA name like America/New_York',
        'Champion must be yes/no, got "maybe"',
      ],
    });
  });

  it('normalises domains and refuses non-hosts', () => {
    expect(normalizeDomain('HTTPS://WWW.Example.co.uk/path?q=1')).toBe('example.co.uk');
    expect(normalizeDomain('acme.example:8080')).toBe('acme.example');
    expect(normalizeDomain('not a domain')).toBeUndefined();
    expect(normalizeDomain('localhost')).toBeUndefined();
  });

  it('splits a full name when first and last are absent', () => {
    const parsed = parseCsv('Email,Name,Title\njo@x.example,Jo Ann Smith,CEO\n');
    const [r] = validateRows('contacts', parsed, mapColumns('contacts', parsed.headers));
    expect(r!.ok && r!.value).toMatchObject({ first_name: 'Jo', last_name: 'Ann Smith' });
  });
});

describeEachBackend('CSV import', (get) => {
  it('keeps the good rows, reports the bad ones, and is idempotent on domain', async () => {
    const { db } = get();
    const ws = await buildWorkspace(db);
    const content = readFileSync(FIXTURE, 'utf8');
    const progress: number[] = [];
    const imp = await createImport(db, { workspaceId: ws.id, kind: 'accounts', content, filename: 'a.csv' });
    const report = (await processImport(db, imp.id, { batchSize: 2, onProgress: (d) => progress.push(d) }))!;
    expect(report).toMatchObject({ total: 6, created: 3, updated: 0 });
    expect(report.errors.map((e) => e.row)).toEqual([4, 5, 6]);
    expect(progress).toEqual([2, 4, 6]);
    const stored = await run<{ status: string; error_rows: number; errors: unknown[] }>(db, {
      text: 'SELECT status, error_rows, errors FROM imports WHERE id = $1',
      values: [imp.id],
    });
    expect(stored[0]).toMatchObject({ status: 'done', error_rows: 3 });
    expect(stored[0]!.errors).toHaveLength(3);
    // A second run of a finished import does nothing; a re-import updates, never duplicates.
    expect(await processImport(db, imp.id)).toBeUndefined();
    const again = await createImport(db, { workspaceId: ws.id, kind: 'accounts', content });
    expect(await processImport(db, again.id)).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const n = await run<{ n: number }>(db, {
      text: 'SELECT count(*)::int AS n FROM accounts WHERE workspace_id = $1',
      values: [ws.id],
    });
    expect(n[0]!.n).toBe(3);
  });

  it('records a contact whose employer and title changed on re-import', async () => {
    const { db } = get();
    const ws = await buildWorkspace(db);
    const accounts = 'name,domain\nOld Co,old-co.example\nNew Co,new-co.example\n';
    await processImport(db, (await createImport(db, { workspaceId: ws.id, kind: 'accounts', content: accounts })).id);
    const v1 =
      'email,first name,last name,title,account domain,champion\npat@old-co.example,Pat,Lee,VP Sales,old-co.example,yes\n';
    expect(
      await processImport(db, (await createImport(db, { workspaceId: ws.id, kind: 'contacts', content: v1 })).id),
    ).toMatchObject({ created: 1 });
    const v2 =
      'email,first name,last name,title,account domain,champion\n' +
      'pat@old-co.example,Pat,Lee,CRO,new-co.example,yes\nx@nowhere.example,X,Y,,missing.example,\n';
    const r = (await processImport(
      db,
      (await createImport(db, { workspaceId: ws.id, kind: 'contacts', content: v2 })).id,
    ))!;
    expect(r.updated).toBe(1);
    expect(r.errors).toEqual([
      { row: 3, errors: ['no account with domain missing.example; import the account first'] },
    ]);
    expect(r.changes.map((c) => c.field).sort()).toEqual(['account_id', 'title']);
    const c = await run<{ previous_company: string; title: string }>(db, {
      text: `SELECT previous_company, title FROM contacts WHERE email = 'pat@old-co.example'`,
      values: [],
    });
    expect(c[0]).toEqual({ previous_company: 'Old Co', title: 'CRO' });
  });
});

describe('prospector import accounts (CLI) [postgres]', { timeout: 90_000 }, () => {
  let t: TestDb;
  afterAll(async () => t?.dispose());
  it('prints a per-row report, exits 3 when rows were bad, keeps the good ones', async () => {
    t = await createTestDb('postgres', { label: 'cliimport' });
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      DATABASE_URL: t.url!,
      APP_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
    };
    const res = await execFileP(process.execPath, ['bin/prospector.js', 'import', 'accounts', FIXTURE], {
      env,
      cwd: ROOT,
    }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(res.code).toBe(3);
    expect(res.stdout).toContain('accounts: 6 rows, 3 created, 0 updated, 0 unchanged, 3 with errors');
    expect(res.stdout).toContain('row 4: Name (column "Company") is required');
    expect(res.stdout).toContain('row 5: Domain (column "Website"): "not a domain" is not a domain like acme.com');
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    expect(n.rows[0]!.n).toBe(3);
    const dir = mkdtempSync(path.join(tmpdir(), 'imp-'));
    writeFileSync(path.join(dir, 'ok.csv'), 'name,domain\nZed,zed.example\n');
    const ok = await execFileP(
      process.execPath,
      ['bin/prospector.js', 'import', 'accounts', path.join(dir, 'ok.csv'), '--json'],
      { env, cwd: ROOT },
    );
    expect(JSON.parse(ok.stdout)).toMatchObject({ total: 1, created: 1, errors: [] });
  });
});
