// The Signals page with a logged-in browser session: manual entry (CSRF-protected form),
// "add as account?" for an unmatched company, choosing between ambiguous candidates.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertSource, recordPollFailure, type SignalSourceRow } from '../../db/queries/signal-sources.js';
import type { SignalRow } from '../../db/queries/signals.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('signals page', (get) => {
  let ctx: AppContext & { close(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let browser: Browserish;
  const signal = (title: string) =>
    one<SignalRow>(ctx.db, {
      text: 'SELECT * FROM signals WHERE workspace_id = $1 AND title = $2',
      values: [ws.id, title],
    });

  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
    for (const domain of ['mercury.example', 'mercury-insurance.example']) {
      await run(
        ctx.db,
        insertAccount(ws.id, {
          name: 'Mercury',
          domain,
          aliases: [],
          ownerId: null,
          timeZone: null,
          country: null,
          tags: [],
        }),
      );
    }
    browser = new Browserish(web.base);
    expect((await browser.login(ws.users.revops.email, ws.users.revops.password)).status).toBe(303);
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.close();
  });

  it('refuses a manual entry without the CSRF token, and stores one with it', async () => {
    const bad = await browser.post('/signals', { title: 'Zephyr Labs raises $5M seed to automate invoices' });
    expect(bad.status).toBe(403);
    const { csrf } = await browser.page('/signals');
    const ok = await browser.post('/signals', {
      title: 'Zephyr Labs raises $5M seed to automate invoices',
      url: 'https://news.example/zephyr',
      summary: '',
      _csrf: csrf!,
    });
    expect(ok.status).toBe(303);
    expect(await signal('Zephyr Labs raises $5M seed to automate invoices')).toMatchObject({
      type: 'funding',
      subtype: 'seed',
      status: 'unmatched',
    });
  });

  it('offers unmatched companies as accounts; adding one places its signals and starts research', async () => {
    const { html, csrf } = await browser.page('/signals?status=unmatched');
    expect(html).toContain('Add as account?');
    expect(html).toContain('Zephyr Labs');
    const s = (await signal('Zephyr Labs raises $5M seed to automate invoices'))!;
    const res = await browser.post('/signals/unmatched/account', {
      name: 'Zephyr Labs',
      domain: 'zephyr.example',
      signalIds: String(s.id),
      _csrf: csrf!,
    });
    expect(res.status).toBe(303);
    const after = (await signal('Zephyr Labs raises $5M seed to automate invoices'))!;
    expect(after).toMatchObject({ status: 'new', match: expect.objectContaining({ via: 'person' }) });
    const acc = await one<{ name: string }>(ctx.db, {
      text: 'SELECT name FROM accounts WHERE id = $1',
      values: [after.account_id],
    });
    expect(acc!.name).toBe('Zephyr Labs');
    expect(
      (await one<{ n: number }>(ctx.db, {
        text: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'research' AND data->>'signalId' = $1`,
        values: [String(after.id)],
      }))!.n,
    ).toBe(1);
  });

  it('lets a person choose between accounts that share a name', async () => {
    let { csrf } = await browser.page('/signals');
    await browser.post('/signals', { title: 'Mercury raises $300M Series C', url: '', summary: '', _csrf: csrf! });
    const s = (await signal('Mercury raises $300M Series C'))!;
    expect(s.status).toBe('ambiguous');
    const page = await browser.page('/signals?status=ambiguous');
    expect(page.html).toContain(`action="/signals/${s.id}/account"`);
    csrf = page.csrf;
    const target = (s.match as { candidates: { accountId: number }[] }).candidates[1]!.accountId;
    expect((await browser.post(`/signals/${s.id}/account`, { accountId: String(target), _csrf: csrf! })).status).toBe(
      303,
    );
    expect(await signal('Mercury raises $300M Series C')).toMatchObject({ status: 'new', account_id: target });
  });

  it('warns RevOps about a flagged source and escapes what feeds wrote', async () => {
    const src = await one<SignalSourceRow>(
      ctx.db,
      insertSource(ws.id, {
        kind: 'feed',
        name: 'Flaky <wire>',
        url: 'https://flaky.example/feed',
        config: {},
        secretEnc: null,
        pollIntervalMinutes: 60,
      }),
    );
    for (let i = 0; i < 5; i++) await run(ctx.db, recordPollFailure(src!.id, 'FETCH_FAILED: HTTP 503', new Date()));
    const { csrf } = await browser.page('/signals');
    await browser.post('/signals', {
      title: 'Initech <script>alert(1)</script> launches a product',
      url: '',
      summary: '',
      _csrf: csrf!,
    });
    const { html } = await browser.page('/signals');
    expect(html).toContain('keep failing: Flaky &lt;wire&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
