// The CRM hold-out wherever a new sequence starts, against the fake HubSpot and the real client, on both
// backends: a workspace without plays skips the held-out account's contact with the reason (as a play
// does); a draft written before the deal opened shows the reason on its page and cannot be approved
// (page, API and the domain call), and can be once the deal closes; an account deleted in HubSpot is
// held out too.
import { expect, it } from 'vitest';
import { crmHoldOut } from '../../crm/guards.js';
import { syncIn } from '../../crm/sync-in.js';
import { one } from '../../db/index.js';
import type { SignalRow } from '../../db/queries/signals.js';
import { isAppError } from '../../errors.js';
import { planResearch } from '../../research/plan.js';
import { approveSequence } from '../../sequencing/approve.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';
import { buildDraft } from '../support/review-builders.js';
import { Browserish } from '../support/web.js';

const words = (h: string) =>
  h
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describeEachBackend('CRM hold-out where sequences start', (get) => {
  const app = useCrmApp(get, { hubspot: true, web: true, connect: 'hubspot' });

  /** A draft at a fresh account, that account in HubSpot (linked by domain on sync) with an open deal. */
  async function draftWithDeal(dealName: string) {
    const d = await buildDraft(app.ctx.db, { workspaceId: app.ws.id, ownerId: app.ws.users.rep.id });
    const domain = (await one<{ domain: string }>(app.ctx.db, {
      text: `SELECT domain FROM accounts WHERE id = $1`,
      values: [d.accountId],
    }))!.domain;
    const co = app.hs.create('companies', { name: `Co ${dealName}`, domain });
    const deal = app.hs.create(
      'deals',
      { dealname: dealName, dealstage: 'qualifiedtobuy', hs_is_closed: 'false' },
      { companies: [co.id] },
    );
    return { d, co, deal };
  }
  const closeDeal = async (id: string) => {
    app.hs.update('deals', id, { hs_is_closed: 'true', dealstage: 'closedlost' });
    await syncIn(app.ctx, app.ws.id);
  };
  const signalOf = async (id: number) =>
    (await one<SignalRow>(app.ctx.db, { text: `SELECT * FROM signals WHERE id = $1`, values: [id] }))!;

  it('without plays, the held-out account’s contact is skipped with the reason; free again once the deal closes', async () => {
    const { d, deal } = await draftWithDeal('Expansion 2027');
    await syncIn(app.ctx, app.ws.id);
    const reason = 'held out by the CRM: open deal "Expansion 2027" in HubSpot (stage qualifiedtobuy)';
    const signal = await signalOf(d.signalId);
    const held = await planResearch(app.ctx.db, signal);
    expect(held.noPlay).toBeUndefined();
    expect(held.targets.map((t) => t.contact?.id ?? null)).toEqual([null]);
    expect(held.skipped).toEqual([{ id: d.contactId, reason }]);

    await closeDeal(deal.id);
    const free = await planResearch(app.ctx.db, signal);
    expect(free.targets.map((t) => t.contact?.id ?? null)).toEqual([d.contactId]);
    expect(free.skipped).toEqual([]);
  });

  it('a draft written before the deal opened shows the reason and cannot be approved until the deal closes', async () => {
    const { d, deal } = await draftWithDeal('Renewal 2028');
    const rep = new Browserish(app.base);
    await rep.login(app.ws.users.rep.email, app.ws.users.rep.password);
    // Before the sync the app does not know the deal: nothing is shown.
    expect(words((await rep.page(`/drafts/${d.sequenceId}`)).html)).not.toContain('Not sendable');
    await syncIn(app.ctx, app.ws.id);

    const reason = 'held out by the CRM: open deal "Renewal 2028" in HubSpot (stage qualifiedtobuy)';
    const { html, csrf } = await rep.page(`/drafts/${d.sequenceId}`);
    expect(words(html)).toContain(`Not sendable: ${reason}.`);
    const version = /name="version" value="(\d+)"/.exec(html)![1]!;
    const post = await rep.post(`/drafts/${d.sequenceId}/approve`, { _csrf: csrf!, version });
    expect(post.status).toBe(409);
    expect(words(await post.text())).toContain(reason);
    const err = await approveSequence(app.ctx, { sequenceId: d.sequenceId, userId: app.ws.users.rep.id }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(err, 'HELD_OUT')).toBe(true);
    const state = async () =>
      (await one<{ status: string; scheduled: number }>(app.ctx.db, {
        text: `SELECT s.status, (SELECT count(*)::int FROM sequence_steps t WHERE t.sequence_id = s.id AND t.status = 'scheduled') AS scheduled
                 FROM sequences s WHERE s.id = $1`,
        values: [d.sequenceId],
      }))!;
    expect(await state()).toEqual({ status: 'pending_review', scheduled: 0 });

    await closeDeal(deal.id);
    expect(words((await rep.page(`/drafts/${d.sequenceId}`)).html)).not.toContain('Not sendable');
    await approveSequence(app.ctx, { sequenceId: d.sequenceId, userId: app.ws.users.rep.id });
    expect((await state()).status).toBe('active');
    expect((await state()).scheduled).toBeGreaterThan(0);
  });

  it('an account deleted in HubSpot is held out with that reason', async () => {
    const { d, co, deal } = await draftWithDeal('Old deal');
    await closeDeal(deal.id);
    expect(await crmHoldOut(app.ctx.db, app.ws.id, d.accountId)).toBeNull();
    app.hs.archive('companies', co.id);
    await syncIn(app.ctx, app.ws.id);
    expect(await crmHoldOut(app.ctx.db, app.ws.id, d.accountId)).toBe('held out by the CRM: deleted in HubSpot');
    const err = await approveSequence(app.ctx, { sequenceId: d.sequenceId, userId: app.ws.users.rep.id }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(err, 'HELD_OUT')).toBe(true);
    expect((err as Error).message).toContain('deleted in HubSpot');
  });
});
