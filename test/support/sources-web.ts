// Signal sources from both doors: the app on loopback, a workspace, its RevOps person logged in on the
// settings page and holding an API token; `addViaPage` posts the add form, `addViaApi` POSTs /api/sources.
// Fields are filled in beforeAll: read them inside hooks and tests.
import { afterAll, beforeAll } from 'vitest';
import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import type { Logger } from '../../log.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { buildWorkspace, type TestWorkspace } from './builders.js';
import { createTestContext } from './context.js';
import type { TestDb } from './db.js';
import { Browserish, listen } from './web.js';

export interface SourcesWeb {
  ctx: AppContext & { stop(): Promise<void> };
  base: string;
  ws: TestWorkspace;
  /** The RevOps person on the settings page. */
  page: Browserish;
  csrf: string;
  /** RevOps' API token. */
  token: string;
  addViaPage: (form: Record<string, string>) => Promise<Response>;
  addViaApi: (body: Record<string, unknown>) => Promise<Response>;
  /** How many sources the workspace has. */
  count: () => Promise<number>;
}

/** `log`, when given, is the app's logger from the start (the error handler keeps the one it was built with). */
export function useSourcesWeb(get: () => TestDb, env: Record<string, string> = {}, log?: Logger): SourcesWeb {
  let web: Awaited<ReturnType<typeof listen>> | undefined;
  const s = {
    addViaPage: (form) => s.page.post('/settings/sources', { _csrf: s.csrf, ...form }),
    addViaApi: (body) =>
      fetch(`${s.base}/api/sources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    count: async () =>
      (await one<{ n: number }>(s.ctx.db, {
        text: 'SELECT count(*)::int AS n FROM signal_sources WHERE workspace_id = $1',
        values: [s.ws.id],
      }))!.n,
  } as SourcesWeb;
  beforeAll(async () => {
    s.ctx = await createTestContext(get(), env);
    if (log) s.ctx.log = log;
    web = await listen(s.ctx);
    s.base = web.base;
    s.ws = await buildWorkspace(s.ctx.db);
    s.page = new Browserish(web.base);
    await s.page.login(s.ws.users.revops.email, s.ws.users.revops.password);
    s.csrf = (await s.page.page('/settings/sources')).csrf!;
    s.token = await createApiToken(s.ctx.db, s.ws.users.revops.id, 'test');
  });
  afterAll(async () => {
    await web?.close();
    await s.ctx?.stop();
  });
  return s;
}
