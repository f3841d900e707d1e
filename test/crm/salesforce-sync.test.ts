// Salesforce → Prospector through the core's sync (crm/sync-in.ts), on both backends, against the fake org
// driven by the real jsforce client: connect with PKCE, a first sync with paging and owners matched by
// email, an incremental run with a change, a merge and a delete, a CRM opt-out suppressing the address, an
// open opportunity holding the account out, a hostile target filter refused with the reason stored, and a
// revoked app stopping the sync with its reason and resuming after a reconnect.
import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { saveConnection } from '../../crm/connection.js';
import { crmHoldOut } from '../../crm/guards.js';
import { salesforceAuthorizeUrl, salesforceExchangeCode } from '../../crm/salesforce/oauth.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { type TestWorkspace } from '../support/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

const REDIRECT = 'http://127.0.0.1:3999/settings/crm/callback';
const ACCOUNTS = 600;
const CONTACTS = 3000;

/** The OAuth web flow with PKCE as the settings page runs it, then the connection saved by the core. */
async function connectSalesforce(ctx: AppContext, ws: TestWorkspace, sandbox = false) {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = salesforceAuthorizeUrl(ctx, { state: 's', codeChallenge: challenge, redirectUri: REDIRECT, sandbox });
  const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
  const tokens = await salesforceExchangeCode(ctx, {
    code: back.searchParams.get('code')!,
    codeVerifier: verifier,
    redirectUri: REDIRECT,
    sandbox,
  });
  await saveConnection(ctx, {
    workspaceId: ws.id,
    kind: 'salesforce',
    auth: 'oauth',
    tokens,
    externalAccount: null,
    userId: ws.users.admin.id,
  });
  return tokens;
}

const field = async <T>(ctx: AppContext, text: string, values: unknown[]) => one<T>(ctx.db, { text, values });

