// A newcomer's first minutes, for real: one `prospector start --demo` process on the embedded
// PGlite in a fresh data folder. Without touching anything the demo feeds, newsroom and job board
// start signals that become cited drafts; the rep approves one with the keyboard, sends it now from
// the demo controls into the local outbox, answers it as the prospect, and the sequence stops; the
// manager's funnel shows it. Screenshots feed the README walkthrough. States are then read from the
// process's own database once it has stopped.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../db/index.js';
import { openPglite } from '../../db/pglite.js';
import { DEFAULT_WINDOW, DEMO_ACCOUNTS, FALLBACK_WINDOW } from '../../demo/data.js';
import { isSendableAt } from '../../sequencing/schedule.js';
import { launchBrowser, login, screenshot } from '../support/browser.js';
import { seedPgliteDataDir } from '../support/pglite-image.js';
import { cleanEnv, startProcess, type Proc } from '../support/process.js';
import { eventually } from '../support/eventually.js';
import { freePort } from './helpers.js';

let proc: Proc | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await proc?.stop('SIGKILL');
});

interface QueueItem {
  id: number;
  signal_type: string;
  signal_title: string;
  version: number;
  account_name: string;
}
interface DraftJson {
  draft: { version: number; status: string };
  facts: { id: number; source_url: string }[];
  steps: { position: number; status: string; cited_fact_ids: number[]; scheduled_at: string | null }[];
  signal: { url: string };
}

async function api<T>(page: Page, url: string): Promise<T> {
  const res = await page.request.get(url);
  expect(res.status(), url).toBe(200);
  return (await res.json()) as T;
}

