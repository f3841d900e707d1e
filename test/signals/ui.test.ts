// The Signals page with a logged-in browser session: manual entry (CSRF-protected form),
// "add as account?" for an unmatched company, choosing between ambiguous candidates; assigning
// unmatched signals to an account (one or many, existing or new) and re-matching them when
// accounts change.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertSource, recordPollFailure } from '../../db/queries/signal-sources.js';
import type { SignalRow } from '../../db/queries/signals.js';
import { updateAccount } from '../../db/queries/settings.js';
import { rematchChangedWorkspaces } from '../../signals/rematch.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { Browserish, listen } from '../support/web.js';

describeEachBackend('signals page', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
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
    await ctx?.stop();
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
    const src = await one(
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

  const manual = async (title: string) => {
    const { csrf } = await browser.page('/signals');
    expect((await browser.post('/signals', { title, url: '', summary: '', _csrf: csrf! })).status).toBe(303);
    return (await signal(title))!;
  };
  const researchJobs = async (signalId: number) =>
    (await one<{ n: number }>(ctx.db, {
      text: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'research' AND data->>'signalId' = $1`,
      values: [String(signalId)],
    }))!.n;

  it('"Add account" for a domain that exists places the signals on that account', async () => {
    const s = await manual('Quillfeather raises $8M Series A for ledgers');
    expect(s.status).toBe('unmatched');
    const { csrf } = await browser.page('/signals?status=unmatched');
    // zephyr.example was created above: the same domain under another name.
    const res = await browser.post('/signals/unmatched/account', {
      name: 'Quillfeather',
      domain: 'zephyr.example',
      signalIds: String(s.id),
      _csrf: csrf!,
    });
    expect(res.status).toBe(303);
    const zephyr = await one<{ id: number }>(ctx.db, {
      text: `SELECT id FROM accounts WHERE workspace_id = $1 AND domain = 'zephyr.example'`,
      values: [ws.id],
    });
    // The account has a running signal from the test above: this one waits in cooldown.
    expect(await signal('Quillfeather raises $8M Series A for ledgers')).toMatchObject({
      account_id: zephyr!.id,
      status: 'cooldown',
    });
  });

  it('assigns several ticked unmatched signals to an existing account at once', async () => {
    const a = await manual('Orbitale raises $3M seed for satellites');
    const b = await manual('Orbitale opens an office in Lisbon');
    const target = await one(
      ctx.db,
      insertAccount(ws.id, {
        name: 'Orbital Works',
        domain: 'orbital-works.example',
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: [],
      }),
    );
    const { html, csrf } = await browser.page('/signals?status=unmatched');
    expect(html).toContain('action="/signals/assign"');
    expect(html).toMatch(new RegExp(`name="signalIds"\\s+value="${a.id}"`));
    expect(html).toContain(`<option value="${target!.id}">Orbital Works (orbital-works.example)</option>`);
    const body = new URLSearchParams([
      ['_csrf', csrf!],
      ['accountId', String(target!.id)],
      ['signalIds', String(a.id)],
      ['signalIds', String(b.id)],
    ]);
    const res = await browser.fetch('/signals/assign', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(res.status).toBe(303);
    const first = (await signal('Orbitale raises $3M seed for satellites'))!;
    expect(first).toMatchObject({ account_id: target!.id, status: 'new' });
    expect(await researchJobs(first.id)).toBe(1);
    // The second one is on the same account, now cooling down after the first.
    expect(await signal('Orbitale opens an office in Lisbon')).toMatchObject({
      account_id: target!.id,
      status: 'cooldown',
    });
  });

  it('re-matches unmatched signals when an account is added on the page', async () => {
    const s = await manual('Brightwater Analytics raises $12M Series A');
    expect(s.status).toBe('unmatched');
    const { csrf } = await browser.page('/accounts/new');
    const res = await browser.post('/accounts/new', {
      name: 'Brightwater Analytics',
      domain: 'brightwater.example',
      aliases: '',
      owner_id: '',
      time_zone: '',
      country: '',
      tags: '',
      _csrf: csrf!,
    });
    expect(res.status).toBe(303);
    const after = (await signal('Brightwater Analytics raises $12M Series A'))!;
    expect(after.status).toBe('new');
    expect(after.match).toMatchObject({ status: 'matched', via: 'name' });
    expect(await researchJobs(after.id)).toBe(1);
  });

  it('re-matches in the maintenance tick when an alias changes elsewhere (import, API)', async () => {
    const s = await manual('Kestrel Robotics raises $20M Series B');
    expect(s.status).toBe('unmatched');
    // A first pass records the accounts as seen; nothing names Kestrel yet.
    await rematchChangedWorkspaces({ db: ctx.db, caches: ctx.caches, enqueueResearch: async () => {} }, new Date());
    expect((await signal('Kestrel Robotics raises $20M Series B'))!.status).toBe('unmatched');
    const acc = await one<{ id: number }>(ctx.db, {
      text: `SELECT id FROM accounts WHERE workspace_id = $1 AND domain = 'orbital-works.example'`,
      values: [ws.id],
    });
    await run(
      ctx.db,
      updateAccount(ws.id, acc!.id, {
        name: 'Orbital Works',
        domain: 'orbital-works.example',
        aliases: ['Kestrel Robotics'],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: [],
        notes: '',
      }),
    );
    const queued: number[] = [];
    const moved = await rematchChangedWorkspaces(
      { db: ctx.db, caches: ctx.caches, enqueueResearch: async (_tx, id) => void queued.push(id) },
      new Date(),
    );
    expect(moved).toBeGreaterThanOrEqual(1);
    // Orbital Works has a running signal: the re-matched one waits in cooldown, counted once.
    expect(await signal('Kestrel Robotics raises $20M Series B')).toMatchObject({
      account_id: acc!.id,
      status: 'cooldown',
      match: expect.objectContaining({ via: 'alias' }),
    });
    expect(queued).toEqual([]);
  });
});
