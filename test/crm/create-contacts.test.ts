// create_contacts (issue 14): a person research found and a rep chose to email becomes a HubSpot
// contact only when the workspace says so, on both backends against the fake HubSpot driven by the
// real client. Off: the sent email creates nothing. On: one contact, through the contact mapping and
// associated to its company, its CRM id kept, its emails then logged on it; collecting and flushing
// again creates nothing twice, and a person already in HubSpot is linked, not created again.
import { expect, it } from 'vitest';
import { flushOutbox, syncOut } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { describeEachBackend } from '../support/db.js';
import { useCrmApp } from '../support/crm-app.js';

describeEachBackend('CRM create_contacts (HubSpot)', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot' });

  const hsContacts = (email: string) =>
    [...app.hs.objects.contacts.values()].filter((c) => c.properties.email === email && !c.archived);
  const emailsOn = (id: string) =>
    [...app.hs.objects.emails.values()].filter((e) => e.associations.contacts?.some((x) => x.id === id));

  it('creates the contact only when the workspace says so, once, with its emails; links one HubSpot has', async () => {
    const acme = app.hs.create('companies', { name: 'Acme', domain: 'acme.example' });
    await syncIn(app.ctx, app.ws.id);
    const account = await app.localId('accounts', 'acme.example');
    const pat = await app.person('pat@acme.example', account);
    const t0 = new Date(Date.now() + 1000);

    // Off (the default): the email is sent, nothing is created or queued.
    await app.sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, t0)).collected).toBe(0);
    expect(hsContacts('pat@acme.example')).toHaveLength(0);
    expect(await app.outboxRows('contact')).toEqual({ n: 0 });

    // On: the next email to Pat creates the contact, once.
    await app.saveSettings({ createContacts: true });
    await app.sent(pat, 'pat@acme.example');
    await app.sent(pat, 'pat@acme.example');
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
    expect(await app.linked(pat)).toEqual({ external_id: created!.id });
    // Its emails (all three, sent since connecting) are then logged on it.
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 1000))).toMatchObject({ done: 3 });
    expect(
      emailsOn(created!.id)
        .map((e) => e.properties.hs_email_subject)
        .sort(),
    ).toEqual(['Hello 1', 'Hello 2', 'Hello 3']);

    // Again: nothing twice; a further email is logged, not created again.
    await app.sent(pat, 'pat@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 2000))).flush).toMatchObject({
      claimed: 1,
      done: 1,
    });
    expect(hsContacts('pat@acme.example')).toHaveLength(1);
    expect(emailsOn(created!.id)).toHaveLength(4);
    expect(await app.outboxRows('contact')).toEqual({ n: 1 });

    // Someone added Lee in HubSpot before our sync saw it: linked to that contact, not a second one.
    const lee = app.hs.create('contacts', { email: 'lee@acme.example', firstname: 'Lee' });
    const leeLocal = await app.person('lee@acme.example', account);
    await app.sent(leeLocal, 'lee@acme.example');
    expect((await syncOut(app.ctx, app.ws.id, new Date(t0.getTime() + 3000))).flush).toMatchObject({ done: 1 });
    expect(hsContacts('lee@acme.example').map((c) => c.id)).toEqual([lee.id]);
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 4000))).toMatchObject({ done: 1 });
    expect(emailsOn(lee.id)).toHaveLength(1);
  });
});
