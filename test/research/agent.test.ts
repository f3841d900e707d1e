import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftJobId, researchAgent } from '../../agents/research.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { insertAccount } from '../../db/queries/accounts.js';
import { insertContact } from '../../db/queries/contacts.js';
import { dossiersOfSignal, factsOfDossier } from '../../db/queries/research.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { deadPort, startFixtureSites, type FixtureSites } from './fixture-sites.js';

describeEachBackend('research agent', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let sites: FixtureSites;
  let ws: TestWorkspace;
  let n = 0;
  beforeAll(async () => {
    ctx = await createTestContext(get());
    sites = await startFixtureSites();
    ws = await buildWorkspace(ctx.db);
    const map = {
      'acme.example': `${sites.base}/static/`,
      'down.example': `http://127.0.0.1:${await deadPort()}/`,
      'lonely.example': `${sites.base}/jsonld/`,
    };
    await ctx.db.query(`UPDATE workspaces SET settings = $2 WHERE id = $1`, [
      ws.id,
      JSON.stringify({ researchSiteMap: map }),
    ]);
    await ctx.db.query(`UPDATE users SET time_zone = 'America/Chicago' WHERE id = $1`, [ws.users.rep.id]);
  });
  afterAll(async () => {
    await sites?.close();
    await ctx?.stop();
  });

  async function account(domain: string, contacts: { first: string; title: string; tz?: string; status?: string }[]) {
    const acc = (await one(
      ctx.db,
      insertAccount(ws.id, {
        name: 'Acme Widgets',
        domain,
        aliases: [],
        ownerId: ws.users.rep.id,
        timeZone: null,
        country: null,
        tags: [],
      }),
    ))!;
    const ids: Record<string, number> = {};
    for (const c of contacts) {
      const row = (await one(
        ctx.db,
        insertContact(ws.id, {
          accountId: acc.id,
          firstName: c.first,
          lastName: 'Doe',
          email: `${c.first.toLowerCase()}-${++n}@${domain}`,
          title: c.title,
          timeZone: c.tz ?? null,
          linkedinUrl: null,
          isChampion: false,
        }),
      ))!;
      if (c.status) await ctx.db.query(`UPDATE contacts SET status = $2 WHERE id = $1`, [row.id, c.status]);
      ids[c.first] = row.id;
    }
    return { id: acc.id, contacts: ids };
  }

  async function signal(
    accountId: number,
    o: { contactId?: number; status?: string; url?: string | null; type?: string } = {},
  ) {
    const { rows } = await ctx.db.query<{ id: number }>(
      `INSERT INTO signals (workspace_id, account_id, contact_id, type, title, url, fingerprint, status)
       VALUES ($1, $2, $3, $4, 'Acme Widgets raises $12 million Series A', $5, $6, $7) RETURNING id`,
      [
        ws.id,
        accountId,
        o.contactId ?? null,
        o.type ?? 'funding',
        o.url === undefined ? `${sites.base}/news/acme-series-a` : o.url,
        `fp-${++n}`,
        o.status ?? 'new',
      ],
    );
    return rows[0]!.id;
  }

  const research = (signalId: number, jobId = randomUUID()) =>
    researchAgent.handler({ signalId }, { ...ctx, jobId, signal: new AbortController().signal });
  const status = async (id: number) =>
    (await one<{ status: string }>(ctx.db, { text: 'SELECT status FROM signals WHERE id = $1', values: [id] }))!.status;
  const draftJobs = async (id: number) =>
    (
      await ctx.db.query<{ id: string }>(
        `SELECT id FROM pgboss.job WHERE name = 'draft' AND (data->>'signalId')::bigint = $1`,
        [id],
      )
    ).rows;
  const dossiers = (id: number) => run(ctx.db, dossiersOfSignal(id));

  it('builds a cited dossier for the most senior active contact, marks the signal researched and enqueues one draft', async () => {
    const acc = await account('acme.example', [
      { first: 'Sam', title: 'Sales Manager' },
      { first: 'Jo', title: 'VP Sales' },
      { first: 'Al', title: 'CEO', status: 'unsubscribed' },
    ]);
    const id = await signal(acc.id);
    const jobId = randomUUID();
    await research(id, jobId);
    expect(await status(id)).toBe('researched');
    const [d] = await dossiers(id);
    expect(d).toMatchObject({
      contact_id: acc.contacts.Jo,
      contact_time_zone: 'America/Chicago',
      people: [expect.objectContaining({ title: 'VP Sales' })],
    });
    const facts = await run(ctx.db, factsOfDossier(d!.id));
    expect(facts[0]).toMatchObject({ kind: 'signal', source_url: `${sites.base}/news/acme-series-a` });
    expect(facts.map((f) => f.position)).toEqual(facts.map((_, i) => i));
    expect(facts.find((f) => f.kind === 'hiring')?.source_url).toBe(`${sites.base}/static/careers`);
    expect(facts.every((f) => f.fetched_at instanceof Date && f.quote.length > 0)).toBe(true);
    expect((await draftJobs(id)).map((j) => j.id)).toEqual([draftJobId(jobId)]);

    // The same job delivered again replaces the dossier and still leaves one draft job.
    await research(id, jobId);
    const again = await dossiers(id);
    expect(again).toHaveLength(1);
    expect(again[0]!.id).not.toBe(d!.id);
    expect(await draftJobs(id)).toHaveLength(1);
  });

  it('reads the site once for a second signal on the same account (page cache)', async () => {
    const before = sites.hits.get('/static/about');
    const acc = await account('acme-two.example', [{ first: 'Kim', title: 'Head of Sales' }]);
    await ctx.db.query(
      `UPDATE workspaces SET settings = jsonb_set(settings, '{researchSiteMap,acme-two.example}', to_jsonb($2::text)) WHERE id = $1`,
      [ws.id, `${sites.base}/static/`],
    );
    const id = await signal(acc.id, { url: null });
    await research(id);
    const [d] = await dossiers(id);
    expect(sites.hits.get('/static/about')).toBe(before);
    expect(d!.stats.cacheHits).toBe(d!.stats.pagesFetched);
  });

  it('researches the contact a job-change signal names, with their own time zone', async () => {
    const acc = await account('acme.example-jc', [
      { first: 'Lee', title: 'Account Manager', tz: 'Europe/Oslo' },
      { first: 'Max', title: 'Chief Revenue Officer' },
    ]);
    const id = await signal(acc.id, { contactId: acc.contacts.Lee, type: 'job_change', url: null });
    await research(id);
    const [d] = await dossiers(id);
    expect(d).toMatchObject({ contact_id: acc.contacts.Lee, contact_time_zone: 'Europe/Oslo' });
  });

  it('marks a signal needs_contact when the account has nobody to write to, without a draft', async () => {
    const acc = await account('lonely.example', [{ first: 'Gone', title: 'CEO', status: 'bounced' }]);
    const id = await signal(acc.id, { url: null });
    await research(id);
    expect(await status(id)).toBe('needs_contact');
    const [d] = await dossiers(id);
    expect(d).toMatchObject({ contact_id: null, contact_time_zone: 'Europe/Berlin' });
    expect(await draftJobs(id)).toHaveLength(0);
  });

  it('saves what it could and the errors when the site is down, and the draft still proceeds', async () => {
    const acc = await account('down.example', [{ first: 'Pat', title: 'Director of Sales' }]);
    const id = await signal(acc.id, { url: `${sites.base}/news/acme-series-a` });
    await research(id);
    expect(await status(id)).toBe('researched');
    const [d] = await dossiers(id);
    expect(d!.errors).toEqual([expect.objectContaining({ reason: 'network' })]);
    expect((await run(ctx.db, factsOfDossier(d!.id))).length).toBeGreaterThan(0);
    expect(await draftJobs(id)).toHaveLength(1);
  });

  it('keeps the failure on the signal when saving fails, and a retry finishes the job', async () => {
    const acc = await account('acme-retry.example', [{ first: 'Rae', title: 'VP Sales' }]);
    const id = await signal(acc.id, { url: `${sites.base}/news/acme-series-a` });
    const broken = {
      ...ctx,
      boss: { send: () => Promise.reject(new Error('queue unavailable')) },
    } as unknown as AppContext;
    await expect(
      researchAgent.handler({ signalId: id }, { ...broken, jobId: randomUUID(), signal: new AbortController().signal }),
    ).rejects.toThrow('queue unavailable');
    expect(await one(ctx.db, { text: 'SELECT status, error FROM signals WHERE id = $1', values: [id] })).toEqual({
      status: 'researching',
      error: 'queue unavailable',
    });
    expect(await dossiers(id)).toHaveLength(0);
    await research(id);
    expect(await status(id)).toBe('researched');
    expect(await dossiers(id)).toHaveLength(1);
  });

  it('leaves a dismissed signal alone', async () => {
    const acc = await account('acme-dismissed.example', [{ first: 'Ann', title: 'VP Sales' }]);
    const id = await signal(acc.id, { status: 'dismissed' });
    await research(id);
    expect(await status(id)).toBe('dismissed');
    expect(await dossiers(id)).toHaveLength(0);
  });
});
