// Deploying on a LAN over plain http (issue 20): PUBLIC_URL=http://server:PORT must let Chromium
// log in — no `upgrade-insecure-requests` sending the login form to an https port nobody serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppContext } from '../../context.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { launchBrowser, login } from '../support/browser.js';
import { createTestContext } from '../support/context.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { listen } from '../support/web.js';

describe('plain http on a LAN name [pglite]', { timeout: 120_000 }, () => {
  let t: TestDb;
  let ctx: AppContext & { stop(): Promise<void> };
  let https: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestDb('pglite');
    ctx = await createTestContext(t, { PUBLIC_URL: 'http://server:3000' });
    https = await createTestContext(t, { PUBLIC_URL: 'https://prospector.example.com' });
    web = await listen(ctx);
    ctx.config.publicUrl = web.base.replace('127.0.0.1', 'server');
    ws = await buildWorkspace(ctx.db);
    browser = await launchBrowser(['--host-resolver-rules=MAP server 127.0.0.1']);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await https?.stop();
    await ctx?.stop();
    await t?.dispose();
  });

  it('logs in over http at http://server:PORT in Chromium; https deployments still upgrade', async () => {
    const page = await browser.newPage();
    const base = ctx.config.publicUrl;
    const res = await page.goto(`${base}/login`);
    expect(res!.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res!.headers()['strict-transport-security']).toBeUndefined();
    await login(page, base, ws.users.rep.email, ws.users.rep.password);
    expect(new URL(page.url()).origin).toBe(base);
    await expect.poll(() => page.locator('h1').first().textContent()).toBeTruthy();
    expect(await page.content()).not.toContain('name="password"');
    await page.close();

    const secure = await listen(https);
    try {
      const r = await fetch(`${secure.base}/login`);
      expect(r.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    } finally {
      await secure.close();
    }
  });
});
