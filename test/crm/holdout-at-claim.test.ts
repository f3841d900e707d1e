// The CRM hold-out where the send is claimed (issue 14: "never emails ... an account the rules hold
// out"), against the fake HubSpot and the real client, on both backends. A sequence approved before
// its account is held out:
// - a sync that learns of an open deal stops it at once, with the reason on the draft page, and the
//   step that then falls due sends nothing;
// - when nothing has stopped it yet (here: RevOps widened the rule after the sync, so no sync ran
//   since), the claim itself refuses the step and stops the sequence with the reason.
// A CRM opt-out arriving after approval is covered by guards-outbound.test.ts ("a CRM opt-out
// suppresses the contact, and a step already due is stopped before its send").
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectWithToken } from '../../crm/connection.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { saveCrmSettings } from '../../db/queries/crm.js';
import { approveSequence } from '../../sequencing/approve.js';
import { sendStep } from '../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../sequencing/transport.js';
import { ALWAYS, buildSequence, stepRows } from '../sequencing/builders.js';
import { describeEachBackend } from '../support/db.js';
import { startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { Browserish, useWebApp } from '../support/web.js';

const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describeEachBackend('CRM hold-out at the send claim', (get) => {
  let hs: FakeHubSpot;
  let smtp: TestSmtp;
  let transports: TransportPool;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    hs = await startFakeHubSpot();
    smtp = await startSmtp();
    env.HUBSPOT_API_URL = hs.url;
  });
  const app = useWebApp(get, env);
  beforeAll(async () => {
    transports = new TransportPool(transportDeps(app.ctx));
    await connectWithToken(app.ctx, {
      workspaceId: app.ws.id,
      userId: app.ws.users.admin.id,
      kind: 'hubspot',
      token: hs.addPrivateToken(),
    });
  });
  afterAll(async () => {
    await transports?.close();
    await smtp?.close();
    await hs?.close();
  });

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

  /** An approved sequence at a fresh account that HubSpot knows (linked by domain), and its company. */
  async function approvedAtCrmAccount(tag: string) {
    const domain = `${tag}-${Math.random().toString(36).slice(2, 8)}.test`;
    const b = await buildSequence(app.ctx.db, {
      workspaceId: app.ws.id,
      ownerId: app.ws.users.rep.id,
      email: `dana@${domain}`,
      window: ALWAYS,
      fallback: null,
      mailbox: { kind: 'smtp', host: '127.0.0.1', port: smtp.port },
    });
    const co = hs.create('companies', { name: `Co ${tag}`, domain });
    await syncIn(app.ctx, app.ws.id);
    const linked = await one<{ n: number }>(app.ctx.db, {
      text: `SELECT count(*)::int AS n FROM crm_external_ids WHERE workspace_id = $1 AND object = 'company' AND local_id = $2`,
      values: [app.ws.id, b.accountId],
    });
    expect(linked?.n).toBe(1);
    await approveSequence(app.ctx, { sequenceId: b.sequenceId, userId: app.ws.users.rep.id, random: () => 0 });
    return { b, co };
  }
  const sequence = async (id: number) =>
    (await one<{ status: string; stop_reason: string | null }>(app.ctx.db, {
      text: `SELECT status, stop_reason FROM sequences WHERE id = $1`,
      values: [id],
    }))!;
  const draftPage = async (id: number) => {
    const rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    return words((await rep.page(`/drafts/${id}`)).html);
  };

  it('a sync that learns of an open deal stops the approved sequence with the reason; the due step sends nothing', async () => {
    await setRules({});
    const { b, co } = await approvedAtCrmAccount('renewal');
    expect((await sequence(b.sequenceId)).status).toBe('active');
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;

    hs.create(
      'deals',
      { dealname: 'Acme renewal', dealstage: 'qualifiedtobuy', hs_is_closed: 'false' },
      {
        companies: [co.id],
      },
    );
    const r = await syncIn(app.ctx, app.ws.id);
    expect(r.status).toBe('done');
    expect(r.summary.heldOut).toBe(1);
    const reason = 'held out by the CRM: open deal "Acme renewal" in HubSpot (stage qualifiedtobuy)';
    expect(await sequence(b.sequenceId)).toEqual({ status: 'stopped', stop_reason: reason });
    const steps = await stepRows(app.ctx.db, b.sequenceId);
    expect(steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(await draftPage(b.sequenceId)).toContain(`Stopped: ${reason}.`);

    // The step's due time comes: the send path finishes its attempt and nothing reaches the SMTP sink.
    const before = smtp.received.length;
    const sent = await sendStep(app.ctx, b.stepIds[0]!, { transports, now: () => due });
    expect(sent.status).not.toBe('sent');
    expect(smtp.received.length).toBe(before);
    // A second sync stops nothing twice.
    expect((await syncIn(app.ctx, app.ws.id)).summary.heldOut).toBe(0);
  });

  it('when no sync has stopped it, the claim refuses the step of a held-out account and stops the sequence', async () => {
    // RevOps counts only contract-sent deals: the account's qualified deal does not hold it; approved.
    await setRules({ heldStages: ['contractsent'] });
    const { b, co } = await approvedAtCrmAccount('widened');
    hs.create(
      'deals',
      { dealname: 'Acme expansion', dealstage: 'qualifiedtobuy', hs_is_closed: 'false' },
      {
        companies: [co.id],
      },
    );
    expect((await syncIn(app.ctx, app.ws.id)).summary.heldOut).toBe(0);
    expect((await sequence(b.sequenceId)).status).toBe('active');

    // Then RevOps counts every open deal. No sync runs before the step is due: the claim checks the rule.
    await setRules({});
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;
    const before = smtp.received.length;
    const sent = await sendStep(app.ctx, b.stepIds[0]!, { transports, now: () => due });
    expect(sent.status).toBe('stopped');
    expect(smtp.received.length).toBe(before);
    const reason = 'held out by the CRM: open deal "Acme expansion" in HubSpot (stage qualifiedtobuy)';
    expect(await sequence(b.sequenceId)).toEqual({ status: 'stopped', stop_reason: reason });
    const first = (await stepRows(app.ctx.db, b.sequenceId))[0]!;
    expect(first.status).toBe('cancelled');
    expect(first.message_id).toBeNull();
    expect(await draftPage(b.sequenceId)).toContain(`Stopped: ${reason}.`);
  });

  it('an account that is not held out still sends (the guard refuses nothing else)', async () => {
    await setRules({});
    const { b } = await approvedAtCrmAccount('free');
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;
    const before = smtp.received.length;
    expect((await sendStep(app.ctx, b.stepIds[0]!, { transports, now: () => due })).status).toBe('sent');
    expect(smtp.received.length).toBe(before + 1);
  });
});
