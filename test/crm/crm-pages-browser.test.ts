// Settings → CRM in Chromium against the fake HubSpot: RevOps connects with a private-app token,
// saves the company and contact mapping, previews (nothing written), and opens the status page.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';

describeEachBackend(
  'Settings → CRM in Chromium',
  (get) => {
    let hs: FakeHubSpot;
    let ws: TestWorkspace;
    // Registered before the app's hooks: the fake HubSpot is up before the context that points at it.
    beforeAll(async () => {
      hs = await startFakeHubSpot();
    });
    afterAll(async () => {
      await hs?.close();
    });
    const app = useBrowserApp(get, {
      env: () => ({ HUBSPOT_API_URL: hs.url }),
      viewport: { width: 1280, height: 900 },
    });
    beforeAll(async () => {
      ws = await buildWorkspace(app.ctx.db);
    });

    const count = async (table: string) =>
      (await one<{ n: number }>(app.ctx.db, {
        text: `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1`,
        values: [ws.id],
      }))!.n;

    it('connects HubSpot with a token, saves the mapping, previews, and opens the status page', async () => {
      hs.create('companies', { name: 'Acme', domain: 'acme.example', industry: 'SaaS' });
      const page = await app.login(ws.users.revops);
      await page.goto(`${app.base}/`);
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
