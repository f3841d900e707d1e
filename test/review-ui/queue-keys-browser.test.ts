// Keys the queue page promises (issue 20), in Chromium: `?` opens help, `x` ticks rows for bulk
// approve and the confirmation lists them, `a` approves the selected row, Ctrl+Enter sends a
// reject reason. Both backends.
import { expect, it } from 'vitest';
import { run } from '../../db/index.js';
import { buildWorkspace } from '../support/builders.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describeEachBackend('queue keys in Chromium', (get) => {
  const app = useBrowserApp(get, { viewport: { width: 1280, height: 900 } });
  const status = async (id: number) =>
    (
      await run<{ status: string; rejected_reason: string | null }>(app.ctx.db, {
        text: 'SELECT status, rejected_reason FROM sequences WHERE id = $1',
        values: [id],
      })
    )[0];

  it('? opens help; x ticks rows and the bulk confirmation lists them; a approves the selected row; Ctrl+Enter rejects', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    const names = ['Alpha Freight', 'Bravo Biotech', 'Charlie Cloud', 'Delta Dental'];
    const drafts: Awaited<ReturnType<typeof buildDraft>>[] = [];
    for (const [i, accountName] of names.entries())
      drafts.push(
        await buildDraft(app.ctx.db, {
          workspaceId: ws.id,
          ownerId: ws.users.rep.id,
          accountName,
          detectedAt: hoursAgo(i + 1),
        }),
      );
    const page = await app.login(ws.users.rep);
    await page.goto(`${app.base}/queue`);
    await expect.poll(() => page.locator('[data-queue-row]').count()).toBe(4);

    await page.keyboard.press('?');
    await expect.poll(() => page.locator('#key-help').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    expect(await page.locator('#key-help').textContent()).toContain('approve the selected draft');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#key-help').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);

    // Newest first: Alpha, Bravo, Charlie, Delta. Tick Alpha and Bravo, then bulk approve.
    for (const key of ['j', 'x', 'j', 'x']) await page.keyboard.press(key);
    expect(await page.locator('input[name="ids"]:checked').count()).toBe(2);
    await Promise.all([
      page.waitForURL(/\/queue\/approve$/),
      page.getByRole('button', { name: 'Approve selected…' }).click(),
    ]);
    const listed = await page.locator('.bulk-list li').allTextContents();
    expect(listed.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringContaining('at Alpha Freight'),
      expect.stringContaining('at Bravo Biotech'),
    ]);
    await Promise.all([
      page.waitForEvent('framenavigated'),
      page.getByRole('button', { name: 'Yes, approve 2' }).click(),
    ]);
    await expect.poll(async () => (await status(drafts[0]!.sequenceId))!.status).toBe('active');
    expect((await status(drafts[1]!.sequenceId))!.status).toBe('active');

    // `a` on the selected row (Charlie is first now) approves it.
    await page.goto(`${app.base}/queue`);
    await expect.poll(() => page.locator('[data-queue-row]').count()).toBe(2);
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(/\/queue\/approve$/), page.keyboard.press('a')]);
    await expect.poll(async () => (await status(drafts[2]!.sequenceId))!.status).toBe('active');
    expect((await status(drafts[3]!.sequenceId))!.status).toBe('pending_review');

    // Ctrl+Enter in the reject reason sends it.
    await page.goto(`${app.base}/drafts/${drafts[3]!.sequenceId}`);
    await page.keyboard.press('r');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('reject-reason');
    await page.keyboard.type('Not a fit this quarter');
    await Promise.all([page.waitForURL(/rejected=/), page.keyboard.press('Control+Enter')]);
    expect(await status(drafts[3]!.sequenceId)).toEqual({
      status: 'rejected',
      rejected_reason: 'Not a fit this quarter',
    });
  });
});
