// Guards from HubSpot and activity back to it, against the fake HubSpot and the real client:
// a CRM opt-out stops a due step before its send; an open deal holds the account out of a play's
// contact choice with its reason; sent/reply/meeting are written once each through 429, 500, 200;
// an unsubscribe in Prospector becomes HubSpot's opt-out.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectOutbound, flushOutbox, syncOut } from '../../crm/outbound.js';
import { openCrm } from '../../crm/connection.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { choosePlayContacts } from '../../plays/choose.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { ALWAYS, buildSequence, stepRows } from '../sequencing/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

describeEachBackend('CRM guards and activity out (HubSpot)', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot' });
  let smtp: TestSmtp;
  let transports: TransportPool;
  beforeAll(async () => {
    smtp = await startSmtp();
    transports = new TransportPool(transportDeps(app.ctx));
  });
  afterAll(async () => {
    await transports.close();
    await smtp.close();
  });

  it('a CRM opt-out suppresses the contact, and a step already due is stopped before its send', async () => {
    const email = `optout-${Math.random().toString(36).slice(2, 8)}@optco.test`;
    const b = await buildSequence(app.ctx.db, {
      workspaceId: app.ws.id,
      ownerId: app.ws.users.rep.id,
      email,
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
    });
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
    const before = smtp.received.length;
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;
    expect((await sendStep(app.ctx, b.stepIds[0]!, { transports, now: () => due })).status).toBe('stopped');
    expect(smtp.received.length).toBe(before);
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
    const account = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id::int AS id FROM accounts WHERE workspace_id = $1 AND domain = 'dealco.test'`,
      values: [app.ws.id],
    }))!;
    const signal = {
      id: 1,
      workspace_id: app.ws.id,
      account_id: account.id,
      contact_id: null,
      type: 'funding',
      subtype: null,
      facts: {},
    };
    const setRules = (rules: object) =>
      run(
        app.ctx.db,
        saveCrmSettings({
          workspaceId: app.ws.id,
          mapping: {},
          targetFilter: { type: 'all' },
          rules,
          createContacts: false,
        }),
      );
    const held = await choosePlayContacts(app.ctx.db, signal, { verifyMx: false });
    expect(held.contacts).toEqual([]);
    expect(held.skipped.map((s) => s.reason)).toEqual([
      'held out by the CRM: open deal "Renewal 2027" in HubSpot (stage contractsent)',
    ]);

    // RevOps counts only another stage: the account is free again.
    await setRules({ heldStages: ['appointmentscheduled'] });
    expect((await choosePlayContacts(app.ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(1);
    // Any stage counts again, but the deal closed in HubSpot: not held.
    await setRules({});
    expect((await choosePlayContacts(app.ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(0);
    app.hs.update('deals', deal.id, { hs_is_closed: 'true', dealstage: 'closedwon' });
    await syncIn(app.ctx, app.ws.id);
    expect((await choosePlayContacts(app.ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(1);
  });

  it('sent, reply and meeting are written once each through 429, 500, then 200; an unsubscribe becomes the CRM opt-out', async () => {
    const hc = app.hs.create('contacts', { email: 'buyer@outco.test', firstname: 'Bea', lastname: 'Buyer' });
    await syncIn(app.ctx, app.ws.id);
    const contact = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id::int AS id FROM contacts WHERE workspace_id = $1 AND email = 'buyer@outco.test'`,
      values: [app.ws.id],
    }))!;
    const message = async (direction: 'in' | 'out', subject: string) =>
      (await one<{ id: number }>(app.ctx.db, {
        text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'Hello there') RETURNING id::int AS id`,
        values: [
          app.ws.id,
          contact.id,
          direction,
          `<${subject.replace(/\W/g, '')}@x.test>`,
          'rep@x.test',
          'buyer@outco.test',
          subject,
        ],
      }))!.id;
    const event = (type: string, messageRef: number | null, data = {}) =>
      app.ctx.db.query(
        `INSERT INTO events (workspace_id, type, contact_id, message_ref, data) VALUES ($1, $2, $3, $4, $5)`,
        [app.ws.id, type, contact.id, messageRef, JSON.stringify(data)],
      );
    await event('sent', await message('out', 'Congrats on the round'));
    await event('reply', await message('in', 'Re: Congrats on the round'));
    await event('meeting_booked', null, { source: 'calendly' });
    await event('unsubscribe', null, { source: 'link' });

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
