// Disabling and re-enabling a flagged source from the settings page and from the JSON API go through
// one writer (updateSourceSettings): both leave the source in the same state.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertSource, recordPollFailure } from '../../db/queries/signal-sources.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('enabling a source from the page and from the API', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let page: Browserish;
  let csrf: string;
  let token: string;

  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
    page = new Browserish(web.base);
    await page.login(ws.users.revops.email, ws.users.revops.password);
    csrf = (await page.page('/settings/sources')).csrf!;
    token = await createApiToken(ctx.db, ws.users.revops.id, 'test');
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
  });

  const api = (id: number, enabled: boolean) =>
    fetch(`${web.base}/api/sources/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled }),
    });
  const viaPage = (id: number, enabled: boolean) =>
    page.post(`/settings/sources/${id}/${enabled ? 'enable' : 'disable'}`, { _csrf: csrf });

  /** A polled source that failed often enough to be flagged and backed off. */
  async function flaggedSource(name: string): Promise<number> {
    const s = (await one(
      ctx.db,
      insertSource(ws.id, {
        kind: 'feed',
        name,
        url: 'https://feeds.example/x.xml',
        config: {},
        pollIntervalMinutes: 60,
      }),
    ))!;
    for (let i = 0; i < 6; i++) await run(ctx.db, recordPollFailure(s.id, 'FETCH_FAILED: HTTP 503', new Date()));
    return s.id;
  }
  const state = async (id: number) =>
    one<{ enabled: boolean; failures: number; flagged: boolean; due: boolean; error: string | null }>(ctx.db, {
      text: `SELECT enabled, consecutive_failures AS failures, flagged_at IS NOT NULL AS flagged,
                    next_poll_at <= now() AS due, last_error AS error
               FROM signal_sources WHERE id = $1`,
      values: [id],
    });

  it('leaves the same state either way', async () => {
    const [a, b] = [await flaggedSource('Page feed'), await flaggedSource('API feed')];
    const flagged = { enabled: true, failures: 6, flagged: true, due: false, error: 'FETCH_FAILED: HTTP 503' };
    expect(await state(a)).toEqual(flagged);

    expect((await viaPage(a, false)).status).toBe(303);
    expect((await api(b, false)).status).toBe(200);
    // Disabling keeps the history and the flag.
    expect(await state(a)).toEqual({ ...flagged, enabled: false });
    expect(await state(b)).toEqual(await state(a));

    expect((await viaPage(a, true)).status).toBe(303);
    expect((await api(b, true)).status).toBe(200);
    // Enabling starts afresh: no failures, no flag, due at the next tick; the last error stays visible.
    expect(await state(a)).toEqual({
      enabled: true,
      failures: 0,
      flagged: false,
      due: true,
      error: 'FETCH_FAILED: HTTP 503',
    });
    expect(await state(b)).toEqual(await state(a));
  });
});
