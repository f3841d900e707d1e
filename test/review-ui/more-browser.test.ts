// More of the UI in Chromium: bulk approve behind a confirmation, snooze, the keyboard help,
// replies (meeting booked, not a reply), labels on every form control, narrow screens, and a
// screenshot of each main page.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import type { TestWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describeEachBackend(
  'more of the review UI in Chromium',
  (get) => {
    const app = useBrowserApp(get);
    let page: Page;

    const as = async (
      role: 'rep' | 'revops' | 'manager',
      viewport = { width: 1280, height: 900 },
    ): Promise<TestWorkspace> => {
      const opened = await app.as(role, { viewport });
      page = opened.page;
      return opened.ws;
    };
    const status = async (id: number) =>
      (await one<{ status: string }>(app.ctx.db, { text: 'SELECT status FROM sequences WHERE id = $1', values: [id] }))!
        .status;
    /** Every visible form control has a label a screen reader can announce. */
    const unlabelled = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter(
            (el) =>
              !(
                (el as HTMLInputElement).labels?.length ||
                el.getAttribute('aria-label') ||
                el.getAttribute('aria-labelledby')
              ),
          )
          .map((el) => el.outerHTML.slice(0, 80)),
      );

    it('bulk-approves selected drafts after a confirmation page', async () => {
      const ws = await as('rep');
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(1) });
      const b = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(2) });
      const c = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, detectedAt: hoursAgo(3) });
      await page.goto(`${app.base}/queue`);
      expect(await unlabelled()).toEqual([]);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.getByLabel(`Select draft ${a.sequenceId}`).check();
      await page.getByLabel(`Select draft ${c.sequenceId}`).check();
      await page.getByRole('button', { name: 'Approve selected…' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Approve 2 drafts?');
      expect([await status(a.sequenceId), await status(c.sequenceId)]).toEqual(['pending_review', 'pending_review']);
      await page.getByRole('button', { name: 'Yes, approve 2' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Bulk approve');
      expect(await page.locator('[role=status] li').count()).toBe(2);
      expect([await status(a.sequenceId), await status(b.sequenceId), await status(c.sequenceId)]).toEqual([
        'active',
        'pending_review',
        'active',
      ]);
    });

    it('snoozes a draft out of the queue and opens the keyboard help with ?', async () => {
      const ws = await as('rep');
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
      await page.goto(`${app.base}/drafts/${a.sequenceId}`);
      await page.keyboard.press('?');
      await expect.poll(() => page.locator('#key-help').isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('#key-help').isVisible()).toBe(false);
      expect(await unlabelled()).toEqual([]);
      await page.locator('summary', { hasText: 'Snooze' }).click();
      await page.getByLabel('Snooze for').selectOption('3');
      await Promise.all([page.waitForURL(/snoozed=/), page.getByRole('button', { name: 'Snooze' }).click()]);
      const row = (await one<{ status: string; snoozed_until: Date }>(app.ctx.db, {
        text: 'SELECT status, snoozed_until FROM sequences WHERE id = $1',
        values: [a.sequenceId],
      }))!;
      expect(row.status).toBe('snoozed');
      expect(row.snoozed_until.getTime()).toBeGreaterThan(Date.now() + 2.9 * 86_400_000);
      expect(await page.locator('#main').textContent()).toContain('Nothing waiting');
    });

    it('lists replies with their text and records a meeting or a correction', async () => {
      const ws = await as('rep');
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, status: 'stopped' });
      const b = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id, status: 'stopped' });
      const inbound = async (seqId: number, contactId: number, text: string) => {
        const m = (await one<{ id: number }>(app.ctx.db, {
          text:
            `INSERT INTO messages (workspace_id, sequence_id, contact_id, direction, from_addr, subject, ` +
            `text_body, visible_text, classification, classification_details)
          VALUES ($1, $2, $3, 'in', 'dana@acme.example', 'Re: hello', $4, $4, 'reply', '{"intent":{"intent":"interested"}}') RETURNING id`,
          values: [ws.id, seqId, contactId, text],
        }))!;
        await run(app.ctx.db, {
          text:
            `INSERT INTO events (workspace_id, type, sequence_id, contact_id, message_ref, data) ` +
            `VALUES ($1, 'reply', $2, $3, $4, '{"intent":"interested"}')`,
          values: [ws.id, seqId, contactId, m.id],
        });
        return m.id;
      };
      await inbound(a.sequenceId, a.contactId, 'Sounds good <img src=x onerror=alert(1)>, Thursday?');
      const bMsg = await inbound(b.sequenceId, b.contactId, 'Out of office until Monday');
      await page.goto(`${app.base}/replies`);
      expect(await page.locator('article.reply').count()).toBe(2);
      expect(await page.locator('#main').textContent()).toContain('<img src=x onerror=alert(1)>');
      expect(await page.locator('#main img').count()).toBe(0);
      await screenshot(page, 'replies');
      const article = (id: number) => page.locator('article.reply', { has: page.locator(`a[href="/drafts/${id}"]`) });
      await Promise.all([
        page.waitForURL(/done=meeting/),
        article(a.sequenceId).getByRole('button', { name: 'Meeting booked' }).click(),
      ]);
      expect(
        await one(app.ctx.db, {
          text: `SELECT count(*)::int AS n FROM events WHERE sequence_id = $1 AND type = 'meeting_booked'`,
          values: [a.sequenceId],
        }),
      ).toEqual({ n: 1 });
      await Promise.all([
        page.waitForURL(/done=not-a-reply/),
        article(b.sequenceId).getByRole('button', { name: 'Not a reply' }).click(),
      ]);
      expect(
        await one(app.ctx.db, {
          text: `SELECT classification, corrected_by FROM messages WHERE id = $1`,
          values: [bMsg],
        }),
      ).toEqual({ classification: 'other', corrected_by: ws.users.rep.id });
      expect(
        await one(app.ctx.db, {
          text: `SELECT count(*)::int AS n FROM events WHERE message_ref = $1 AND type = 'reply'`,
          values: [bMsg],
        }),
      ).toEqual({ n: 0 });
    });

    it('fits a phone screen without sideways scrolling', async () => {
      const ws = await as('rep', { width: 390, height: 844 });
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
      for (const path of ['/queue', `/drafts/${a.sequenceId}`]) {
        await page.goto(app.base + path);
        const { scroll, width } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          width: window.innerWidth,
        }));
        expect(scroll, path).toBeLessThanOrEqual(width + 1);
      }
      await screenshot(page, 'draft-phone');
    });

    it('labels every control on the RevOps pages, and shows each for a screenshot', async () => {
      await as('revops');
      for (const [path, name] of [
        ['/settings', 'settings'],
        ['/settings/sources', 'sources-empty'],
        ['/settings/templates', 'templates'],
        ['/settings/mailboxes', 'mailboxes'],
        ['/settings/workspace', 'workspace'],
        ['/accounts/new', 'account-new'],
        ['/contacts/new', 'contact-new'],
        ['/imports', 'imports'],
        ['/accounts', 'accounts'],
        ['/users', 'users'],
      ] as const) {
        const res = await page.goto(app.base + path);
        expect(res!.status(), path).toBe(200);
        expect(await unlabelled(), path).toEqual([]);
        await screenshot(page, name);
      }
    });

    it('lets a manager read the queue and a draft without any action buttons', async () => {
      const ws = await as('manager');
      const a = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.rep.id });
      await page.goto(`${app.base}/queue`);
      expect(await page.locator('[data-queue-row]').count()).toBe(1);
      expect(await page.locator('#bulk').count()).toBe(0);
      await page.goto(`${app.base}/drafts/${a.sequenceId}`);
      expect(await page.locator('#approve-form').count()).toBe(0);
      expect(await page.locator('#main').textContent()).toContain('Read-only');
    });
  },
  ['postgres'],
);
