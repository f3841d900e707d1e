// The reps' day in a real browser: log in, clear a queue with the keyboard, edit then approve,
// reject with a reason, regenerate, hostile text shown as text, 403 and CSRF refusals.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { Queues } from '../../agents/queues.js';
import { run } from '../../db/index.js';
import type { TestWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';

const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describeEachBackend(
  'review UI in Chromium',
  (get) => {
    let page: Page;

    // A model is configured (never called: the drafter does not run here), so a rewrite may carry
    // an instruction; without one the page refuses it (review-http.test.ts).
    const app = useBrowserApp(get, {
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
      viewport: { width: 1280, height: 900 },
    });

    const rep = async (): Promise<TestWorkspace> => {
      const opened = await app.as('rep');
      page = opened.page;
      return opened.ws;
    };
    const statuses = async (ids: number[]) =>
      (
        await run<{ id: number; status: string }>(app.ctx.db, {
          text: 'SELECT id, status FROM sequences WHERE id = ANY($1::bigint[]) ORDER BY id',
          values: [ids],
        })
      ).map((r) => r.status);

    it('clears a queue of three drafts with the keyboard', async () => {
      const ws = await rep();
      const drafts = [];
      const examples = [
        {
          h: 3,
          accountName: 'Contoso Health',
          signalType: 'hiring' as const,
          signalTitle: 'Contoso Health is hiring 12 account executives in Austin',
        },
        {
          h: 2,
          accountName: 'Fabrikam Robotics',
          signalType: 'job_change' as const,
          signalTitle: 'Dana Doe joins Fabrikam Robotics as VP Sales',
          gateFailures: [{ gate: 'grounding', message: 'the number 40% is not in the research' }],
        },
        {
          h: 1,
          accountName: 'Northwind Logistics',
          signalType: 'funding' as const,
          signalTitle: 'Northwind Logistics raises a $40M Series B',
        },
      ];
      for (const { h, ...e } of examples)
        drafts.push(
          await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(h), ...e }),
        );
      await page.goto(`${app.base}/queue`);
      await expect.poll(() => page.locator('[data-queue-row]').count()).toBe(3);
      await screenshot(page, 'queue');
      // The draft a gate flagged comes first, then the newest signal.
      await page.keyboard.press('j');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent))
        .toBe('Dana Doe joins Fabrikam Robotics as VP Sales');
      await Promise.all([page.waitForURL(/\/drafts\/\d+$/), page.keyboard.press('Enter')]);
      await screenshot(page, 'draft');
      // `a` on the flagged draft asks first, naming its failures; it is approved once the box is ticked.
      await Promise.all([page.waitForURL(/\/drafts\/\d+\/approve$/), page.keyboard.press('a')]);
      expect(await page.locator('#main').textContent()).toContain('the number 40% is not in the research');
      await page.locator('#confirm-failures').check();
      await Promise.all([
        page.waitForURL((u) => /^\/drafts\/\d+$/.test(u.pathname)),
        page.getByRole('button', { name: /Approve despite grounding/ }).click(),
      ]);
      for (let i = 0; i < 2; i++) {
        const before = page.url();
        await Promise.all([page.waitForURL((u) => u.toString() !== before), page.keyboard.press('a')]);
      }
      expect(new URL(page.url()).pathname).toBe('/queue');
      await expect.poll(() => page.locator('#main').textContent()).toContain('Nothing waiting');
      expect(await page.locator('#status-line').textContent()).toMatch(/Approved draft #\d+\.\s+The first email goes/);
      expect(await statuses(drafts.map((d) => d.sequenceId))).toEqual(['active', 'active', 'active']);
    });

    it('edits with autosave, then approves: the steps are scheduled and the page says when', async () => {
      const ws = await rep();
      const d = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
      await page.goto(`${app.base}/drafts/${d.sequenceId}`);
      await page.keyboard.press('e');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('A sharper subject');
      await expect
        .poll(() => page.locator('#autosave-status').textContent(), { timeout: 10_000 })
        .toMatch(/Saved \(version 2\)/);
      await page.keyboard.press('Escape');
      await Promise.all([page.waitForURL((u) => u.pathname === '/queue'), page.keyboard.press('a')]);
      expect(await page.locator('#main').textContent()).toBeTruthy();
      const steps = await run<{ status: string; subject: string; scheduled_at: Date | null }>(app.ctx.db, {
        text: 'SELECT status, subject, scheduled_at FROM sequence_steps WHERE sequence_id = $1 ORDER BY position',
        values: [d.sequenceId],
      });
      expect(steps.map((s) => s.status)).toEqual(['scheduled', 'scheduled']);
      expect(steps[0]!.subject).toBe('A sharper subject');
      expect(steps.every((s) => s.scheduled_at instanceof Date)).toBe(true);
      const versions = await run<{ source: string }>(app.ctx.db, {
        text: 'SELECT source FROM draft_versions WHERE sequence_id = $1 ORDER BY version',
        values: [d.sequenceId],
      });
      expect(versions.map((v) => v.source)).toEqual(['llm', 'edit']);
    });

    it('saves unsaved edits before approving, so what is approved is what the rep sees', async () => {
      const ws = await rep();
      const d = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
      await page.goto(`${app.base}/drafts/${d.sequenceId}`);
      await page.locator('textarea[name="body_0"]').fill('Hi Dana, typed just before approving.');
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/queue'),
        page.getByRole('button', { name: /Approve and start/ }).click(),
      ]);
      const rows = await run<{ body: string; status: string }>(app.ctx.db, {
        text:
          'SELECT st.body, s.status FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id ' +
          'WHERE s.id = $1 AND st.position = 0',
        values: [d.sequenceId],
      });
      expect(rows[0]).toEqual({ body: 'Hi Dana, typed just before approving.', status: 'active' });
    });

    it('says when the first email goes after approving from the draft page', async () => {
      const ws = await rep();
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(1) });
      const b = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(2) });
      await page.goto(`${app.base}/drafts/${a.sequenceId}`);
      const box = await page.locator('#status-line').boundingBox();
      await Promise.all([
        page.waitForURL(new RegExp(`/drafts/${b.sequenceId}\\?approved=${a.sequenceId}`)),
        page.getByRole('button', { name: /Approve and start/ }).click(),
      ]);
      await expect
        .poll(() => page.locator('#status-line').textContent())
        .toMatch(/The first email goes .+\(your time\)/);
      // The message sits in reserved space: nothing below it moves.
      expect((await page.locator('#status-line').boundingBox())!.height).toBe(box!.height);
    });

    it('rejects with a reason and regenerates with an instruction', async () => {
      const ws = await rep();
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(1) });
      const b = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(2) });
      await page.goto(`${app.base}/drafts/${a.sequenceId}`);
      await page.keyboard.press('r');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('reject-reason');
      await page.keyboard.type('Wrong contact: Dana left in June');
      await Promise.all([page.waitForURL(/rejected=/), page.getByRole('button', { name: 'Reject draft' }).click()]);
      const rows = await run<{ status: string; rejected_reason: string }>(app.ctx.db, {
        text: 'SELECT status, rejected_reason FROM sequences WHERE id = $1',
        values: [a.sequenceId],
      });
      expect(rows[0]).toEqual({ status: 'rejected', rejected_reason: 'Wrong contact: Dana left in June' });

      expect(new URL(page.url()).pathname).toBe(`/drafts/${b.sequenceId}`);
      await page.keyboard.press('g');
      await page.keyboard.type('Lead with the hiring news');
      await Promise.all([page.waitForURL(/regenerating=1/), page.getByRole('button', { name: 'Regenerate' }).click()]);
      await expect.poll(() => page.locator('#status-line').textContent()).toMatch(/new version/);
      const jobs = await run<{ data: { instruction: string } }>(app.ctx.db, {
        text: `SELECT data FROM pgboss.job WHERE name = $1 AND (data->>'sequenceId')::bigint = $2`,
        values: [Queues.draft.name, b.sequenceId],
      });
      expect(jobs.map((j) => j.data.instruction)).toEqual(['Lead with the hiring news']);
      // The drafter (not running here) stores a new version; the page notices and says so.
      await run(app.ctx.db, {
        text: 'UPDATE sequences SET version = version + 1 WHERE id = $1',
        values: [b.sequenceId],
      });
      await expect
        .poll(() => page.locator('#status-line').textContent(), { timeout: 10_000 })
        .toMatch(/new version is ready/);
    });

    it('shows hostile scraped and drafted text as text, and citations on focus', async () => {
      const ws = await rep();
      const d = await buildDraft(app.ctx.db, {
        workspaceId: ws.id,
        ownerId: ws.users.rep.id,
        signalTitle: `Acme ${HOSTILE}`,
        sources: [{ name: `Feed ${HOSTILE}`, url: 'https://news.example/a', title: `Item ${HOSTILE}` }],
        facts: [{ text: `They hire ${HOSTILE}`, quote: `We are hiring ${HOSTILE}`, url: 'https://acme.example/jobs' }],
        steps: [{ subject: `Re ${HOSTILE}`, body: `Hello ${HOSTILE}` }],
        gateFailures: [{ gate: 'grounding', message: `unsupported claim ${HOSTILE}` }],
      });
      await page.goto(`${app.base}/drafts/${d.sequenceId}`);
      expect(await page.locator('#signal-h').textContent()).toContain('<script>window.__pwned=1</script>');
      expect(await page.locator('.gates').textContent()).toContain('onerror=');
      expect(await page.locator('input[name="subject_0"]').inputValue()).toBe(`Re ${HOSTILE}`);
      expect(await page.locator('textarea[name="body_0"]').inputValue()).toBe(`Hello ${HOSTILE}`);
      expect(await page.locator('#main img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0)).toBe(0);
      const fact = page.locator('li.cite').first();
      await expect.poll(() => fact.locator('.citation').isVisible()).toBe(false);
      await fact.focus();
      await expect.poll(() => fact.locator('.citation').isVisible()).toBe(true);
      expect(await fact.locator('.citation').textContent()).toContain('https://acme.example/jobs');
      await screenshot(page, 'draft-hostile-text');
    });

    it("answers 403 to a rep opening another rep's draft, and refuses a post without the CSRF token", async () => {
      const ws = await rep();
      const theirs = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.admin.id });
      const res = await page.goto(`${app.base}/drafts/${theirs.sequenceId}`);
      expect(res!.status()).toBe(403);
      expect(await page.locator('[role="alert"]').textContent()).toMatch(/another rep owns/);
      const mine = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
      const post = await page.request.post(`${app.base}/drafts/${mine.sequenceId}/approve`, {
        form: { nothing: '1' },
        maxRedirects: 0,
      });
      expect(post.status()).toBe(403);
      expect(await statuses([mine.sequenceId])).toEqual(['pending_review']);
    });
  },
  ['postgres'],
);
