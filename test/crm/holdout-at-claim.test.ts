// The CRM hold-out where the send is claimed (issue 14: "never emails ... an account the rules hold
// out"), against the fake HubSpot and the real client, on both backends. A sequence approved before
// its account is held out:
// - a sync that learns of an open deal stops it at once, with the reason on the draft page, and the
//   step that then falls due sends nothing;
// - when nothing has stopped it yet (here: RevOps widened the rule after the sync, so no sync ran
//   since), the claim itself refuses the step and stops the sequence with the reason.
// A CRM opt-out arriving after approval is covered by guards-outbound.test.ts ("a CRM opt-out
// suppresses the contact, and a step already due is stopped before its send").
import { expect, it } from 'vitest';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import { approveSequence } from '../../sequencing/approve.js';
import { stepRows, useSmtpSending } from '../sequencing/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describeEachBackend('CRM hold-out at the send claim', (get) => {
  const app = useCrmApp(get, { hubspot: true, connect: 'hubspot', login: ['rep'] });
  const mail = useSmtpSending(() => app);

  /** An approved sequence at a fresh account that HubSpot knows (linked by domain), and its company. */
  async function approvedAtCrmAccount(tag: string) {
    const domain = `${tag}-${Math.random().toString(36).slice(2, 8)}.test`;
    const b = await mail.sequence({ email: `dana@${domain}` });
    const co = app.hs.create('companies', { name: `Co ${tag}`, domain });
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
  const draftPage = async (id: number) => words((await app.as.rep.page(`/drafts/${id}`)).html);

  it('a sync that learns of an open deal stops the approved sequence with the reason; the due step sends nothing', async () => {
    await app.saveSettings({ rules: {} });
    const { b, co } = await approvedAtCrmAccount('renewal');
    expect((await sequence(b.sequenceId)).status).toBe('active');
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;

    app.hs.create(
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
    const before = mail.smtp.received.length;
    const sent = await mail.send(b.stepIds[0]!, due);
    expect(sent.status).not.toBe('sent');
    expect(mail.smtp.received.length).toBe(before);
    // A second sync stops nothing twice.
    expect((await syncIn(app.ctx, app.ws.id)).summary.heldOut).toBe(0);
  });

  it('when no sync has stopped it, the claim refuses the step of a held-out account and stops the sequence', async () => {
    // RevOps counts only contract-sent deals: the account's qualified deal does not hold it; approved.
    await app.saveSettings({ rules: { heldStages: ['contractsent'] } });
    const { b, co } = await approvedAtCrmAccount('widened');
    app.hs.create(
      'deals',
      { dealname: 'Acme expansion', dealstage: 'qualifiedtobuy', hs_is_closed: 'false' },
      {
        companies: [co.id],
      },
    );
    expect((await syncIn(app.ctx, app.ws.id)).summary.heldOut).toBe(0);
    expect((await sequence(b.sequenceId)).status).toBe('active');

    // Then RevOps counts every open deal. No sync runs before the step is due: the claim checks the rule.
    await app.saveSettings({ rules: {} });
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;
    const before = mail.smtp.received.length;
    const sent = await mail.send(b.stepIds[0]!, due);
    expect(sent.status).toBe('stopped');
    expect(mail.smtp.received.length).toBe(before);
    const reason = 'held out by the CRM: open deal "Acme expansion" in HubSpot (stage qualifiedtobuy)';
    expect(await sequence(b.sequenceId)).toEqual({ status: 'stopped', stop_reason: reason });
    const first = (await stepRows(app.ctx.db, b.sequenceId))[0]!;
    expect(first.status).toBe('cancelled');
    expect(first.message_id).toBeNull();
    expect(await draftPage(b.sequenceId)).toContain(`Stopped: ${reason}.`);
  });

  it('an account that is not held out still sends (the guard refuses nothing else)', async () => {
    await app.saveSettings({ rules: {} });
    const { b } = await approvedAtCrmAccount('free');
    const due = (await stepRows(app.ctx.db, b.sequenceId))[0]!.scheduled_at!;
    const before = mail.smtp.received.length;
    expect((await mail.send(b.stepIds[0]!, due)).status).toBe('sent');
    expect(mail.smtp.received.length).toBe(before + 1);
  });
});
