// The forced change in Chromium: a user whose password an admin reset logs in with the one-time
// password, lands on the change form whatever page they asked for, and works normally after it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, login, screenshot } from '../support/browser.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, useWebApp } from '../support/web.js';

describeEachBackend(
  'Forced password change in Chromium',
  (get) => {
    const app = useWebApp(get);
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('a reset user is kept on the change form until they choose a new password', async () => {
      const admin = new Browserish(app.base);
      await admin.login(app.ws.users.admin.email, app.ws.users.admin.password);
      const { csrf } = await admin.page('/users');
      const rep = app.ws.users.rep;
      const shown = await (await admin.post(`/users/${rep.id}/password`, { _csrf: csrf! })).text();
      const oneTime = /<code>([^<]+)<\/code>/.exec(shown)![1]!;

      const page = await (await browser.newContext()).newPage();
      await page.goto(`${app.base}/queue`);
      await login(page, app.base, rep.email, oneTime);
      expect(new URL(page.url()).pathname).toBe('/password');
      expect(await page.getByRole('status').textContent()).toContain('Your password was reset');
      await page.goto(`${app.base}/signals`);
      expect(new URL(page.url()).pathname).toBe('/password');

      await page.getByLabel('One-time password').fill(oneTime);
      await page.getByLabel('New password (at least 12 characters)').fill('a passphrase of my own');
      await page.getByLabel('Repeat the new password').fill('a passphrase of my own');
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/'),
        page.getByRole('button', { name: 'Change password' }).click(),
      ]);
      await page.goto(`${app.base}/queue`);
      expect(new URL(page.url()).pathname).toBe('/queue');
      await screenshot(page, 'password-changed-queue');
      await page.context().close();
    });
  },
  ['postgres'],
);
