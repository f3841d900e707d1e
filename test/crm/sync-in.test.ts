// CRM → Prospector against the fake HubSpot driven by the real @hubspot/api-client: a first sync of
// 2,000 companies and 5,000 contacts through the paging cursors, owners matched by email, an
// incremental run that picks up a change and a merge, a dry run that writes nothing, and a revoked
// token that stops the sync with its reason and resumes after a reconnect.
import { beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { connectWithToken } from '../../crm/connection.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

const count = async (ctx: AppContext, sql: string, values: unknown[]) =>
  (await one<{ n: number }>(ctx.db, { text: `SELECT count(*)::int AS n FROM ${sql}`, values }))!.n;

describeEachBackend('CRM sync in (HubSpot)', (get) => {
  const app = useCrmApp(get, { hubspot: true });
  const companyIds: string[] = [];
  const contactIds: string[] = [];

  beforeAll(async () => {
    app.hs.owners.push(
      { id: '501', email: app.ws.users.rep.email.toUpperCase(), firstName: 'Riley', lastName: 'Rep' },
      { id: '502', email: 'someone-else@elsewhere.example', firstName: 'Not', lastName: 'User' },
    );
    for (let i = 0; i < 2000; i++)
      companyIds.push(
        app.hs.create('companies', {
          name: `Company ${i}`,
          domain: `company-${i}.example`,
          country: 'Germany',
          timezone: 'Europe/Berlin',
          industry: i % 2 ? 'SaaS;Fintech' : 'Retail',
          hubspot_owner_id: i % 3 === 0 ? '501' : '502',
          lifecyclestage: 'lead',
        }).id,
      );
    for (let i = 0; i < 5000; i++)
      contactIds.push(
        app.hs.create(
          'contacts',
          {
            email: `person${i}@company-${i % 2000}.example`,
            firstname: `P${i}`,
            lastname: 'Person',
            jobtitle: 'VP Sales',
          },
          { companies: [companyIds[i % 2000]!] },
        ).id,
      );
  }, 60_000);

  it('a dry run reads everything and writes nothing', async () => {
    await connectWithToken(app.ctx, {
      workspaceId: app.ws.id,
      userId: app.ws.users.admin.id,
      kind: 'hubspot',
      token: app.hs.addPrivateToken(),
    });
    const r = await syncIn(app.ctx, app.ws.id, { dryRun: true });
    expect(r.status).toBe('done');
    expect(r.summary.companies).toMatchObject({ read: 2000, created: 2000 });
    expect(r.summary.contacts).toMatchObject({ read: 5000, created: 5000 });
    expect(await count(app.ctx, 'accounts WHERE workspace_id = $1', [app.ws.id])).toBe(0);
    expect(await count(app.ctx, 'contacts WHERE workspace_id = $1', [app.ws.id])).toBe(0);
    expect(await count(app.ctx, 'crm_external_ids WHERE workspace_id = $1', [app.ws.id])).toBe(0);
    expect(await count(app.ctx, 'crm_sync_runs WHERE workspace_id = $1', [app.ws.id])).toBe(0);
    const conn = await one<{ cursors: object }>(app.ctx.db, {
      text: 'SELECT cursors FROM crm_connections WHERE workspace_id = $1',
      values: [app.ws.id],
    });
    expect(conn!.cursors).toEqual({});
  }, 120_000);

  it('first sync: 2,000 companies and 5,000 contacts through the paging cursors, owners matched by email', async () => {
    const listCalls = app.hs.requests.length;
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.error).toBeNull();
    expect(r.summary.companies).toMatchObject({ read: 2000, created: 2000, failed: 0 });
    expect(r.summary.contacts).toMatchObject({ read: 5000, created: 5000, failed: 0 });
    // 100 per page: 20 + 50 pages at least.
    const pages = app.hs.requests.slice(listCalls).filter((q) => /objects\/(companies|contacts)$/.test(q.path));
    expect(pages.length).toBeGreaterThanOrEqual(70);
    expect(await count(app.ctx, 'accounts WHERE workspace_id = $1', [app.ws.id])).toBe(2000);
    expect(await count(app.ctx, 'contacts WHERE workspace_id = $1 AND account_id IS NOT NULL', [app.ws.id])).toBe(5000);
    const a0 = await one<{ owner_id: number | null; tags: string[]; time_zone: string; country: string }>(app.ctx.db, {
      text: `SELECT owner_id::int AS owner_id, tags, time_zone, country FROM accounts
          WHERE workspace_id = $1 AND domain = 'company-0.example'`,
      values: [app.ws.id],
    });
    expect(a0).toEqual({
      owner_id: app.ws.users.rep.id,
      tags: ['Retail'],
      time_zone: 'Europe/Berlin',
      country: 'Germany',
    });
    const a1 = await one<{ owner_id: number | null; tags: string[] }>(app.ctx.db, {
      text: `SELECT owner_id::int AS owner_id, tags FROM accounts WHERE workspace_id = $1 AND domain = 'company-1.example'`,
      values: [app.ws.id],
    });
    // Owner 502 is nobody in Prospector: the account stays unowned rather than guessed.
    expect(a1).toEqual({ owner_id: null, tags: ['SaaS', 'Fintech'] });
    const run1 = await one<{ status: string; records_in: number; direction: string }>(app.ctx.db, {
      text: `SELECT status, records_in, direction FROM crm_sync_runs WHERE id = $1`,
      values: [r.runId],
    });
    expect(run1).toEqual({ status: 'done', records_in: 7000, direction: 'in' });

    // Running again changes nothing (idempotent through crm_external_ids).
    const again = await syncIn(app.ctx, app.ws.id);
    expect(again.summary.companies.created + again.summary.contacts.created).toBe(0);
    expect(await count(app.ctx, 'accounts WHERE workspace_id = $1', [app.ws.id])).toBe(2000);
  }, 240_000);

  it('incremental: picks up a change and a merge; the merged-away id points to the survivor', async () => {
    const before = app.hs.requests.length;
    app.hs.update('companies', companyIds[5]!, { name: 'Company Five Renamed', hubspot_owner_id: '501' });
    app.hs.merge('companies', companyIds[7]!, companyIds[8]!);
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.status).toBe('done');
    expect(r.summary.companies.read).toBeLessThan(10);
    expect(r.summary.companies).toMatchObject({ updated: 1, merged: 1 });
    expect(app.hs.requests.slice(before).some((q) => q.path.endsWith('/companies/search'))).toBe(true);
    const renamed = await one<{ name: string; owner_id: number }>(app.ctx.db, {
      text: `SELECT name, owner_id::int AS owner_id FROM accounts WHERE workspace_id = $1 AND domain = 'company-5.example'`,
      values: [app.ws.id],
    });
    expect(renamed).toEqual({ name: 'Company Five Renamed', owner_id: app.ws.users.rep.id });
    const merged = await one<{ merged_into: string }>(app.ctx.db, {
      text: `SELECT merged_into FROM crm_external_ids WHERE workspace_id = $1 AND object = 'company' AND external_id = $2`,
      values: [app.ws.id, companyIds[8]],
    });
    expect(merged!.merged_into).toBe(companyIds[7]);
    // History is kept: the merged-away account still exists.
    expect(await count(app.ctx, `accounts WHERE workspace_id = $1 AND domain = 'company-8.example'`, [app.ws.id])).toBe(
      1,
    );
  }, 120_000);

  it('a revoked token stops the sync with the reason, loses nothing, and resumes after reconnecting', async () => {
    app.hs.revokeAll();
    app.hs.update('contacts', contactIds[3]!, { jobtitle: 'Chief Revenue Officer' });
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.status).toBe('stopped');
    expect(r.error).toMatch(/HubSpot refused our access.*reconnect/);
    const conn = await one<{ status: string; status_reason: string }>(app.ctx.db, {
      text: 'SELECT status, status_reason FROM crm_connections WHERE workspace_id = $1',
      values: [app.ws.id],
    });
    expect(conn).toEqual({ status: 'revoked', status_reason: r.error });
    // While revoked nothing is read.
    const calls = app.hs.requests.length;
    expect((await syncIn(app.ctx, app.ws.id)).status).toBe('stopped');
    expect(app.hs.requests.length).toBe(calls);

    await connectWithToken(app.ctx, {
      workspaceId: app.ws.id,
      userId: app.ws.users.admin.id,
      kind: 'hubspot',
      token: app.hs.addPrivateToken(),
    });
    const resumed = await syncIn(app.ctx, app.ws.id);
    expect(resumed.status).toBe('done');
    expect(resumed.summary.contacts.updated).toBe(1);
    const title = await one<{ title: string }>(app.ctx.db, {
      text: `SELECT title FROM contacts WHERE workspace_id = $1 AND email = 'person3@company-3.example'`,
      values: [app.ws.id],
    });
    expect(title!.title).toBe('Chief Revenue Officer');
    expect(
      await run(app.ctx.db, {
        text: 'SELECT 1 FROM crm_sync_runs WHERE workspace_id = $1 AND status = $2',
        values: [app.ws.id, 'stopped'],
      }),
    ).toHaveLength(1);
  }, 120_000);
});
