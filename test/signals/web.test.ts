// The signed webhook, the JSON API for signals and sources, and demo mode's own feeds — over
// HTTP against the real app, on PostgreSQL and PGlite.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
import { insertSource, type SignalSourceRow } from '../../db/queries/signal-sources.js';
import type { SignalRow } from '../../db/queries/signals.js';
import { seedDemo } from '../../demo/seed.js';
import { createApiToken } from '../../review-ui/auth/api-token.js';
import { researchEnqueuer } from '../../agents/signal-jobs.js';
import { pollSource } from '../../signals/poll.js';
import { signBody } from '../../signals/sources/webhook.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { listen } from '../support/web.js';

const SECRET = 'whsec-test-0123456789';

describeEachBackend('signals over HTTP', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let web: Awaited<ReturnType<typeof listen>>;
  let ws: TestWorkspace;
  let hook: SignalSourceRow;
  let token: string;
  let champion: number;
  const count = async (table: string) =>
    (await one<{ n: number }>(ctx.db, { text: `SELECT count(*)::int AS n FROM ${table}`, values: [] }))!.n;
  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(web.base + path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const deliver = (body: string, headers: Record<string, string>) =>
    fetch(`${web.base}/api/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    ctx = await createTestContext(get());
    web = await listen(ctx);
    ws = await buildWorkspace(ctx.db);
    await run(ctx.db, {
      text: `UPDATE workspaces SET settings = '{"autoCreateAccountsFromChampions": true}' WHERE id = $1`,
      values: [ws.id],
    });
    const orchid = await one(
      ctx.db,
      insertAccount(ws.id, {
        name: 'Orchid Bio',
        domain: 'orchid.example',
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: [],
      }),
    );
    await run(
      ctx.db,
      insertAccount(ws.id, {
        name: 'Kestrel Robotics',
        domain: 'kestrel.example',
        aliases: [],
        ownerId: null,
        timeZone: null,
        country: null,
        tags: [],
      }),
    );
    champion = (await one(
      ctx.db,
      insertContact(ws.id, {
        accountId: orchid!.id,
        firstName: 'Grace',
        lastName: 'Kim',
        email: 'grace@orchid.example',
        title: 'Head of BD',
        timeZone: null,
        linkedinUrl: null,
        isChampion: true,
      }),
    ))!.id;
    hook = (await one(
      ctx.db,
      insertSource(ws.id, {
        kind: 'webhook',
        name: 'Job changes',
        url: null,
        config: {},
        secretEnc: ctx.secrets.seal(SECRET),
        pollIntervalMinutes: 60,
      }),
    ))!;
    token = await createApiToken(ctx.db, ws.users.revops.id, 'test');
  });
  afterAll(async () => {
    await web?.close();
    await ctx?.stop();
  });

  const move = JSON.stringify({
    type: 'job_change',
    id: 'evt-1',
    person: { name: 'Grace Kim', email: 'grace@orchid.example' },
    newTitle: 'VP Partnerships',
    newCompany: { name: 'Heliotrope Labs', domain: 'heliotrope.example' },
    startDate: '2026-03-02',
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    const before = [await count('signals'), await count('accounts'), await count('contact_changes')];
    expect(
      (
        await deliver(move, {
          'x-prospector-source': String(hook.id),
          'x-prospector-signature': signBody('wrong-secret', move),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await deliver(move, {
          'x-prospector-source': String(hook.id),
          'x-prospector-signature': signBody(SECRET, move + ' '),
        })
      ).status,
    ).toBe(401);
    expect(
      (await deliver(move, { 'x-prospector-source': '999999', 'x-prospector-signature': signBody(SECRET, move) }))
        .status,
    ).toBe(401);
    expect([await count('signals'), await count('accounts'), await count('contact_changes')]).toEqual(before);
    const contact = await one<{ account_id: number; title: string }>(ctx.db, {
      text: 'SELECT account_id, title FROM contacts WHERE id = $1',
      values: [champion],
    });
    expect(contact!.title).toBe('Head of BD');
  });

  it('accepts a signed job change: the champion moves, the new account is created, research is queued', async () => {
    const res = await deliver(move, {
      'x-prospector-source': String(hook.id),
      'x-prospector-signature': signBody(SECRET, move),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { created: number; signals: number[] };
    expect(body.created).toBe(1);
    const s = await one<SignalRow>(ctx.db, { text: 'SELECT * FROM signals WHERE id = $1', values: [body.signals[0]] });
    const account = await one<{ id: number; name: string }>(ctx.db, {
      text: `SELECT id, name FROM accounts WHERE workspace_id = $1 AND domain = 'heliotrope.example'`,
      values: [ws.id],
    });
    expect(account!.name).toBe('Heliotrope Labs');
    expect(s).toMatchObject({
      type: 'job_change',
      status: 'new',
      contact_id: champion,
      account_id: account!.id,
      facts: expect.objectContaining({
        champion: true,
        accountCreated: true,
        previousCompany: 'Orchid Bio',
        newTitle: 'VP Partnerships',
      }),
    });
    const contact = await one<{ account_id: number; title: string; previous_company: string }>(ctx.db, {
      text: 'SELECT * FROM contacts WHERE id = $1',
      values: [champion],
    });
    expect(contact).toMatchObject({
      account_id: account!.id,
      title: 'VP Partnerships',
      previous_company: 'Orchid Bio',
    });
    const jobs = await run<{ data: { signalId: number } }>(ctx.db, {
      text: `SELECT data FROM pgboss.job WHERE name = 'research'`,
      values: [],
    });
    expect(jobs.map((j) => j.data.signalId)).toEqual([s!.id]);
    // The same delivery again (providers retry) adds no second signal or job.
    const again = await deliver(move, {
      'x-prospector-source': String(hook.id),
      'x-prospector-signature': signBody(SECRET, move),
    });
    expect(((await again.json()) as { created: number }).created).toBe(0);
    expect(await count(`pgboss.job WHERE name = 'research'`)).toBe(1);
  });

  it('accepts other signed events in a batch', async () => {
    const batch = JSON.stringify({
      events: [
        { type: 'funding', title: 'Kestrel Robotics lands $42 million Series B', url: 'https://wire.example/k' },
        { type: 'news', title: 'Initech opens London office', company: { name: 'Initech' } },
      ],
    });
    const res = await deliver(batch, {
      'x-prospector-source': String(hook.id),
      'x-prospector-signature': signBody(SECRET, batch),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ received: 2, created: 2 });
  });

  it('takes manual entries from the API and classifies them', async () => {
    const res = await api('/api/signals', {
      method: 'POST',
      body: { title: 'Orchid Bio secures $25M Series A led by Lux Capital' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      created: true,
      signal: { type: 'funding', subtype: 'series_a', status: 'new', facts: { amount: 25e6 } },
    });
    expect(
      (
        await fetch(`${web.base}/api/signals`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"title":"x"}',
        })
      ).status,
    ).toBe(401);
  });

  it('takes job changes as JSON from RevOps and moves the contact', async () => {
    const dana = await one(
      ctx.db,
      insertContact(ws.id, {
        accountId: null,
        firstName: 'Dana',
        lastName: 'Reyes',
        email: 'dana@elsewhere.example',
        title: 'AE',
        timeZone: null,
        linkedinUrl: 'https://www.linkedin.com/in/dana-reyes',
        isChampion: false,
      }),
    );
    const res = await api('/api/signals/job-changes', {
      method: 'POST',
      body: [
        {
          type: 'job_change',
          person: { name: 'Dana Reyes', linkedinUrl: 'https://www.linkedin.com/in/dana-reyes/' },
          newTitle: 'VP Sales',
          newCompany: { name: 'Kestrel Robotics Inc.' },
        },
      ],
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { created: number; signals: number[] };
    expect(body.created).toBe(1);
    const s = await one<SignalRow>(ctx.db, { text: 'SELECT * FROM signals WHERE id = $1', values: [body.signals[0]] });
    const kestrel = await one<{ id: number }>(ctx.db, {
      text: `SELECT id FROM accounts WHERE workspace_id = $1 AND name = 'Kestrel Robotics'`,
      values: [ws.id],
    });
    expect(s).toMatchObject({
      type: 'job_change',
      contact_id: dana!.id,
      account_id: kestrel!.id,
      facts: expect.objectContaining({ champion: false, newTitle: 'VP Sales' }),
    });
    expect(
      await one(ctx.db, { text: 'SELECT account_id, title FROM contacts WHERE id = $1', values: [dana!.id] }),
    ).toEqual({ account_id: kestrel!.id, title: 'VP Sales' });
    expect((await api('/api/signals/job-changes', { method: 'POST', body: [{ type: 'job_change' }] })).status).toBe(
      400,
    );
    // A promotion at the same company updates the title; a move to a company we do not know is
    // kept in the history too. Every step is in contact_changes, oldest first.
    for (const [name, title] of [
      ['Kestrel Robotics', 'Chief Revenue Officer'],
      ['Unheard Of Ltd', 'CEO'],
    ])
      expect(
        (
          await api('/api/signals/job-changes', {
            method: 'POST',
            body: [
              {
                type: 'job_change',
                person: { name: 'Dana Reyes', email: 'dana@elsewhere.example' },
                newTitle: title,
                newCompany: { name },
              },
            ],
          })
        ).status,
      ).toBe(201);
    expect(
      await one(ctx.db, { text: 'SELECT account_id, title FROM contacts WHERE id = $1', values: [dana!.id] }),
    ).toEqual({ account_id: kestrel!.id, title: 'Chief Revenue Officer' });
    const history = await run<{ field: string; old_value: string | null; new_value: string }>(ctx.db, {
      text: 'SELECT field, old_value, new_value FROM contact_changes WHERE contact_id = $1 ORDER BY id',
      values: [dana!.id],
    });
    expect(history).toEqual([
      { field: 'account_id', old_value: null, new_value: String(kestrel!.id) },
      { field: 'title', old_value: 'AE', new_value: 'VP Sales' },
      { field: 'title', old_value: 'VP Sales', new_value: 'Chief Revenue Officer' },
      { field: 'company', old_value: 'Kestrel Robotics', new_value: 'Unheard Of Ltd' },
    ]);
  });

  it('lists unmatched companies and lets a person place a signal on an account', async () => {
    const un = (await (await api('/api/signals/unmatched')).json()) as {
      items: { company: string; signal_ids: number[] }[];
    };
    const initech = un.items.find((i) => i.company === 'Initech')!;
    expect(initech).toBeDefined();
    const kestrel = await one<{ id: number }>(ctx.db, {
      text: `SELECT id FROM accounts WHERE workspace_id = $1 AND name = 'Kestrel Robotics'`,
      values: [ws.id],
    });
    const settled = await api(`/api/signals/${initech.signal_ids[0]}/account`, {
      method: 'POST',
      body: { accountId: kestrel!.id },
    });
    expect(await settled.json()).toMatchObject({ account_id: kestrel!.id, status: 'cooldown' });
    expect(
      (await api(`/api/signals/${initech.signal_ids[0]}/account`, { method: 'POST', body: { accountId: kestrel!.id } }))
        .status,
    ).toBe(409);
  });

  it('creates sources through the API; a webhook secret is shown once and never listed', async () => {
    const res = await api('/api/sources', { method: 'POST', body: { kind: 'webhook', name: 'Provider X' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: number; secret: string; hasSecret: boolean };
    expect(created.secret.length).toBeGreaterThan(30);
    const list = (await (await api('/api/sources')).json()) as { items: Record<string, unknown>[] };
    const listed = list.items.find((s) => s.id === created.id)!;
    expect(listed).toMatchObject({ hasSecret: true });
    expect(JSON.stringify(list)).not.toContain(created.secret);
    expect(listed).not.toHaveProperty('secret_enc');
    const bad = await api('/api/sources', {
      method: 'POST',
      body: { kind: 'greenhouse', name: 'GH', url: 'https://boards.greenhouse.io/acme', config: { keywords: 'SDR' } },
    });
    expect(bad.status).toBe(400);
    const gh = await api('/api/sources', {
      method: 'POST',
      body: { kind: 'greenhouse', name: 'GH', url: 'https://boards.greenhouse.io/acme' },
    });
    expect(await gh.json()).toMatchObject({ url: 'https://boards-api.greenhouse.io/v1/boards/acme/jobs' });
  });

  it('serves demo feeds only with a demo workspace, and demo sources may fetch them without ALLOW_PRIVATE_FETCH', async () => {
    expect((await fetch(`${web.base}/demo/feeds/funding.xml`, { redirect: 'manual' })).status).not.toBe(200);
    ctx.config.publicUrl = web.base;
    ctx.config.allowPrivateFetch = false;
    await run(ctx.db, {
      text:
        'TRUNCATE workspaces, users, accounts, contacts, contact_changes, signal_sources, signals, ' +
        'signal_observations, api_tokens, sessions, audit_log, login_attempts CASCADE',
      values: [],
    });
    expect(await seedDemo(ctx)).toBe('seeded');
    const feed = await fetch(`${web.base}/demo/feeds/funding.xml`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('Kestrel Robotics');
    const sources = await run<SignalSourceRow>(ctx.db, {
      text: `SELECT * FROM signal_sources ORDER BY id`,
      values: [],
    });
    expect(sources.map((s) => s.kind)).toEqual(['feed', 'feed', 'page', 'greenhouse']);
    const ictx = { ...ctx, enqueueResearch: researchEnqueuer(ctx.boss) };
    for (const s of sources) expect(await pollSource(ictx, s.id), s.name).toMatchObject({ ok: true });
    const byStatus = await run<{ status: string; n: number }>(ctx.db, {
      text: `SELECT status, count(*)::int AS n FROM signals GROUP BY status ORDER BY status`,
      values: [],
    });
    expect(Object.fromEntries(byStatus.map((r) => [r.status, r.n]))).toMatchObject({
      new: expect.any(Number),
      unmatched: 1,
      cooldown: 1,
    });
    // A user-made source pointing at the same loopback address is still refused.
    const [wsRow] = await run<{ id: number }>(ctx.db, { text: 'SELECT id FROM workspaces', values: [] });
    const sneaky = await one(
      ctx.db,
      insertSource(wsRow!.id, {
        kind: 'feed',
        name: 'x',
        url: `${web.base}/healthz`,
        config: { demo: true },
        secretEnc: null,
        pollIntervalMinutes: 60,
      }),
    );
    expect(await pollSource(ictx, sneaky!.id)).toMatchObject({
      ok: false,
      error: expect.stringContaining('FETCH_BLOCKED'),
    });
  });
});
