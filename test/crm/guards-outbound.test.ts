// Guards from HubSpot and activity back to it, against the fake HubSpot and the real client:
// a CRM opt-out stops a due step before its send; an open deal holds the account out of a play's
// contact choice with its reason; sent/reply/meeting are written once each through 429, 500, 200;
// an unsubscribe in Prospector becomes HubSpot's opt-out.
import { expect, it } from 'vitest';
import { collectOutbound, flushOutbox, syncOut } from '../../crm/outbound.js';
import { openCrm } from '../../crm/connection.js';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { choosePlayContacts } from '../../plays/choose.js';
import { approveSequence } from '../../sequencing/approve.js';
import { stepRows, useSmtpSending } from '../sequencing/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

describeEachBackend('CRM guards and activity out (HubSpot)', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot' });
  const mail = useSmtpSending(() => app);

  it('a CRM opt-out suppresses the contact, and a step already due is stopped before its send', async () => {
    const email = `optout-${Math.random().toString(36).slice(2, 8)}@optco.test`;
    const b = await mail.sequence({ email });
    const now = new Date();
    await approveSequence(app.ctx, { sequenceId: b.sequenceId, userId: app.ws.users.rep.id, now, random: () => 0 });
    app.hs.create('contacts', {
      email: email.toUpperCase(),
      firstname: 'Dana',
      lastname: 'Prospect',
      hs_email_optout: 'true',
    });
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.summary.optOuts).toBe(1);
    const sup = await one<{ reason: string; source: string }>(app.ctx.db, {
      text: `SELECT reason, source FROM suppressions WHERE workspace_id = $1 AND value = $2`,
      values: [app.ws.id, email],
    });
    expect(sup).toEqual({ reason: 'opted out in HubSpot', source: 'crm:hubspot' });
    const before = mail.smtp.received.length;
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;
    expect((await mail.send(b.stepIds[0]!, due)).status).toBe('stopped');
    expect(mail.smtp.received.length).toBe(before);
  });

  it('an open deal holds the account out of a play with the reason; the rules choose which stages count', async () => {
    const co = app.hs.create('companies', { name: 'Deal Co', domain: 'dealco.test' });
    app.hs.create(
      'contacts',
      { email: 'vp@dealco.test', firstname: 'Val', lastname: 'P', jobtitle: 'VP Sales' },
      { companies: [co.id] },
    );
    const deal = app.hs.create(
      'deals',
      { dealname: 'Renewal 2027', dealstage: 'contractsent', hs_is_closed: 'false' },
      { companies: [co.id] },
    );
    await syncIn(app.ctx, app.ws.id);
    const accountId = await app.localId('accounts', 'dealco.test');
    const signal = {
      id: 1,
      workspace_id: app.ws.id,
      account_id: accountId,
      contact_id: null,
      type: 'funding',
      subtype: null,
      facts: {},
    };
    const held = await choosePlayContacts(app.ctx.db, signal, { verifyMx: false });
    expect(held.contacts).toEqual([]);
    expect(held.skipped.map((s) => s.reason)).toEqual([
      'held out by the CRM: open deal "Renewal 2027" in HubSpot (stage contractsent)',
    ]);

    // RevOps counts only another stage: the account is free again.
    await app.saveSettings({ rules: { heldStages: ['appointmentscheduled'] } });
    expect((await choosePlayContacts(app.ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(1);
    // Any stage counts again, but the deal closed in HubSpot: not held.
    await app.saveSettings({ rules: {} });
    expect((await choosePlayContacts(app.ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(0);
    app.hs.update('deals', deal.id, { hs_is_closed: 'true', dealstage: 'closedwon' });
    await syncIn(app.ctx, app.ws.id);
    expect((await choosePlayContacts(app.ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(1);
  });

  it('sent, reply and meeting are written once each through 429, 500, then 200; an unsubscribe becomes the CRM opt-out', async () => {
    const hc = app.hs.create('contacts', { email: 'buyer@outco.test', firstname: 'Bea', lastname: 'Buyer' });
    await syncIn(app.ctx, app.ws.id);
    await app.activity('buyer@outco.test');

    const t0 = new Date(Date.now() + 1000); // the rows are due from the moment they are queued
    app.hs.failWrites = [429, 500, 500];
    const first = await syncOut(app.ctx, app.ws.id, t0);
    expect(first.collected).toBe(4);
    expect(first.flush).toMatchObject({ claimed: 4, done: 0, later: 4 });
    const second = await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 5_000));
    expect(second).toMatchObject({ claimed: 3, done: 0, later: 3 });
    const third = await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 3_600_000));
    expect(third).toMatchObject({ claimed: 4, done: 4, later: 0 });

    const mine = (type: 'emails' | 'meetings') =>
      [...app.hs.objects[type].values()].filter((r) => r.associations.contacts?.some((x) => x.id === hc.id));
    expect(
      mine('emails')
        .map((e) => [e.properties.hs_email_direction, e.properties.hs_email_subject])
        .sort(),
    ).toEqual([
      ['EMAIL', 'Congrats on the round'],
      ['INCOMING_EMAIL', 'Re: Congrats on the round'],
    ]);
    expect(mine('meetings')).toHaveLength(1);
    expect(app.hs.unsubscribed.has('buyer@outco.test')).toBe(true);
    expect(app.hs.objects.contacts.get(hc.id)!.properties.hs_email_optout).toBe('true');

    // Collecting and flushing again writes nothing twice.
    const open = (await openCrm(app.ctx, app.ws.id))!;
    expect(await collectOutbound(app.ctx, open.connection, open.provider)).toBe(0);
    expect(await flushOutbox(app.ctx, app.ws.id, new Date(t0.getTime() + 7_200_000))).toMatchObject({ claimed: 0 });
    expect(mine('emails')).toHaveLength(2);
    expect(mine('meetings')).toHaveLength(1);
  });
});
