// HubSpot, against the fake and the real @hubspot/api-client, on both backends: an OAuth access token
// past its expiry is refreshed through the token endpoint before use, and one HubSpot ends early (401) is
// refreshed once; a refused refresh stops the sync as revoked with the reason, and a reconnect resumes it;
// the RevOps target filter by property and by list; the sequence status written to the mapped field.
import { expect, it } from 'vitest';
import { connectWithToken, kindModule, openCrm, saveConnection } from '../../crm/connection.js';
import { syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings, type CrmConnectionRow } from '../../db/queries/crm.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

describeEachBackend('HubSpot tokens, target filters and the status field', (get) => {
  const app = useCrmApp(get, { hubspot: 'oauth' });

  const connection = async (ws: TestWorkspace) =>
    (await one<CrmConnectionRow>(app.ctx.db, {
      text: `SELECT status, status_reason, access_token_enc, access_expires_at FROM crm_connections WHERE workspace_id = $1`,
      values: [ws.id],
    }))!;
  /** Connects through the OAuth app: a code exchanged at the fake's token endpoint. */
  async function connectOAuth(ws: TestWorkspace) {
    const tokens = await kindModule('hubspot').exchangeCode(app.ctx, {
      code: app.hs.issueCode(),
      codeVerifier: 'unused-by-hubspot',
      redirectUri: 'http://127.0.0.1/settings/crm/callback',
    });
    expect(tokens.refreshToken).toBeTruthy();
    await saveConnection(app.ctx, {
      workspaceId: ws.id,
      kind: 'hubspot',
      auth: 'oauth',
      tokens,
      externalAccount: '4242',
      userId: ws.users.admin.id,
    });
  }
  const tokenCalls = () => app.hs.requests.filter((r) => r.path === '/oauth/v1/token');
  const accountsOf = async (ws: TestWorkspace) =>
    (
      await run<{ domain: string }>(app.ctx.db, {
        text: `SELECT domain FROM accounts WHERE workspace_id = $1 ORDER BY domain`,
        values: [ws.id],
      })
    ).map((a) => a.domain);

  it('refreshes an expired access token before use, and once after a 401; the new token is kept', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    await connectOAuth(ws);
    const first = (await connection(ws)).access_token_enc;
    // Our record says the token ran out: refreshed before the call.
    await app.ctx.db.query(
      `UPDATE crm_connections SET access_expires_at = now() - interval '1 minute' WHERE workspace_id = $1`,
      [ws.id],
    );
    let calls = tokenCalls().length;
    const open = (await openCrm(app.ctx, ws.id))!;
    expect((await open.provider.whoAmI()).account).toBe('4242');
    expect(tokenCalls().length - calls).toBe(1);
    const second = await connection(ws);
    expect(second.access_token_enc).not.toBe(first);
    expect(new Date(second.access_expires_at!).getTime()).toBeGreaterThan(Date.now() + 60_000);

    // HubSpot ends it early: the call gets 401, one refresh, the call again.
    app.hs.expireAccessTokens();
    calls = tokenCalls().length;
    expect((await open.provider.whoAmI()).account).toBe('4242');
    expect(tokenCalls().length - calls).toBe(1);
    expect((await connection(ws)).access_token_enc).not.toBe(second.access_token_enc);
    expect((await connection(ws)).status).toBe('connected');
  });

  it('a refused refresh stops the sync as revoked with the reason; a reconnect resumes it', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    await connectOAuth(ws);
    app.hs.create('companies', { name: 'Before Co', domain: 'before-revoke.test' });
    expect((await syncIn(app.ctx, ws.id)).status).toBe('done');
    app.hs.revokeAll();
    app.hs.create('companies', { name: 'After Co', domain: 'after-revoke.test' });
    const stopped = await syncIn(app.ctx, ws.id);
    expect(stopped.status).toBe('stopped');
    const c = await connection(ws);
    expect(c.status).toBe('revoked');
    expect(c.status_reason).toMatch(/^HubSpot refused our access \(.*\)\. Nothing is lost: reconnect/);
    expect(stopped.error).toBe(c.status_reason);
    // While revoked, nothing is read and the reason is repeated.
    expect(await syncIn(app.ctx, ws.id)).toMatchObject({ status: 'stopped', error: c.status_reason });
    expect(await accountsOf(ws)).not.toContain('after-revoke.test');

    await connectOAuth(ws);
    expect((await connection(ws)).status).toBe('connected');
    expect((await syncIn(app.ctx, ws.id)).status).toBe('done');
    expect(await accountsOf(ws)).toEqual(expect.arrayContaining(['after-revoke.test', 'before-revoke.test']));
  });

  it('the target filter: by property, and by list membership', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const a = app.hs.create('companies', { name: 'Target A', domain: `a-${tag}.test`, is_target: 'true' });
    app.hs.create('companies', { name: 'Other B', domain: `b-${tag}.test`, is_target: 'false' });
    const c = app.hs.create('companies', { name: 'Listed C', domain: `c-${tag}.test` });
    app.hs.lists.set(`list-${tag}`, [c.id, a.id]);
    const mine = async (ws: TestWorkspace) => (await accountsOf(ws)).filter((d) => d.endsWith(`-${tag}.test`));
    const withFilter = async (targetFilter: object) => {
      const ws = await buildWorkspace(app.ctx.db);
      await connectWithToken(app.ctx, {
        workspaceId: ws.id,
        userId: null,
        kind: 'hubspot',
        token: app.hs.addPrivateToken(),
      });
      await run(
        app.ctx.db,
        saveCrmSettings({ workspaceId: ws.id, mapping: {}, targetFilter, rules: {}, createContacts: false }),
      );
      expect((await syncIn(app.ctx, ws.id, { full: true })).status).toBe('done');
      return mine(ws);
    };
    expect(await withFilter({ type: 'property', property: 'is_target', value: 'true' })).toEqual([`a-${tag}.test`]);
    expect(await withFilter({ type: 'list', value: `list-${tag}` })).toEqual([`a-${tag}.test`, `c-${tag}.test`]);
    expect(await withFilter({ type: 'all' })).toEqual([`a-${tag}.test`, `b-${tag}.test`, `c-${tag}.test`]);
  });

  it('writes the sequence status to the contact field the mapping names', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    await connectWithToken(app.ctx, {
      workspaceId: ws.id,
      userId: null,
      kind: 'hubspot',
      token: app.hs.addPrivateToken(),
    });
    await run(
      app.ctx.db,
      saveCrmSettings({
        workspaceId: ws.id,
        mapping: { contact: { sequenceStatus: 'prospector_status' } },
        targetFilter: { type: 'all' },
        rules: {},
        createContacts: false,
      }),
    );
    const hc = app.hs.create('contacts', { email: 'status@statusco.test', firstname: 'Stu', lastname: 'Status' });
    await syncIn(app.ctx, ws.id);
    const contact = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id::int AS id FROM contacts WHERE workspace_id = $1 AND email = 'status@statusco.test'`,
      values: [ws.id],
    }))!;
    const event = (type: string) =>
      app.ctx.db.query(`INSERT INTO events (workspace_id, type, contact_id, data) VALUES ($1, $2, $3, '{}')`, [
        ws.id,
        type,
        contact.id,
      ]);
    const status = () => app.hs.objects.contacts.get(hc.id)!.properties.prospector_status;
    await event('sent');
    const t0 = new Date(Date.now() + 1000);
    expect((await syncOut(app.ctx, ws.id, t0)).flush).toMatchObject({ done: 1, failed: 0 });
    expect(status()).toBe('emailed');
    await event('meeting_booked');
    await syncOut(app.ctx, ws.id, new Date(t0.getTime() + 1000));
    expect(status()).toBe('meeting booked');
  });
});
