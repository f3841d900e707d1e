// The CSP allows styles from our own files only (style-src 'self'): in Chromium, no page the app
// serves has a style the policy refuses (no violation on the console), and the stylesheet still
// applies (body margin 0, the header laid out as flex), while an injected style attribute is refused.
// Screenshots of two pages are kept.
import { expect, it } from 'vitest';
import { login, screenshot } from '../support/browser.js';
import { useBrowserApp } from '../support/browser-app.js';
import { buildWorkspace } from '../support/builders.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';

const PAGES = [
  '/',
  '/queue',
  '/signals',
  '/replies',
  '/outbox',
  '/dashboard',
  '/plays',
  '/accounts',
  '/contacts',
  '/imports',
  '/settings',
  '/settings/sources',
  '/settings/templates',
  '/settings/mailboxes',
  '/settings/workspace',
  '/users',
];

describeEachBackend(
  'CSP style-src self in Chromium',
  (get) => {
    const app = useBrowserApp(get);

    it('sends style-src self without unsafe-inline', async () => {
      const csp = (await fetch(`${app.base}/login`)).headers.get('content-security-policy')!;
      expect(csp).toMatch(/style-src 'self'(;|$)/);
      expect(csp).not.toContain('unsafe-inline');
    });

    it('shows every main page with no refused style, and the stylesheet applied', async () => {
      const ws = await buildWorkspace(app.ctx.db);
      const d = await buildDraft(app.ctx.db, { workspaceId: ws.id, ownerId: ws.users.admin.id });
      const page = await app.page();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
      });
      await page.goto(`${app.base}/login`);
      await screenshot(page, 'csp-login');
      await login(page, app.base, ws.users.admin.email, ws.users.admin.password);
      for (const p of [...PAGES, `/drafts/${d.sequenceId}`]) {
        const res = await page.goto(app.base + p);
        expect([p, res?.status()]).toEqual([p, 200]);
        const look = await page.evaluate(() => ({
          margin: getComputedStyle(document.body).marginTop,
          header: getComputedStyle(document.querySelector('header.top')!).display,
        }));
        expect([p, look]).toEqual([p, { margin: '0px', header: 'flex' }]);
      }
      await page.goto(`${app.base}/drafts/${d.sequenceId}`);
      await screenshot(page, 'csp-draft');
      expect(violations).toEqual([]);
      // And the policy bites: a style attribute injected into a page is refused.
      const color = await page.evaluate(() => {
        document.body.insertAdjacentHTML('beforeend', '<p id="injected" style="color: rgb(255, 0, 0)">x</p>');
        return getComputedStyle(document.getElementById('injected')!).color;
      });
      expect(color).not.toBe('rgb(255, 0, 0)');
      await expect.poll(() => violations.length).toBeGreaterThan(0);
    });
  },
  ['postgres'],
);
