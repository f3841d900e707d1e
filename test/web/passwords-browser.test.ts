// The forced change in Chromium: a user whose password an admin reset logs in with the one-time
// password, lands on the change form whatever page they asked for, and works normally after it.
import { expect, it } from 'vitest';
import { login, screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { buildWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish } from '../support/web.js';

describeEachBackend(
  'Forced password change in Chromium',
  (get) => {
    const app = useBrowserApp(get);

    it('a reset user is kept on the change form until they choose a new password', async () => {
      const ws = await buildWorkspace(app.ctx.db);
      const admin = new Browserish(app.base);
      await admin.login(ws.users.admin.email, ws.users.admin.password);
      const { csrf } = await admin.page('/users');
      const rep = ws.users.rep;
      const shown = await (await admin.post(`/users/${rep.id}/password`, { _csrf: csrf! })).text();
      const oneTime = /<code>([^<]+)<\/code>/.exec(shown)![1]!;

      const page = await app.page();
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
    });
  },
  ['postgres'],
);
