// create_contacts for Salesforce (issue 14): a person research found and a rep chose to email becomes a
// Salesforce Contact only when the workspace says so, on both backends against the fake org driven by
// the real jsforce client. Off: the sent email creates nothing. On: one Contact, through the contact
// mapping and on its Account, its id kept, its emails then logged on it as Tasks; collecting and
// flushing again creates nothing twice; a person already in Salesforce is linked, not created again;
// a create whose answer was lost (Salesforce saved it, then answered 503) is found on the retry.
import { expect, it } from 'vitest';
import { flushOutbox, syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

describeEachBackend('CRM create_contacts (Salesforce)', (get) => {
  const app = useCrmApp(get, { salesforce: true, connect: 'salesforce' });

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
  const person = async (email: string, accountId: number, lastName = 'Quinn') =>
    (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO contacts (workspace_id, account_id, first_name, last_name, email, title)
             VALUES ($1, $2, 'Pat', $3, $4, 'Head of Ops') RETURNING id::int AS id`,
      values: [app.ws.id, accountId, lastName, email],
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
  const sfContacts = (email: string) =>
    app.sf.all('Contact').filter((c) => String(c.Email).toLowerCase() === email && !c.IsDeleted);
  const tasksOn = (id: string) => app.sf.all('Task').filter((t) => t.WhoId === id);
  const linked = (contactId: number) =>
    one<{ external_id: string }>(app.ctx.db, {
      text: `SELECT external_id FROM crm_external_ids
              WHERE workspace_id = $1 AND kind = 'salesforce' AND object = 'contact' AND local_id = $2`,
      values: [app.ws.id, contactId],
    });
  const hour = 3_600_000;

  it('creates the Contact only when the workspace says so, once, with its emails; links one Salesforce has', async () => {
    const acme = app.sf.insert('Account', { Name: 'Acme', Website: 'acme.example' });
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
    expect(sfContacts('pat@acme.example')).toHaveLength(0);
    const rows = () =>
      one<{ n: number }>(app.ctx.db, {
        text: `SELECT count(*)::int AS n FROM crm_outbox WHERE workspace_id = $1 AND activity = 'contact'`,
        values: [app.ws.id],
      });
    expect(await rows()).toEqual({ n: 0 });

    // On: the next emails to Pat create the Contact, once, on Acme's Account.
    await setCreate(true);
    await sent(pat, 'pat@acme.example');
    await sent(pat, 'pat@acme.example');
    const out = await syncOut(app.ctx, app.ws.id, t0);
    expect(out.collected).toBe(1);
    expect(out.flush).toMatchObject({ claimed: 1, done: 1 });
    const [created] = sfContacts('pat@acme.example');
    expect(created).toMatchObject({ FirstName: 'Pat', LastName: 'Quinn', Title: 'Head of Ops', AccountId: acme });
    expect(await linked(pat)).toEqual({ external_id: created!.Id });
    // Its emails (all three, sent since connecting) are then logged on it, on the Account too.
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 1000))).toMatchObject({ done: 3 });
    expect(
      tasksOn(String(created!.Id))
        .map((t) => t.Subject)
        .sort(),
    ).toEqual(['Email: Hello 1', 'Email: Hello 2', 'Email: Hello 3']);
    expect(tasksOn(String(created!.Id)).every((t) => t.WhatId === acme)).toBe(true);

    // Again: nothing twice; a further email is logged, not created again.
    await sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 2000))).flush).toMatchObject({
      claimed: 1,
      done: 1,
    });
    expect(sfContacts('pat@acme.example')).toHaveLength(1);
    expect(tasksOn(String(created!.Id))).toHaveLength(4);
    expect(await rows()).toEqual({ n: 1 });

    // Someone added Lee in Salesforce (another case of the address) before our sync saw it: linked, not a second.
    const lee = app.sf.insert('Contact', { Email: 'Lee@Acme.example', LastName: 'Lee', AccountId: acme });
    const leeLocal = await person('lee@acme.example', account, 'Lee');
    await sent(leeLocal, 'lee@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 3000))).flush).toMatchObject({ done: 1 });
    expect(sfContacts('lee@acme.example').map((c) => c.Id)).toEqual([lee]);
    expect(await linked(leeLocal)).toEqual({ external_id: lee });
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 4000))).toMatchObject({ done: 1 });
    expect(tasksOn(lee)).toHaveLength(1);

    // Salesforce saves Sam, then its answer is lost (503): the retry finds Sam by email, no second Contact.
    const sam = await person('sam@acme.example', account, 'Stone');
    await sent(sam, 'sam@acme.example');
    app.sf.failures.push({
      status: 503,
      afterCommit: true,
      match: (method, path) => method === 'POST' && path === '/sobjects/Contact',
    });
    const lost = await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 5000));
    expect(lost.flush).toMatchObject({ claimed: 1, done: 0 });
    expect(app.sf.failures).toEqual([]);
    expect(sfContacts('sam@acme.example')).toHaveLength(1);
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + hour))).toMatchObject({ done: 1 });
    const [samSf] = sfContacts('sam@acme.example');
    expect(samSf).toMatchObject({ LastName: 'Stone', AccountId: acme });
    expect(await linked(sam)).toEqual({ external_id: samSf!.Id });
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 2 * hour))).toMatchObject({ done: 1 });
    expect(tasksOn(String(samSf!.Id))).toHaveLength(1);
  });

  it('creates a Contact with no account in Salesforce, and a missing last name as Salesforce fills it', async () => {
    const account = (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO accounts (workspace_id, name, domain) VALUES ($1, 'Local Co', 'local.example') RETURNING id::int AS id`,
      values: [app.ws.id],
    }))!.id;
    const kim = await person('kim@local.example', account, '');
    await sent(kim, 'kim@local.example');
    const out = await syncOut(app.ctx, app.ws.id, new Date(Date.now() + 3 * hour));
    expect(out.flush).toMatchObject({ claimed: 1, done: 1 });
    const [created] = sfContacts('kim@local.example');
    expect(created).toMatchObject({ FirstName: 'Pat', LastName: '[not provided]', AccountId: null });
    expect(await linked(kim)).toEqual({ external_id: created!.Id });
  });
});
