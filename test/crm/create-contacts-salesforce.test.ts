// create_contacts for Salesforce (issue 14): a person research found and a rep chose to email becomes a
// Salesforce Contact only when the workspace says so, on both backends against the fake org driven by
// the real jsforce client. Off: the sent email creates nothing. On: one Contact, through the contact
// mapping and on its Account, its id kept, its emails then logged on it as Tasks; collecting and
// flushing again creates nothing twice; a person already in Salesforce is linked, not created again;
// a create whose answer was lost (Salesforce saved it, then answered 503) is found on the retry.
import { expect, it } from 'vitest';
import { flushOutbox, syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

describeEachBackend('CRM create_contacts (Salesforce)', (get) => {
  const app = useCrmApp(get, { salesforce: true, connect: 'salesforce' });

  const sfContacts = (email: string) =>
    app.sf.all('Contact').filter((c) => String(c.Email).toLowerCase() === email && !c.IsDeleted);
  const tasksOn = (id: string) => app.sf.all('Task').filter((t) => t.WhoId === id);
  const hour = 3_600_000;

  it('creates the Contact only when the workspace says so, once, with its emails; links one Salesforce has', async () => {
    const acme = app.sf.insert('Account', { Name: 'Acme', Website: 'acme.example' });
    await syncIn(app.ctx, app.ws.id);
    const account = await app.localId('accounts', 'acme.example');
    const pat = await app.person('pat@acme.example', account);
    const t0 = new Date(Date.now() + 1000);

    // Off (the default): the email is sent, nothing is created or queued.
    await app.sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, t0)).collected).toBe(0);
    expect(sfContacts('pat@acme.example')).toHaveLength(0);
    expect(await app.outboxRows('contact')).toEqual({ n: 0 });

    // On: the next emails to Pat create the Contact, once, on Acme's Account.
    await app.saveSettings({ createContacts: true });
    await app.sent(pat, 'pat@acme.example');
    await app.sent(pat, 'pat@acme.example');
    const out = await syncOut(app.ctx, app.ws.id, t0);
    expect(out.collected).toBe(1);
    expect(out.flush).toMatchObject({ claimed: 1, done: 1 });
    const [created] = sfContacts('pat@acme.example');
    expect(created).toMatchObject({ FirstName: 'Pat', LastName: 'Quinn', Title: 'Head of Ops', AccountId: acme });
    expect(await app.linked(pat)).toEqual({ external_id: created!.Id });
    // Its emails (all three, sent since connecting) are then logged on it, on the Account too.
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 1000))).toMatchObject({ done: 3 });
    expect(
      tasksOn(String(created!.Id))
        .map((t) => t.Subject)
        .sort(),
    ).toEqual(['Email: Hello 1', 'Email: Hello 2', 'Email: Hello 3']);
    expect(tasksOn(String(created!.Id)).every((t) => t.WhatId === acme)).toBe(true);

    // Again: nothing twice; a further email is logged, not created again.
    await app.sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 2000))).flush).toMatchObject({
      claimed: 1,
      done: 1,
    });
    expect(sfContacts('pat@acme.example')).toHaveLength(1);
    expect(tasksOn(String(created!.Id))).toHaveLength(4);
    expect(await app.outboxRows('contact')).toEqual({ n: 1 });

    // Someone added Lee in Salesforce (another case of the address) before our sync saw it: linked, not a second.
    const lee = app.sf.insert('Contact', { Email: 'Lee@Acme.example', LastName: 'Lee', AccountId: acme });
    const leeLocal = await app.person('lee@acme.example', account, 'Lee');
    await app.sent(leeLocal, 'lee@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 3000))).flush).toMatchObject({ done: 1 });
    expect(sfContacts('lee@acme.example').map((c) => c.Id)).toEqual([lee]);
    expect(await app.linked(leeLocal)).toEqual({ external_id: lee });
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 4000))).toMatchObject({ done: 1 });
    expect(tasksOn(lee)).toHaveLength(1);

    // Salesforce saves Sam, then its answer is lost (503): the retry finds Sam by email, no second Contact.
    const sam = await app.person('sam@acme.example', account, 'Stone');
    await app.sent(sam, 'sam@acme.example');
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
    expect(await app.linked(sam)).toEqual({ external_id: samSf!.Id });
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 2 * hour))).toMatchObject({ done: 1 });
    expect(tasksOn(String(samSf!.Id))).toHaveLength(1);
  });

  it('creates a Contact with no account in Salesforce, and a missing last name as Salesforce fills it', async () => {
    const account = (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO accounts (workspace_id, name, domain) VALUES ($1, 'Local Co', 'local.example') RETURNING id::int AS id`,
      values: [app.ws.id],
    }))!.id;
    const kim = await app.person('kim@local.example', account, '');
    await app.sent(kim, 'kim@local.example');
    const out = await syncOut(app.ctx, app.ws.id, new Date(Date.now() + 3 * hour));
    expect(out.flush).toMatchObject({ claimed: 1, done: 1 });
    const [created] = sfContacts('kim@local.example');
    expect(created).toMatchObject({ FirstName: 'Pat', LastName: '[not provided]', AccountId: null });
    expect(await app.linked(kim)).toEqual({ external_id: created!.Id });
  });
});
