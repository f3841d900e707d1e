// create_contacts (issue 14): a person research found and a rep chose to email becomes a HubSpot
// contact only when the workspace says so, on both backends against the fake HubSpot driven by the
// real client. Off: the sent email creates nothing. On: one contact, through the contact mapping and
// associated to its company, its CRM id kept, its emails then logged on it; collecting and flushing
// again creates nothing twice, and a person already in HubSpot is linked, not created again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { connectWithToken } from '../../crm/connection.js';
import { flushOutbox, syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';

describeEachBackend('CRM create_contacts (HubSpot)', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let hs: FakeHubSpot;
  beforeAll(async () => {
    hs = await startFakeHubSpot();
    ctx = await createTestContext(get(), { HUBSPOT_API_URL: hs.url });
    ws = await buildWorkspace(get().db);
    await connectWithToken(ctx, {
      workspaceId: ws.id,
      userId: ws.users.admin.id,
      kind: 'hubspot',
      token: hs.addPrivateToken(),
    });
  });
  afterAll(async () => {
    await ctx.stop();
    await hs.close();
  });

  const setCreate = (createContacts: boolean) =>
    run(
      ctx.db,
      saveCrmSettings({ workspaceId: ws.id, mapping: {}, targetFilter: { type: 'all' }, rules: {}, createContacts }),
    );
  /** A contact research found on the account (not from the CRM). */
  const person = async (email: string, accountId: number) =>
    (await one<{ id: number }>(ctx.db, {
      text: `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title)
             VALUES ($1, $2, 'Pat', 'Quinn', $3, 'Head of Ops') RETURNING id::int AS id`,
      values: [ws.id, accountId, email],
    }))!.id;
  let n = 0;
  const sent = async (contactId: number, to: string) => {
    const subject = `Hello ${++n}`;
    const msg = (await one<{ id: number }>(ctx.db, {
      text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
             VALUES ($1, $2, 'out', $3, 'rep@x.test', $4, $5, 'Hi') RETURNING id::int AS id`,
      values: [ws.id, contactId, `<m${n}-${contactId}@x.test>`, to, subject],
    }))!.id;
    await ctx.db.query(`INSERT INTO events (workspace_id, type, contact_id, message_ref) VALUES ($1, 'sent', $2, $3)`, [
      ws.id,
      contactId,
      msg,
    ]);
  };
  const hsContacts = (email: string) =>
    [...hs.objects.contacts.values()].filter((c) => c.properties.email === email && !c.archived);
  const emailsOn = (id: string) =>
    [...hs.objects.emails.values()].filter((e) => e.associations.contacts?.some((x) => x.id === id));

  it('creates the contact only when the workspace says so, once, with its emails; links one HubSpot has', async () => {
    const acme = hs.create('companies', { name: 'Acme', domain: 'acme.example' });
    await syncIn(ctx, ws.id);
    const account = (await one<{ id: number }>(ctx.db, {
      text: `SELECT id::int AS id FROM accounts WHERE workspace_id = $1 AND domain = 'acme.example'`,
      values: [ws.id],
    }))!.id;
    const pat = await person('pat@acme.example', account);
    const t0 = new Date(Date.now() + 1000);

    // Off (the default): the email is sent, nothing is created or queued.
    await sent(pat, 'pat@acme.example');
    expect((await syncOut(ctx, ws.id, t0)).collected).toBe(0);
    expect(hsContacts('pat@acme.example')).toHaveLength(0);
    const rows = () =>
      one<{ n: number }>(ctx.db, {
        text: `SELECT count(*)::int AS n FROM crm_outbox WHERE workspace_id = $1 AND activity = 'contact'`,
        values: [ws.id],
      });
    expect(await rows()).toEqual({ n: 0 });

    // On: the next email to Pat creates the contact, once.
    await setCreate(true);
    await sent(pat, 'pat@acme.example');
    await sent(pat, 'pat@acme.example');
    const out = await syncOut(ctx, ws.id, t0);
    expect(out.collected).toBe(1);
    expect(out.flush).toMatchObject({ claimed: 1, done: 1 });
    const [created] = hsContacts('pat@acme.example');
    expect(created!.properties).toMatchObject({
      firstname: 'Pat',
      lastname: 'Quinn',
      jobtitle: 'Head of Ops',
      associatedcompanyid: acme.id,
    });
    expect(
      await one(ctx.db, {
        text: `SELECT external_id FROM crm_external_ids WHERE workspace_id = $1 AND object = 'contact' AND local_id = $2`,
        values: [ws.id, pat],
      }),
    ).toEqual({ external_id: created!.id });
    // Its emails (all three, sent since connecting) are then logged on it.
    expect(await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 1000))).toMatchObject({ done: 3 });
    expect(
      emailsOn(created!.id)
        .map((e) => e.properties.hs_email_subject)
        .sort(),
    ).toEqual(['Hello 1', 'Hello 2', 'Hello 3']);

    // Again: nothing twice; a further email is logged, not created again.
    await sent(pat, 'pat@acme.example');
    expect((await syncOut(ctx, ws.id, new Date(t0.getTime() + 2000))).flush).toMatchObject({ claimed: 1, done: 1 });
    expect(hsContacts('pat@acme.example')).toHaveLength(1);
    expect(emailsOn(created!.id)).toHaveLength(4);
    expect(await rows()).toEqual({ n: 1 });

    // Someone added Lee in HubSpot before our sync saw it: linked to that contact, not a second one.
    const lee = hs.create('contacts', { email: 'lee@acme.example', firstname: 'Lee' });
    const leeLocal = await person('lee@acme.example', account);
    await sent(leeLocal, 'lee@acme.example');
    expect((await syncOut(ctx, ws.id, new Date(t0.getTime() + 3000))).flush).toMatchObject({ done: 1 });
    expect(hsContacts('lee@acme.example').map((c) => c.id)).toEqual([lee.id]);
    expect(await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 4000))).toMatchObject({ done: 1 });
    expect(emailsOn(lee.id)).toHaveLength(1);
  });
});
