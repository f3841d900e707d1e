// A rep's returned steps in Chromium: the block atop the queue, the list, the "what changed"
// panel, approving a step with the keyboard, then bulk-approving what nothing changed for with
// one keystroke and a confirmation.
import type { Page } from 'playwright-core';
import { expect, it, vi } from 'vitest';
import { one } from '../../db/index.js';
import { buildWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildReturnedStep, somethingChanged } from './builders.js';

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

describeEachBackend('returned steps in Chromium', (get) => {
  // Chromium on a loaded 2-core machine: give each test room beyond the 30 s default.
  vi.setConfig({ testTimeout: 60_000 });
  const app = useBrowserApp(get, { viewport: { width: 1280, height: 900 } });
  let page: Page;

  const step = (id: number) =>
    one<{ status: string; approved_by: number | null }>(app.ctx.db, {
      text: 'SELECT status, approved_by FROM sequence_steps WHERE id = $1',
      values: [id],
    });

  it('approves a returned step with the keyboard, then the unchanged ones with A and a confirmation', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    const base = { workspaceId: ws.id, ownerId: ws.users.rep.id, approvedAt: hours(-48) };
    const changed = await buildReturnedStep(app.ctx, { ...base, accountName: 'Contoso Health', dueAt: hours(3) });
    await somethingChanged(app.ctx, changed, ws.id, hours(-1));
    const quiet = await buildReturnedStep(app.ctx, { ...base, accountName: 'Northwind Logistics', dueAt: hours(5) });

    page = await app.login(ws.users.rep);
    await page.goto(`${app.base}/queue`);
    await expect.poll(() => page.locator('#returned-h').textContent()).toBe('Steps back for approval (2)');
    await page.getByRole('link', { name: 'Review the steps' }).click();
    await expect.poll(() => page.locator('[data-step-row]').count()).toBe(2);
    expect(await page.locator('[data-step-row]').first().getAttribute('data-unchanged')).toBe('0');
    await screenshot(page, 'returned-steps');

    // j selects the first (soonest due) step, Enter opens it.
    await page.keyboard.press('j');
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('row-link'))).toBe(true);
    await Promise.all([page.waitForURL(`**/steps/${changed.stepIds[1]}`), page.keyboard.press('Enter')]);
    const panel = page.locator('#what-changed');
    await expect.poll(() => panel.textContent()).toContain('hiring: Acme is hiring 12 SDRs');
    expect(await panel.textContent()).toContain('title: VP Sales → Chief Revenue Officer');
    expect(await page.locator('#what-changed li[data-kind="signal"]').count()).toBe(1);
    expect(await page.locator('#what-changed li[data-kind="contact"]').count()).toBe(1);
    await screenshot(page, 'returned-step');

    // a approves it and lands on the next returned step.
    await Promise.all([
      page.waitForURL(`**/steps/${quiet.stepIds[1]}?approved=${changed.stepIds[1]}`),
      page.keyboard.press('a'),
    ]);
    expect(await step(changed.stepIds[1]!)).toEqual({ status: 'scheduled', approved_by: ws.users.rep.id });
    expect(await page.locator('#what-changed').textContent()).toContain('Nothing changed');

    // A on the list approves every step nothing changed for, after a confirmation page (Enter confirms).
    await page.goto(`${app.base}/queue/steps`);
    // The bulk form exists only when a step is listed as unchanged: wait for it, so a slow page fails here, clearly.
    await page.locator('#bulk-unchanged').waitFor({ state: 'attached' });
    await Promise.all([page.waitForURL('**/queue/steps/approve'), page.keyboard.press('Shift+A')]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Approve 1 step?');
    expect(await step(quiet.stepIds[1]!)).toMatchObject({ status: 'awaiting_approval' });
    // Chromium applies autofocus after load, sometimes late on a busy machine: Enter confirms once it has.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('confirm-bulk');
    await Promise.all([page.waitForURL('**/queue/steps**', { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bulk approve steps');
    expect(await step(quiet.stepIds[1]!)).toEqual({ status: 'scheduled', approved_by: ws.users.rep.id });
  });

  it('bulk approval leaves out a step something changed for since the list was loaded, and a manager cannot approve', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    const b = await buildReturnedStep(app.ctx, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      approvedAt: hours(-48),
      dueAt: hours(2),
    });
    page = await app.login(ws.users.rep);
    await page.goto(`${app.base}/queue/steps`);
    // The bulk form exists only when a step is listed as unchanged: wait for it, so a slow page fails here, clearly.
    await page.locator('#bulk-unchanged').waitFor({ state: 'attached' });
    await Promise.all([page.waitForURL('**/queue/steps/approve'), page.keyboard.press('Shift+A')]);
    await somethingChanged(app.ctx, b, ws.id, hours(-1));
    // Chromium applies autofocus after load, sometimes late on a busy machine: Enter confirms once it has.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('confirm-bulk');
    await Promise.all([page.waitForURL('**/queue/steps**', { waitUntil: 'load' }), page.keyboard.press('Enter')]);
    await expect.poll(() => page.locator('li.bad').textContent()).toContain('something changed for it since approval');
    expect(await step(b.stepIds[1]!)).toMatchObject({ status: 'awaiting_approval' });

    await page.context().close();
    page = await app.login(ws.users.manager);
    await page.goto(`${app.base}/steps/${b.stepIds[1]}`);
    expect(await page.locator('#step-approve-form').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Read-only');
  });
});
