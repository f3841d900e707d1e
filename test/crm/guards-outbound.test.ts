// Guards from HubSpot and activity back to it, against the fake HubSpot and the real client:
// a CRM opt-out stops a due step before its send; an open deal holds the account out of a play's
// contact choice with its reason; sent/reply/meeting are written once each through 429, 500, 200;
// an unsubscribe in Prospector becomes HubSpot's opt-out.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppContext } from '../../context.js';
import { connectWithToken } from '../../crm/connection.js';
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
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { createTestContext } from '../support/context.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

describeEachBackend('CRM guards and activity out (HubSpot)', (get) => {
  let ctx: AppContext & { stop(): Promise<void> };
  let ws: TestWorkspace;
  let hs: FakeHubSpot;
  let smtp: TestSmtp;
  let transports: TransportPool;

  beforeAll(async () => {
    hs = await startFakeHubSpot();
    smtp = await startSmtp();
    ctx = await createTestContext(get(), { HUBSPOT_API_URL: hs.url });
    ws = await buildWorkspace(get().db);
    transports = new TransportPool(transportDeps(ctx));
    await connectWithToken(ctx, {
      workspaceId: ws.id,
      userId: ws.users.admin.id,
      kind: 'hubspot',
      token: hs.addPrivateToken(),
    });
  });
  afterAll(async () => {
    await transports.close();
    await smtp.close();
    await ctx.stop();
    await hs.close();
  });

  it('a CRM opt-out suppresses the contact, and a step already due is stopped before its send', async () => {
    const email = `optout-${Math.random().toString(36).slice(2, 8)}@optco.test`;
    const b = await buildSequence(ctx.db, {
      workspaceId: ws.id,
      ownerId: ws.users.rep.id,
      email,
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
    });
    const now = new Date();
    await approveSequence(ctx, { sequenceId: b.sequenceId, userId: ws.users.rep.id, now, random: () => 0 });
    hs.create('contacts', {
      email: email.toUpperCase(),
      firstname: 'Dana',
      lastname: 'Prospect',
      hs_email_optout: 'true',
    });
    const r = await syncIn(ctx, ws.id);
    expect(r.summary.optOuts).toBe(1);
    const sup = await one<{ reason: string; source: string }>(ctx.db, {
      text: `SELECT reason, source FROM suppressions WHERE workspace_id = $1 AND value = $2`,
      values: [ws.id, email],
    });
    expect(sup).toEqual({ reason: 'opted out in HubSpot', source: 'crm:hubspot' });
    const before = smtp.received.length;
    const due = (await stepRows(ctx.db, b.sequenceId))[0]!.scheduled_at!;
    expect((await sendStep(ctx, b.stepIds[0]!, { transports, now: () => due })).status).toBe('stopped');
    expect(smtp.received.length).toBe(before);
  });

  it('an open deal holds the account out of a play with the reason; the rules choose which stages count', async () => {
    const co = hs.create('companies', { name: 'Deal Co', domain: 'dealco.test' });
    hs.create(
      'contacts',
      { email: 'vp@dealco.test', firstname: 'Val', lastname: 'P', jobtitle: 'VP Sales' },
      { companies: [co.id] },
    );
    const deal = hs.create(
      'deals',
      { dealname: 'Renewal 2027', dealstage: 'contractsent', hs_is_closed: 'false' },
      { companies: [co.id] },
    );
    await syncIn(ctx, ws.id);
    const account = (await one<{ id: number }>(ctx.db, {
      text: `SELECT id::int AS id FROM accounts WHERE workspace_id = $1 AND domain = 'dealco.test'`,
      values: [ws.id],
    }))!;
    const signal = {
      id: 1,
      workspace_id: ws.id,
      account_id: account.id,
      contact_id: null,
      type: 'funding',
      subtype: null,
      facts: {},
    };
    const setRules = (rules: object) =>
      run(
        ctx.db,
        saveCrmSettings({
          workspaceId: ws.id,
          mapping: {},
          targetFilter: { type: 'all' },
          rules,
          createContacts: false,
        }),
      );
    const held = await choosePlayContacts(ctx.db, signal, { verifyMx: false });
    expect(held.contacts).toEqual([]);
    expect(held.skipped.map((s) => s.reason)).toEqual([
      'held out by the CRM: open deal "Renewal 2027" in HubSpot (stage contractsent)',
    ]);

    // RevOps counts only another stage: the account is free again.
    await setRules({ heldStages: ['appointmentscheduled'] });
    expect((await choosePlayContacts(ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(1);
    // Any stage counts again, but the deal closed in HubSpot: not held.
    await setRules({});
    expect((await choosePlayContacts(ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(0);
    hs.update('deals', deal.id, { hs_is_closed: 'true', dealstage: 'closedwon' });
    await syncIn(ctx, ws.id);
    expect((await choosePlayContacts(ctx.db, signal, { verifyMx: false })).contacts).toHaveLength(1);
  });

  it('sent, reply and meeting are written once each through 429, 500, then 200; an unsubscribe becomes the CRM opt-out', async () => {
    const hc = hs.create('contacts', { email: 'buyer@outco.test', firstname: 'Bea', lastname: 'Buyer' });
    await syncIn(ctx, ws.id);
    const contact = (await one<{ id: number }>(ctx.db, {
      text: `SELECT id::int AS id FROM contacts WHERE workspace_id = $1 AND email = 'buyer@outco.test'`,
      values: [ws.id],
    }))!;
    const message = async (direction: 'in' | 'out', subject: string) =>
      (await one<{ id: number }>(ctx.db, {
        text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'Hello there') RETURNING id::int AS id`,
        values: [
          ws.id,
          contact.id,
          direction,
          `<${subject.replace(/\W/g, '')}@x.test>`,
          'rep@x.test',
          'buyer@outco.test',
          subject,
        ],
      }))!.id;
    const event = (type: string, messageRef: number | null, data = {}) =>
      ctx.db.query(
        `INSERT INTO events (workspace_id, type, contact_id, message_ref, data) VALUES ($1, $2, $3, $4, $5)`,
        [ws.id, type, contact.id, messageRef, JSON.stringify(data)],
      );
    await event('sent', await message('out', 'Congrats on the round'));
    await event('reply', await message('in', 'Re: Congrats on the round'));
    await event('meeting_booked', null, { source: 'calendly' });
    await event('unsubscribe', null, { source: 'link' });

    const t0 = new Date(Date.now() + 1000); // the rows are due from the moment they are queued
    hs.failWrites = [429, 500, 500];
    const first = await syncOut(ctx, ws.id, t0);
    expect(first.collected).toBe(4);
    expect(first.flush).toMatchObject({ claimed: 4, done: 0, later: 4 });
    const second = await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 5_000));
    expect(second).toMatchObject({ claimed: 3, done: 0, later: 3 });
    const third = await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 3_600_000));
    expect(third).toMatchObject({ claimed: 4, done: 4, later: 0 });

    const mine = (type: 'emails' | 'meetings') =>
      [...hs.objects[type].values()].filter((r) => r.associations.contacts?.some((x) => x.id === hc.id));
    expect(
      mine('emails')
        .map((e) => [e.properties.hs_email_direction, e.properties.hs_email_subject])
        .sort(),
    ).toEqual([
      ['EMAIL', 'Congrats on the round'],
      ['INCOMING_EMAIL', 'Re: Congrats on the round'],
    ]);
    expect(mine('meetings')).toHaveLength(1);
    expect(hs.unsubscribed.has('buyer@outco.test')).toBe(true);
    expect(hs.objects.contacts.get(hc.id)!.properties.hs_email_optout).toBe('true');

    // Collecting and flushing again writes nothing twice.
    const open = (await openCrm(ctx, ws.id))!;
    expect(await collectOutbound(ctx, open.connection, open.provider)).toBe(0);
    expect(await flushOutbox(ctx, ws.id, new Date(t0.getTime() + 7_200_000))).toMatchObject({ claimed: 0 });
    expect(mine('emails')).toHaveLength(2);
    expect(mine('meetings')).toHaveLength(1);
  });
});