describeEachBackend('Salesforce sync in', (get) => {
  const app = useCrmApp(get, { salesforce: true });
  const accounts: string[] = [];
  const contacts: string[] = [];

  beforeAll(async () => {
    const rep = app.sf.insert('User', { Email: app.ws.users.rep.email.toUpperCase(), Name: 'Riley Rep' });
    const stranger = app.sf.insert('User', { Email: 'someone@elsewhere.example', Name: 'Not Ours' });
    for (let i = 0; i < ACCOUNTS; i++) {
      accounts.push(
        app.sf.insert('Account', {
          Name: `Account ${i}`,
          Website: `https://www.account-${i}.example`,
          BillingCountry: 'Germany',
          Type: 'Prospect',
          OwnerId: i % 2 ? stranger : rep,
        }),
      );
    }
    for (let i = 0; i < CONTACTS; i++) {
      contacts.push(
        app.sf.insert('Contact', {
          AccountId: accounts[i % ACCOUNTS]!,
          Email: `person${i}@account-${i % ACCOUNTS}.example`,
          FirstName: `P${i}`,
          LastName: 'Person',
          Title: 'VP Sales',
        }),
      );
    }
  }, 60_000);

  it('first sync after connecting with PKCE: every account and contact, paged, owners matched by email', async () => {
    await connectSalesforce(app.ctx, app.ws);
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.error).toBeNull();
    expect(r.summary.companies).toMatchObject({ read: ACCOUNTS, created: ACCOUNTS, failed: 0 });
    expect(r.summary.contacts).toMatchObject({ read: CONTACTS, created: CONTACTS, failed: 0 });
    expect(app.sf.requests.filter((q) => /^\/query\/01g/.test(q.path)).length).toBeGreaterThanOrEqual(1); // a nextRecordsUrl page
    const a0 = await field<{ owner_id: number | null; country: string; name: string }>(
      app.ctx,
      `SELECT owner_id::int AS owner_id, country, name FROM accounts WHERE workspace_id = $1 AND domain = 'account-0.example'`,
      [app.ws.id],
    );
    expect(a0).toEqual({ owner_id: app.ws.users.rep.id, country: 'Germany', name: 'Account 0' });
    const a1 = await field<{ owner_id: number | null }>(
      app.ctx,
      `SELECT owner_id::int AS owner_id FROM accounts WHERE workspace_id = $1 AND domain = 'account-1.example'`,
      [app.ws.id],
    );
    expect(a1!.owner_id).toBeNull();
    const again = await syncIn(app.ctx, app.ws.id);
    expect(again.summary.companies.created + again.summary.contacts.created).toBe(0);
  }, 240_000);

  it('incremental: a change, a merge and a delete; an opt-out suppresses the address; an open opportunity holds the account out', async () => {
    app.sf.advance(2000);
    app.sf.update('Account', accounts[5]!, { Name: 'Account Five Renamed' });
    app.sf.merge('Account', accounts[7]!, accounts[8]!);
    app.sf.remove('Contact', contacts[9]!);
    app.sf.update('Contact', contacts[3]!, { HasOptedOutOfEmail: true });
    app.sf.insert('Opportunity', { Name: 'Expansion', AccountId: accounts[10]!, StageName: 'Negotiation/Review' });
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.error).toBeNull();
    expect(r.summary.companies.read).toBeLessThan(10);
    expect(r.summary.optOuts).toBe(1);
    const renamed = await field<{ name: string }>(
      app.ctx,
      `SELECT name FROM accounts WHERE workspace_id = $1 AND domain = 'account-5.example'`,
      [app.ws.id],
    );
    expect(renamed!.name).toBe('Account Five Renamed');
    const merged = await field<{ merged_into: string; deleted: boolean }>(
      app.ctx,
      `SELECT merged_into, deleted_at IS NOT NULL AS deleted FROM crm_external_ids
        WHERE workspace_id = $1 AND object = 'company' AND external_id = $2`,
      [app.ws.id, accounts[8]],
    );
    expect(merged).toEqual({ merged_into: accounts[7], deleted: true });
    const deleted = await field<{ deleted: boolean }>(
      app.ctx,
      `SELECT deleted_at IS NOT NULL AS deleted FROM crm_external_ids WHERE workspace_id = $1 AND object = 'contact' AND external_id = $2`,
      [app.ws.id, contacts[9]],
    );
    expect(deleted!.deleted).toBe(true);
    // History stays: the deleted contact's row is still there.
    expect(
      await run(app.ctx.db, {
        text: `SELECT 1 FROM contacts WHERE workspace_id = $1 AND email = $2`,
        values: [app.ws.id, 'person9@account-9.example'],
      }),
    ).toHaveLength(1);
    const suppressed = await run(app.ctx.db, {
      text: `SELECT 1 FROM suppressions WHERE workspace_id = $1 AND value = $2`,
      values: [app.ws.id, 'person3@account-3.example'],
    });
    expect(suppressed).toHaveLength(1);
    const held = await field<{ id: number }>(
      app.ctx,
      `SELECT id::int AS id FROM accounts WHERE workspace_id = $1 AND domain = 'account-10.example'`,
      [app.ws.id],
    );
    expect(await crmHoldOut(app.ctx.db, app.ws.id, held!.id)).toMatch(
      /open deal "Expansion" in Salesforce \(stage Negotiation\/Review\)/,
    );
    const free = await field<{ id: number }>(
      app.ctx,
      `SELECT id::int AS id FROM accounts WHERE workspace_id = $1 AND domain = 'account-11.example'`,
      [app.ws.id],
    );
    expect(await crmHoldOut(app.ctx.db, app.ws.id, free!.id)).toBeNull();
  }, 120_000);

  it('a hostile target filter is refused with the reason on the run, and never reaches Salesforce', async () => {
    await run(
      app.ctx.db,
      saveCrmSettings({
        workspaceId: app.ws.id,
        mapping: {},
        targetFilter: { type: 'where', value: "Type = 'Prospect') OR (Name != null" },
        rules: {},
        createContacts: false,
      }),
    );
    const before = app.sf.requests.length;
    const r = await syncIn(app.ctx, app.ws.id, { full: true });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/target filter was refused/);
    expect(
      app.sf.requests.slice(before).some((q) => q.path === '/query' && JSON.stringify(q).includes('Account')),
    ).toBe(false);
    const stored = await field<{ error: string }>(app.ctx, 'SELECT error FROM crm_sync_runs WHERE id = $1', [r.runId]);
    expect(stored!.error).toBe(r.error);
    await run(
      app.ctx.db,
      saveCrmSettings({
        workspaceId: app.ws.id,
        mapping: {},
        targetFilter: { type: 'all' },
        rules: {},
        createContacts: false,
      }),
    );
  }, 60_000);

  it('a revoked app stops the sync with the reason, loses nothing, and resumes after reconnecting', async () => {
    app.sf.revokeAll();
    app.sf.advance(1000);
    app.sf.update('Contact', contacts[4]!, { Title: 'Chief Revenue Officer' });
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.status).toBe('stopped');
    expect(r.error).toMatch(/Salesforce refused our access.*reconnect/);
    const conn = await field<{ status: string }>(
      app.ctx,
      'SELECT status FROM crm_connections WHERE workspace_id = $1',
      [app.ws.id],
    );
    expect(conn!.status).toBe('revoked');
    const calls = app.sf.requests.length;
    expect((await syncIn(app.ctx, app.ws.id)).status).toBe('stopped');
    expect(app.sf.requests.length).toBe(calls);

    await connectSalesforce(app.ctx, app.ws, true);
    expect(app.sf.tokenHosts.at(-1)).toBe('sandbox');
    const resumed = await syncIn(app.ctx, app.ws.id);
    expect(resumed.status).toBe('done');
    const title = await field<{ title: string }>(
      app.ctx,
      `SELECT title FROM contacts WHERE workspace_id = $1 AND email = 'person4@account-4.example'`,
      [app.ws.id],
    );
    expect(title!.title).toBe('Chief Revenue Officer');
  }, 120_000);
});
