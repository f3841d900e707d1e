// create_contacts (issue 14): a person research found and a rep chose to email becomes a HubSpot
// contact only when the workspace says so, on both backends against the fake HubSpot driven by the
// real client. Off: the sent email creates nothing. On: one contact, through the contact mapping and
// associated to its company, its CRM id kept, its emails then logged on it; collecting and flushing
// again creates nothing twice, and a person already in HubSpot is linked, not created again.
import { expect, it } from 'vitest';
import { flushOutbox, syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { describeEachBackend } from '../support/db.js';
import { useCrmApp } from '../support/crm-app.js';

describeEachBackend('CRM create_contacts (HubSpot)', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot' });

  const setCreate = (createContacts: boolean) =>
    run(
      app.ctx.db,
      saveCrmSettings({
        workspaceId: app.ws.id,
        mapping: {},
        targetFilter: { type: 'all' },
        rules: {},
        createContacts,
      }),
    );
  /** A contact research found on the account (not from the CRM). */
  const person = async (email: string, accountId: number) =>
    (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title)
             VALUES ($1, $2, 'Pat', 'Quinn', $3, 'Head of Ops') RETURNING id::int AS id`,
      values: [app.ws.id, accountId, email],
    }))!.id;
  let n = 0;
  const sent = async (contactId: number, to: string) => {
    const subject = `Hello ${++n}`;
    const msg = (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
             VALUES ($1, $2, 'out', $3, 'rep@x.test', $4, $5, 'Hi') RETURNING id::int AS id`,
      values: [app.ws.id, contactId, `<m${n}-${contactId}@x.test>`, to, subject],
    }))!.id;
    await app.ctx.db.query(
      `INSERT INTO events (workspace_id, type, contact_id, message_ref) VALUES ($1, 'sent', $2, $3)`,
      [app.ws.id, contactId, msg],
    );
  };
  const hsContacts = (email: string) =>
    [...app.hs.objects.contacts.values()].filter((c) => c.properties.email === email && !c.archived);
  const emailsOn = (id: string) =>
    [...app.hs.objects.emails.values()].filter((e) => e.associations.contacts?.some((x) => x.id === id));

  it('creates the contact only when the workspace says so, once, with its emails; links one HubSpot has', async () => {
    const acme = app.hs.create('companies', { name: 'Acme', domain: 'acme.example' });
    await syncIn(app.ctx, app.ws.id);
    const account = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id::int AS id FROM accounts WHERE workspace_id = $1 AND domain = 'acme.example'`,
      values: [app.ws.id],
    }))!.id;
    const pat = await person('pat@acme.example', account);
    const t0 = new Date(Date.now() + 1000);

    // Off (the default): the email is sent, nothing is created or queued.
    await sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, t0)).collected).toBe(0);
    expect(hsContacts('pat@acme.example')).toHaveLength(0);
    const rows = () =>
      one<{ n: number }>(app.ctx.db, {
        text: `SELECT count(*)::int AS n FROM crm_outbox WHERE workspace_id = $1 AND activity = 'contact'`,
        values: [app.ws.id],
      });
    expect(await rows()).toEqual({ n: 0 });

    // On: the next email to Pat creates the contact, once.
    await setCreate(true);
    await sent(pat, 'pat@acme.example');
    await sent(pat, 'pat@acme.example');
    const out = await syncOut(app.ctx, app.ws.id, t0);
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
      await one(app.ctx.db, {
        text: `SELECT external_id FROM crm_external_ids WHERE workspace_id = $1 AND object = 'contact' AND local_id = $2`,
        values: [app.ws.id, pat],
      }),
    ).toEqual({ external_id: created!.id });
    // Its emails (all three, sent since connecting) are then logged on it.
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 1000))).toMatchObject({ done: 3 });
    expect(
      emailsOn(created!.id)
        .map((e) => e.properties.hs_email_subject)
        .sort(),
    ).toEqual(['Hello 1', 'Hello 2', 'Hello 3']);

    // Again: nothing twice; a further email is logged, not created again.
    await sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 2000))).flush).toMatchObject({
      claimed: 1,
      done: 1,
    });
    expect(hsContacts('pat@acme.example')).toHaveLength(1);
    expect(emailsOn(created!.id)).toHaveLength(4);
    expect(await rows()).toEqual({ n: 1 });

    // Someone added Lee in HubSpot before our sync saw it: linked to that contact, not a second one.
    const lee = app.hs.create('contacts', { email: 'lee@acme.example', firstname: 'Lee' });
    const leeLocal = await person('lee@acme.example', account);
    await sent(leeLocal, 'lee@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 3000))).flush).toMatchObject({ done: 1 });
    expect(hsContacts('lee@acme.example').map((c) => c.id)).toEqual([lee.id]);
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 4000))).toMatchObject({ done: 1 });
    expect(emailsOn(lee.id)).toHaveLength(1);
  });
});
