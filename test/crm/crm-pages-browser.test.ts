// Settings → CRM in Chromium against the fake HubSpot: RevOps connects with a private-app token,
// saves the company and contact mapping, previews (nothing written), and opens the status page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { launchBrowser, login, screenshot } from '../support/browser.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';
import { listen } from '../support/web.js';

describeEachBackend(
  'Settings → CRM in Chromium',
  (get) => {
    let ctx: AppContext & { close(): Promise<void> };
    let srv: { base: string; close(): Promise<void> };
    let browser: Browser;
    let page: Page;
    let hs: FakeHubSpot;
    let ws: TestWorkspace;

    beforeAll(async () => {
      hs = await startFakeHubSpot();
      ctx = await createTestContext(get(), { HUBSPOT_API_URL: hs.url });
      srv = await listen(ctx);
      browser = await launchBrowser();
      ws = await buildWorkspace(ctx.db);
    });
    afterAll(async () => {
      await page?.context().close();
      await browser?.close();
      await srv?.close();
      await ctx?.close();
      await hs?.close();
    });

    const count = async (table: string) =>
      (await one<{ n: number }>(ctx.db, {
        text: `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1`,
        values: [ws.id],
      }))!.n;

    it('connects HubSpot with a token, saves the mapping, previews, and opens the status page', async () => {
      hs.create('companies', { name: 'Acme', domain: 'acme.example', industry: 'SaaS' });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await login(page, srv.base, ws.users.revops.email, ws.users.revops.password);
      await page.goto(`${srv.base}/`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CRM' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('CRM');

      await page.getByLabel('HubSpot private app token').fill(hs.addPrivateToken());
      await page.getByRole('button', { name: 'Connect HubSpot' }).click();
      await expect.poll(() => page.locator('.crm-connection').textContent()).toContain('connected');

      await page.getByLabel('Tags').fill('');
      await page.getByLabel('Open deal stages that hold an account out (comma-separated)').fill('contractsent');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('Saved.');
      await expect
        .poll(() => page.getByLabel('Open deal stages that hold an account out (comma-separated)').inputValue())
        .toBe('contractsent');
      expect(await page.getByLabel('Tags').inputValue()).toBe('');

      // The contact mapping: its own fieldset, saved like the company's.
      const contacts = page.getByRole('group', { name: 'Contacts' });
      expect(await contacts.getByLabel('Title').inputValue()).toBe('jobtitle');
      await contacts.getByLabel('Title').fill('job_function');
      await contacts.getByLabel('Country').fill('');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('Saved.');
      await expect.poll(() => contacts.getByLabel('Title').inputValue()).toBe('job_function');
      expect(await contacts.getByLabel('Country').inputValue()).toBe('');
      expect(await page.getByRole('group', { name: 'Companies → accounts' }).getByLabel('Country').inputValue()).toBe(
        'country',
      );

      await page.getByRole('button', { name: 'Save and preview' }).click();
      await expect
        .poll(() => page.locator('.crm-preview').textContent())
        .toMatch(/Companies:\s+1 read,\s+1 would be created/);
      expect(await count('accounts')).toBe(0);
      await screenshot(page, 'crm-settings');

      await page.getByRole('link', { name: 'Sync status, failed records, Sync now' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('CRM sync status');
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('Sync queued.');
    });
  },
  ['postgres'],
);
