// Upcoming sends and deleting a mailbox in Chromium: the list with reasons and readable times,
// the week grid, rescheduling a step through the page's form, and the mailbox
// delete confirmation moving a sequence to the rep's other mailbox.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { one, run } from '../../db/index.js';
import type { TestWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { ALWAYS, buildSequence } from '../sequencing/builders.js';

describeEachBackend(
  'upcoming sends and mailbox delete in Chromium',
  (get) => {
    const app = useBrowserApp(get, { viewport: { width: 1280, height: 900 } });
    let page: Page;
    let ws: TestWorkspace;

    const as = async (role: 'rep' | 'revops') => {
      ({ page, ws } = await app.as(role));
    };
    const activeSequence = async (firstInHours: number) => {
      const b = await buildSequence(app.ctx.db, {
        workspaceId: ws.id,
        ownerId: ws.users.rep.id,
        status: 'active',
        window: ALWAYS,
        fallback: null,
        contactTz: 'UTC',
      });
      await run(app.ctx.db, {
        text: `UPDATE sequence_steps SET status = 'scheduled', scheduled_at = $2::timestamptz + (position || ' days')::interval
                WHERE sequence_id = $1`,
        values: [b.sequenceId, new Date(Date.now() + firstInHours * 3_600_000)],
      });
      return b;
    };
    const step = (id: number) =>
      one<{ status: string; scheduled_at: Date; skip_reason: string | null }>(app.ctx.db, {
        text: 'SELECT status, scheduled_at, skip_reason FROM sequence_steps WHERE id = $1',
        values: [id],
      });

    it('lists steps with why they wait, draws the week, and reschedules one', async () => {
      await as('rep');
      const b = await activeSequence(3);
      await page.goto(`${app.base}/schedule`);
      await expect.poll(() => page.locator('nav[aria-label="Main"] a', { hasText: 'Upcoming' }).count()).toBe(1);
      const first = page.locator(`tr[data-step-id="${b.stepIds[0]}"]`);
      const second = page.locator(`tr[data-step-id="${b.stepIds[1]}"]`);
      expect(await first.locator('td').first().innerText()).toMatch(/^in 3 h · \w{3} \d{1,2} \w{3}, \d{2}:\d{2}/);
      expect(await first.locator('time').first().getAttribute('title')).toMatch(/\d{4}, \d{2}:\d{2}:\d{2} GMT/);
      expect(await second.innerText()).toContain('step 1 has not gone yet');
      // Table headers keep their words whole: each header is one line or wraps between words.
      const broken = await page.evaluate(() =>
        [...document.querySelectorAll('th')].some((th) => th.scrollWidth > th.clientWidth + 1),
      );
      expect(broken).toBe(false);
      await screenshot(page, 'schedule-list');

      // Reschedule step 2 to five days on through the datetime field.
      const target = new Date(Date.now() + 5 * 86_400_000);
      const local = target.toISOString().slice(0, 16); // the rep's zone is UTC
      await second.locator('input[name="at"]').fill(local);
      await second.getByRole('button', { name: 'Reschedule' }).click();
      await page.waitForURL(/done=/);
      await expect.poll(() => page.locator('.flash').innerText()).toContain('Rescheduled.');
      expect(Math.abs((await step(b.stepIds[1]!))!.scheduled_at.getTime() - new Date(`${local}:00Z`).getTime())).toBe(
        0,
      );

      // The week grid holds the steps of this week; its navigation reaches the next.
      await page.goto(`${app.base}/schedule?view=week`);
      await expect.poll(() => page.locator('table.week-grid, p.empty').count()).toBeGreaterThan(0);
      const here = await page.locator('.slot').count();
      await Promise.all([page.waitForURL(/week=/), page.getByRole('link', { name: 'Next week →' }).click()]);
      const next = await page.locator('.slot').count();
      expect(here + next).toBeGreaterThanOrEqual(1);
      await page.goto(`${app.base}/schedule?view=week`);
      if (here) expect(await page.locator(`.slot[data-step-id="${b.stepIds[0]}"]`).innerText()).toContain('step 1');
      await screenshot(page, 'schedule-week');
    });

    it('deletes a mailbox after a confirmation that says where its scheduled steps go', async () => {
      await as('revops');
      const b = await activeSequence(2);
      const other = (await one<{ id: number }>(app.ctx.db, {
        text:
          `INSERT INTO mailboxes (workspace_id, user_id, kind, from_name, from_email) ` +
          `VALUES ($1, $2, 'outbox', 'Riley', 'second@sender.test') RETURNING id`,
        values: [ws.id, ws.users.rep.id],
      }))!.id;
      await page.goto(`${app.base}/settings/mailboxes/${b.mailboxId}`);
      await Promise.all([page.waitForURL(/\/delete$/), page.getByRole('link', { name: 'Delete…' }).click()]);
      expect(await page.locator('#delete-steps').innerText()).toContain('3 unsent steps on 1 sequence bound to it');
      await page.locator('input[name="then"][value="move"]').check();
      await page.locator('select[name="to"]').selectOption(String(other));
      await screenshot(page, 'mailbox-delete-confirm');
      await Promise.all([
        page.waitForURL(/\/settings\/mailboxes\?deleted=/),
        page.getByRole('button', { name: /^Delete / }).click(),
      ]);
      expect(await page.locator('.flash').innerText()).toContain('Deleted');
      const seq = await one<{ mailbox_id: number }>(app.ctx.db, {
        text: 'SELECT mailbox_id FROM sequences WHERE id = $1',
        values: [b.sequenceId],
      });
      expect(seq!.mailbox_id).toBe(other);
    });
  },
  ['postgres'],
);