describe('a newcomer on the embedded default (prospector start --demo, PGlite)', { timeout: 420_000 }, () => {
  it(`demo signals become cited drafts on their own; approve with the keyboard, send now, simulate a reply: the \
sequence stops and the funnel shows it`, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'prospector-e2e-demo-'));
    // The data folder holds the migrated, empty database from the test image (initdb and migrations
    // on a first start are test/cli/start.test.ts's); everything the demo seeds starts here.
    await seedPgliteDataDir(dataDir);
    const port = await freePort();
    proc = startProcess(['start', '--demo'], cleanEnv({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' }));
    // A loaded machine may take minutes to migrate and seed the embedded database.
    const [, base] = await proc.waitFor(/running at (http:\/\/127\.0\.0\.1:\d+)/, 180_000);
    const [, repEmail, repPassword] = await proc.waitFor(/rep\s+(\S+@\S+)\s+(\S+)/);
    const [, managerEmail, managerPassword] = await proc.waitFor(/manager\s+(\S+@\S+)\s+(\S+)/);
    const started = Date.now();

    browser = await launchBrowser();
    const rep = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await login(rep, base!, repEmail!, repPassword!);

    // Within two minutes, untouched: drafts from a funding, a job change, a news and a hiring signal.
    const types = ['funding', 'job_change', 'news', 'hiring'];
    const queue = await eventually(
      'drafts of all four signal types',
      async () => {
        const q = await api<{ items: QueueItem[] }>(rep, `${base}/api/queue`);
        return types.every((t) => q.items.some((i) => i.signal_type === t)) ? q.items : undefined;
      },
      { timeout: 150_000, every: 2_000 },
    );
    expect(Date.now() - started).toBeLessThan(150_000);
    for (const t of types) {
      const item = queue.find((i) => i.signal_type === t)!;
      const d = await api<DraftJson>(rep, `${base}/api/drafts/${item.id}`);
      expect(d.facts.length, `${t} dossier`).toBeGreaterThan(0);
      // The dossier quotes the signal's own article, and the opener cites the dossier.
      expect(
        d.facts.some((f) => f.source_url === d.signal.url),
        `${t} cites its article`,
      ).toBe(true);
      expect(d.steps[0]!.cited_fact_ids.length, `${t} opener citations`).toBeGreaterThan(0);
    }
    await rep.goto(`${base}/queue`);
    await screenshot(rep, 'walkthrough-1-queue');

    // Approve the job-change draft with the keyboard: `a` on the draft page.
    const pick = queue.find((i) => i.signal_type === 'job_change')!;
    await rep.goto(`${base}/drafts/${pick.id}`);
    await screenshot(rep, 'walkthrough-2-draft');
    await Promise.all([rep.waitForURL((u) => u.pathname !== `/drafts/${pick.id}`), rep.keyboard.press('a')]);
    const approved = await api<DraftJson>(rep, `${base}/api/drafts/${pick.id}`);
    expect(approved.draft.status).toBe('active');
    const opener = approved.steps.find((s) => s.position === 1)!;
    expect(opener.status).toBe('scheduled');
    // …in the recipient's sending window (the contact has no zone of its own: the account's).
    const zone = DEMO_ACCOUNTS.find((a) => a.name === pick.account_name)!.timeZone;
    expect(
      isSendableAt(new Date(opener.scheduled_at!), zone, {
        window: DEFAULT_WINDOW,
        fallback: FALLBACK_WINDOW,
        fallbackAfterDays: 3,
      }),
    ).toBe(true);

    // The demo control sends it now, through the real send path, into the local outbox.
    await rep.goto(`${base}/outbox`);
    await screenshot(rep, 'walkthrough-3-outbox-demo-controls');
    await Promise.all([
      rep.waitForURL(/\/outbox\?sent=/),
      rep.getByRole('button', { name: /Send due steps now/ }).click(),
    ]);
    expect(await rep.getByRole('status').textContent()).toContain('1 sent now');
    await Promise.all([rep.waitForURL(/\/outbox\/\d+$/), rep.locator('table.list a').first().click()]);
    const eml = rep.locator('article.eml');
    expect(await eml.locator('dl').textContent()).toContain('Message-ID');
    expect(await eml.locator('dl').textContent()).toContain('List-Unsubscribe');
    await screenshot(rep, 'walkthrough-4-sent-message');

    // "Simulate reply": raw mail through the inbound path; the sequence stops.
    await rep.getByLabel('Reply text').fill('Good timing <b>really</b>. Could we talk on Tuesday?');
    await Promise.all([rep.waitForURL(/replied=1/), rep.getByRole('button', { name: 'Simulate reply' }).click()]);
    expect(await rep.locator('main').textContent()).toContain('stopped');
    expect(await rep.locator('main').textContent()).toContain('Good timing <b>really</b>'); // escaped, shown as text
    await screenshot(rep, 'walkthrough-5-replied');

    const manager = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await login(manager, base!, managerEmail!, managerPassword!);
    const funnel = await api<{ rows: { key: string; counts: Record<string, number> }[] }>(
      manager,
      `${base}/api/funnel`,
    );
    expect(funnel.rows.find((r) => r.key === 'job_change')!.counts).toMatchObject({ approved: 1, sent: 1, replied: 1 });
    await manager.goto(`${base}/dashboard`);
    await screenshot(manager, 'walkthrough-6-dashboard');

    // The process's own database, read after it stopped.
    expect(await proc.stop('SIGTERM')).toBe(0);
    const db = await openPglite(path.join(dataDir, 'pgdata'));
    try {
      const [seq] = await run<{ status: string; stop_reason: string }>(db, {
        text: 'SELECT status, stop_reason FROM sequences WHERE id = $1',
        values: [pick.id],
      });
      expect(seq).toMatchObject({ status: 'stopped', stop_reason: 'replied' });
      const steps = await run<{ position: number; status: string }>(db, {
        text: 'SELECT position, status FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
        values: [pick.id],
      });
      expect(steps[0]!.status).toBe('sent');
      expect(steps.slice(1).every((s) => s.status !== 'sent' && s.status !== 'scheduled')).toBe(true);
      const out = await run<{ step_id: number; n: number }>(db, {
        text: `SELECT step_id, count(*)::int AS n FROM messages WHERE direction = 'out' GROUP BY step_id`,
        values: [],
      });
      expect(out).toEqual([{ step_id: expect.any(Number), n: 1 }]);
      const inbound = await run<{ classification: string }>(db, {
        text: `SELECT classification FROM messages WHERE direction = 'in' AND sequence_id = $1`,
        values: [pick.id],
      });
      expect(inbound).toEqual([{ classification: 'reply' }]);
      const events = await run<{ type: string }>(db, {
        text: `SELECT type FROM events WHERE sequence_id = $1 ORDER BY occurred_at, id`,
        values: [pick.id],
      });
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['sent', 'reply']));
    } finally {
      await db.close();
    }
  });
});
