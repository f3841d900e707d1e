// CRM sign-in flows are stored as what they are (migration 0032): purpose 'crm', no mailbox transport or
// OIDC nonce, Salesforce's login host in its own column; the check refuses a CRM flow posing as a mailbox
// one and the other way round; the mailbox callback never consumes a CRM flow. The migration turns a CRM
// flow saved the old way (transport 'api', host in nonce) into the new shape. Both backends.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { one } from '../../db/index.js';
import { listMigrations, migrate } from '../../db/migrate.js';
import { consumeOAuthFlow } from '../../db/queries/mailbox-oauth.js';
import { buildWorkspace } from '../support/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { BACKENDS, createTestDb, describeEachBackend, type TestDb } from '../support/db.js';
import { Browserish } from '../support/web.js';

interface FlowRow {
  provider: string;
  purpose: string;
  transport: string | null;
  nonce: string | null;
  login_host: string | null;
  consumed: boolean;
}
const FLOW_COLS = `provider, purpose, transport, nonce, login_host, consumed_at IS NOT NULL AS consumed`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

describeEachBackend('CRM sign-in flows in oauth_flows', (get) => {
  const app = useCrmApp(get, { hubspot: 'oauth', salesforce: true, web: true });

  const flowFor = (state: string) =>
    one<FlowRow>(app.ctx.db, {
      text: `SELECT ${FLOW_COLS} FROM oauth_flows WHERE state_hash = $1`,
      values: [sha256(state)],
    });

  it('a Salesforce sandbox sign-in is a CRM flow with its login host; the callback consumes it once', async () => {
    const revops = new Browserish(app.base);
    await revops.login(app.ws.users.revops.email, app.ws.users.revops.password);
    const { csrf } = await revops.page('/settings/crm');
    const start = await revops.post('/settings/crm/oauth/salesforce', { _csrf: csrf!, host: 'sandbox' });
    expect(start.status).toBe(303);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    expect(await flowFor(state)).toEqual({
      provider: 'salesforce',
      purpose: 'crm',
      transport: null,
      nonce: null,
      login_host: 'sandbox',
      consumed: false,
    });
    // The mailbox connect's callback does not take a CRM flow, even from the session that started it.
    const session = (await one<{ session_id: string }>(app.ctx.db, {
      text: `SELECT session_id FROM oauth_flows WHERE state_hash = $1`,
      values: [sha256(state)],
    }))!.session_id;
    expect(await one(app.ctx.db, consumeOAuthFlow(sha256(state), session, new Date()))).toBeUndefined();

    const back = new URL(
      (await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!,
    );
    const hosts = app.sf.tokenHosts.length;
    expect((await revops.fetch(back.pathname + back.search)).status).toBe(303);
    expect(app.sf.tokenHosts.slice(hosts)).toEqual(['sandbox']);
    expect((await flowFor(state))?.consumed).toBe(true);
  });

  it('a production Salesforce and a HubSpot sign-in: production host, and no host for HubSpot', async () => {
    const revops = new Browserish(app.base);
    await revops.login(app.ws.users.revops.email, app.ws.users.revops.password);
    const { csrf } = await revops.page('/settings/crm');
    const stateOf = async (path: string, body: Record<string, string>) =>
      new URL((await revops.post(path, { _csrf: csrf!, ...body })).headers.get('location')!).searchParams.get('state')!;
    expect(await flowFor(await stateOf('/settings/crm/oauth/salesforce', { host: 'production' }))).toMatchObject({
      purpose: 'crm',
      login_host: 'production',
    });
    expect(await flowFor(await stateOf('/settings/crm/oauth/hubspot', {}))).toMatchObject({
      provider: 'hubspot',
      purpose: 'crm',
      transport: null,
      login_host: null,
    });
  });

  it('the check refuses a CRM flow with a mailbox transport, and a mailbox flow for a CRM provider', async () => {
    const insert = (
      provider: string,
      purpose: string,
      transport: string | null,
      nonce: string | null,
      host: string | null,
    ) =>
      app.ctx.db.query(
        `INSERT INTO oauth_flows (state_hash, session_id, workspace_id, user_id, provider, purpose, transport,
           code_verifier_enc, nonce, login_host, expires_at)
         VALUES ($1, 's', $2, $3, $4, $5, $6, 'v', $7, $8, now() + interval '10 minutes')`,
        [`h-${Math.random()}`, app.ws.id, app.ws.users.revops.id, provider, purpose, transport, nonce, host],
      );
    await expect(insert('salesforce', 'crm', 'api', null, 'production')).rejects.toThrow(/oauth_flows_purpose_check/);
    await expect(insert('salesforce', 'crm', null, null, null)).rejects.toThrow(/oauth_flows_purpose_check/);
    await expect(insert('hubspot', 'mailbox', 'api', 'n', null)).rejects.toThrow(/oauth_flows_purpose_check/);
    await expect(insert('google', 'crm', null, null, null)).rejects.toThrow(/oauth_flows_purpose_check/);
    await insert('google', 'mailbox', 'smtp', 'n', null);
    await insert('salesforce', 'crm', null, null, 'sandbox');
  });
});

describe('migration 0032 turns CRM flows saved the old way into CRM flows', () => {
  const dbs: TestDb[] = [];
  afterAll(async () => {
    for (const t of dbs) await t.dispose();
  });

  it.each(BACKENDS)('on %s', async (backend) => {
    const t = await createTestDb(backend, { migrate: false, label: 'flow0032' });
    dbs.push(t);
    const all = listMigrations();
    await migrate(
      t.db,
      all.filter((m) => m.version < 32),
    );
    const ws = await buildWorkspace(t.db);
    const old = (state: string, provider: string, transport: string, nonce: string) =>
      t.db.query(
        `INSERT INTO oauth_flows (state_hash, session_id, workspace_id, user_id, provider, transport, code_verifier_enc,
           nonce, expires_at)
         VALUES ($1, 's', $2, $3, $4, $5, 'v', $6, now() + interval '10 minutes')`,
        [state, ws.id, ws.users.admin.id, provider, transport, nonce],
      );
    await old('sf', 'salesforce', 'api', 'sandbox');
    await old('hs', 'hubspot', 'api', 'production');
    await old('gm', 'google', 'smtp', 'oidc-nonce');
    await migrate(t.db, all);
    const { rows } = await t.db.query<FlowRow & { state_hash: string }>(
      `SELECT state_hash, ${FLOW_COLS} FROM oauth_flows ORDER BY state_hash`,
    );
    expect(
      rows.map(({ state_hash, provider, purpose, transport, nonce, login_host }) => ({
        state_hash,
        provider,
        purpose,
        transport,
        nonce,
        login_host,
      })),
    ).toEqual([
      {
        state_hash: 'gm',
        provider: 'google',
        purpose: 'mailbox',
        transport: 'smtp',
        nonce: 'oidc-nonce',
        login_host: null,
      },
      { state_hash: 'hs', provider: 'hubspot', purpose: 'crm', transport: null, nonce: null, login_host: null },
      { state_hash: 'sf', provider: 'salesforce', purpose: 'crm', transport: null, nonce: null, login_host: 'sandbox' },
    ]);
  });
});
