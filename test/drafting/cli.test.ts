// `prospector draft --signal ID` as a real process against a PostgreSQL test database.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/context.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { json, startFakeAnthropic, text, type FakeAnthropic } from '../support/fake-anthropic.js';
import { buildDraftWorkspace, buildScene, goodFundingDraft, type Scene } from './builders.js';

const execFileP = promisify(execFile);

describe('prospector draft [postgres]', () => {
  let t: TestDb;
  let fake: FakeAnthropic;
  let scene: Scene;
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANTHROPIC_')));
    try {
      const r = await execFileP(process.execPath, ['bin/prospector.js', 'draft', ...args], {
        env: { ...base, DATABASE_URL: t.url!, APP_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', ...env },
        cwd: process.cwd(),
      });
      return { code: 0, stdout: r.stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    t = await createTestDb('postgres', { label: 'draftcli' });
    fake = await startFakeAnthropic();
    const ws = await buildDraftWorkspace(t.db);
    scene = await buildScene(t.db, ws, 'funding');
  });
  afterAll(async () => {
    await fake?.close();
    await t?.dispose();
  });

  it('drafts offline without an API key and prints steps, citations and gate verdicts', async () => {
    const r = await cli(['--signal', String(scene.signalId)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('version 1: offline draft (no API key)');
    expect(r.stdout).toContain(`[cites ${scene.factIds[1]}] Northwind Analytics plans to double its sales team`);
    expect(r.stdout).toMatch(/pass {2}grounding/);
  });

  it('redrafts the same signal with Claude as JSON, as version 2 of the same sequence', async () => {
    const bad = goodFundingDraft(scene.factIds, scene.fixture.account.domain);
    bad.steps[2]!.body += ' [Company]';
    fake.enqueue(json(bad), json(bad));
    const r = await cli(['--signal', String(scene.signalId), '--json'], {
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: fake.url,
    });
    expect(r.code).toBe(3); // a gate still fails: shown, and sent to review marked
    const out = JSON.parse(r.stdout);
    expect(out.drafts).toHaveLength(1);
    expect(out.drafts[0]).toMatchObject({ version: 2, drafter: 'llm', failures: [{ gate: 'placeholders', step: 3 }] });
    expect(out.drafts[0].gates.find((g: { gate: string }) => g.gate === 'placeholders').ok).toBe(false);
    expect(out.drafts[0].steps[0].citations[0]).toMatchObject({
      id: scene.factIds[0],
      sourceUrl: expect.stringContaining('news.example'),
    });
  });

  it('says when the model answer failed twice and the offline draft was kept, with both calls and their cost', async () => {
    fake.enqueue(text('Sure! Here is the sequence.', { output_tokens: 300 }), text('not json either'));
    const r = await cli(['--signal', String(scene.signalId)], {
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MAX_RETRIES: '0',
    });
    expect(r.stdout).toMatch(/version \d+: model answer failed twice, offline draft kept \(2 calls, \$0\.\d{4}\)/);
    expect(r.stdout).not.toContain('no API key');
    const rows = await t.db.query<{ purpose: string; cost_usd: number }>(
      `SELECT purpose, cost_usd::float8 AS cost_usd FROM llm_usage WHERE signal_id = $1 ORDER BY id DESC LIMIT 2`,
      [scene.signalId],
    );
    expect(rows.rows.map((x) => x.purpose).sort()).toEqual(['draft', 'draft.retry']);
    expect(rows.rows.every((x) => x.cost_usd > 0)).toBe(true);
  });

  it('says so when the signal does not exist', async () => {
    const r = await cli(['--signal', '999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NOT_FOUND');
  });
});
