// The usual Chromium suite setup inside a `describeEachBackend` block: a context on the block's
// database, the app on loopback and one Chromium for the block; each test opens pages in fresh
// browser contexts (closed after the test), logged in as a workspace's user.
//
//   const app = useBrowserApp(get);
//   it('…', async () => {
//     const { page, ws } = await app.as('rep');
//     await page.goto(`${app.base}/queue`);
//   });
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RunningContext } from '../../context.js';
import type { Role } from '../../db/queries/users.js';
import { launchBrowser, login } from './browser.js';
import { buildWorkspace, type TestWorkspace } from './builders.js';
import { createTestContext } from './context.js';
import type { TestDb } from './db.js';
import { listen } from './web.js';

interface Viewport {
  width: number;
  height: number;
}

interface BrowserAppOptions {
  /**
   * Configuration for the app's context (testConfig keys); a function is read in beforeAll, after
   * the block's earlier beforeAll hooks (e.g. one that starts a fake service whose URL it needs).
   */
  env?: Record<string, string> | (() => Record<string, string>);
  /** The viewport of every page unless a page asks for its own (Playwright's default 1280×720). */
  viewport?: Viewport;
  /** Extra Chromium flags (e.g. `--host-resolver-rules=…`). */
  browserArgs?: string[];
}

interface BrowserApp {
  /** The app's context (set in the block's beforeAll). */
  readonly ctx: RunningContext;
  /** The app's address on loopback, `http://127.0.0.1:port`. */
  readonly base: string;
  readonly browser: Browser;
  /** A page in a fresh browser context, not logged in; closed after the test. */
  page(viewport?: Viewport): Promise<Page>;
  /**
   * A page logged in as `role` of `ws` (a new workspace with one user per role when none is
   * given); closed after the test.
   */
  as(role: Role, opts?: { ws?: TestWorkspace; viewport?: Viewport }): Promise<{ page: Page; ws: TestWorkspace }>;
  /** A page logged in as this user (e.g. one a test created); closed after the test. */
  login(user: { email: string; password: string }, viewport?: Viewport): Promise<Page>;
}

export function useBrowserApp(get: () => TestDb, opts: BrowserAppOptions = {}): BrowserApp {
  let ctx: RunningContext | undefined;
  let web: Awaited<ReturnType<typeof listen>> | undefined;
  let browser: Browser | undefined;
  const open: Page[] = [];
  const ready = <T>(v: T | undefined, what: string): T => {
    if (!v) throw new Error(`useBrowserApp: ${what} is used before the block's beforeAll ran`);
    return v;
  };

  beforeAll(async () => {
    ctx = await createTestContext(get(), typeof opts.env === 'function' ? opts.env() : opts.env);
    web = await listen(ctx);
    browser = await launchBrowser(opts.browserArgs);
  });
  afterEach(async () => {
    for (const p of open.splice(0))
      await p
        .context()
        .close()
        .catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await ctx?.stop();
  });

  const app: BrowserApp = {
    get ctx() {
      return ready(ctx, 'ctx');
    },
    get base() {
      return ready(web, 'base').base;
    },
    get browser() {
      return ready(browser, 'browser');
    },
    async page(viewport = opts.viewport) {
      const context = await app.browser.newContext(viewport ? { viewport } : {});
      const page = await context.newPage();
      open.push(page);
      return page;
    },
    async login(user, viewport) {
      const page = await app.page(viewport);
      await login(page, app.base, user.email, user.password);
      return page;
    },
    async as(role, o = {}) {
      const ws = o.ws ?? (await buildWorkspace(app.ctx.db));
      const page = await app.login(ws.users[role], o.viewport);
      return { page, ws };
    },
  };
  return app;
}
