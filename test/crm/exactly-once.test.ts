// Activities are written to the CRM exactly once even when the CRM commits a write and the answer is
// lost (a 5xx after the commit), and when a worker dies between the CRM's answer and marking the row
// done: the retry first looks up our key on the CRM's activities (findWritten) and marks what it finds
// done with the CRM's id. HubSpot and Salesforce fakes driven by the real clients, on both backends.
import { expect, it } from 'vitest';
import { openCrm } from '../../crm/connection.js';
import { collectOutbound, flushOutbox } from '../../crm/outbound.js';
import { syncIn } from '../../crm/sync-in.js';
import { one, run } from '../../db/index.js';
import { claimDueCrmWrites } from '../../db/queries/crm-runs.js';
import type { CrmOutboxRow } from '../../db/queries/crm-runs.js';
import type { ActivityWrite, CrmActivity } from '../../crm/provider.js';
import { buildWorkspace, type TestWorkspace } from '../support/builders.js';
import { useCrmApp } from '../support/crm-app.js';
import { describeEachBackend } from '../support/db.js';

const HOUR = 3_600_000;

describeEachBackend('CRM writes exactly once when the answer is lost', (get) => {
  const app = useCrmApp(get, { hubspot: true, salesforce: true });

  /** A contact the CRM knows, with a sent email and a booked meeting queued in the outbox. */
  async function queued(ws: TestWorkspace, email: string, subject: string) {
    const contact = (await one<{ id: number }>(app.ctx.db, {
      text: `SELECT id::int AS id FROM contacts WHERE workspace_id = $1 AND email = $2`,
      values: [ws.id, email],
    }))!;
    const msg = (await one<{ id: number }>(app.ctx.db, {
      text: `INSERT INTO messages (workspace_id, contact_id, direction, message_id, from_addr, to_addr, subject, text_body)
             VALUES ($1, $2, 'out', $3, 'rep@x.test', $4, $5, 'Hello there') RETURNING id::int AS id`,
      values: [ws.id, contact.id, `<${Math.random().toString(36).slice(2)}@x.test>`, email, subject],
    }))!;
    const event = (type: string, ref: number | null) =>
      app.ctx.db.query(
        `INSERT INTO events (workspace_id, type, contact_id, message_ref, data) VALUES ($1, $2, $3, $4, '{}')`,
        [ws.id, type, contact.id, ref],
      );
    await event('sent', msg.id);
    await event('meeting_booked', null);
    const open = (await openCrm(app.ctx, ws.id))!;
    expect(await collectOutbound(app.ctx, open.connection, open.provider)).toBe(2);
  }
  const outbox = (ws: TestWorkspace) =>
    run<{ idempotency_key: string; status: string; external_id: string | null }>(app.ctx.db, {
      text: `SELECT idempotency_key, status, external_id FROM crm_outbox WHERE workspace_id = $1 ORDER BY id`,
      values: [ws.id],
    });

  /** The same scenario for both CRMs: lost answers, then a worker that dies after the CRM answered. */
  async function scenario(
    ws: TestWorkspace,
    crm: {
      contactEmail: string;
      loseNextWrites(): void;
      written(): { id: string }[];
    },
  ) {
    await queued(ws, crm.contactEmail, 'Lost answer');
    crm.loseNextWrites();
    const t0 = new Date(Date.now() + 1000);
    expect(await flushOutbox(app.ctx, ws.id, t0)).toMatchObject({ claimed: 2, done: 0, later: 2, foundWritten: 0 });
    // The CRM did commit the email, though we were told it failed (the meeting, next in the call, was not sent).
    expect(crm.written()).toHaveLength(1);
    const retry = await flushOutbox(app.ctx, ws.id, new Date(t0.getTime() + HOUR));
    expect(retry).toMatchObject({ claimed: 2, done: 2, later: 0, foundWritten: 1 });
    expect(crm.written()).toHaveLength(2);
    const rows = await outbox(ws);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done']);
    expect(rows.map((r) => r.external_id).sort()).toEqual(
      crm
        .written()
        .map((w) => w.id)
        .sort(),
    );

    // A worker claims the next pair, the CRM writes them, and the worker dies before marking them done.
    await queued(ws, crm.contactEmail, 'Crash after write');
    const t1 = new Date(t0.getTime() + 2 * HOUR);
    const claimed = await run<CrmOutboxRow>(
      app.ctx.db,
      claimDueCrmWrites(ws.id, t1, new Date(t1.getTime() + 300_000), 10),
    );
    expect(claimed).toHaveLength(2);
    const open = (await openCrm(app.ctx, ws.id))!;
    const writes: ActivityWrite[] = claimed.map((r) => {
      const a = r.payload as unknown as CrmActivity & Record<string, string>;
      const activity = (
        a.type === 'email'
          ? { ...a, at: new Date(a.at) }
          : { ...a, startAt: new Date(a.startAt), endAt: new Date(a.endAt) }
      ) as CrmActivity;
      return { key: r.idempotency_key, activity };
    });
    await open.provider.writeActivities(writes);
    expect(crm.written()).toHaveLength(4);
    // Nothing is due while the lease holds; after it, the rows are found in the CRM, not written again.
    expect(await flushOutbox(app.ctx, ws.id, new Date(t1.getTime() + 60_000))).toMatchObject({ claimed: 0 });
    const after = await flushOutbox(app.ctx, ws.id, new Date(t1.getTime() + 600_000));
    expect(after).toMatchObject({ claimed: 2, done: 2, foundWritten: 2 });
    expect(crm.written()).toHaveLength(4);
    expect((await outbox(ws)).every((r) => r.status === 'done')).toBe(true);
  }

  it('HubSpot: a batch create committed then answered 500 is found, not created again', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    await app.connectHubSpot(ws);
    const hc = app.hs.create('contacts', { email: 'lost@hsco.test', firstname: 'Lou', lastname: 'Lost' });
    await syncIn(app.ctx, ws.id);
    const mine = (r: { associations: Record<string, { id: string }[]> }) =>
      r.associations.contacts?.some((x) => x.id === hc.id);
    await scenario(ws, {
      contactEmail: 'lost@hsco.test',
      loseNextWrites: () => app.hs.failAfterCommit.push(500),
      written: () => [...app.hs.objects.emails.values(), ...app.hs.objects.meetings.values()].filter(mine),
    });
    // The key is on the engagement itself, where findWritten reads it.
    expect([...app.hs.objects.meetings.values()].filter(mine)[0]!.properties.hs_internal_meeting_notes).toMatch(
      /^\[prospector:meeting:event:\d+\]$/,
    );
  });

  it('Salesforce: a composite create committed then answered 503 is found, not created again', async () => {
    const ws = await buildWorkspace(app.ctx.db);
    await app.connectSalesforce(ws);
    const account = app.sf.insert('Account', { Name: 'Lost Co', Website: 'sfco.test' });
    const who = app.sf.insert('Contact', { AccountId: account, Email: 'lost@sfco.test', LastName: 'Lost' });
    await syncIn(app.ctx, ws.id);
    const composite = (m: string, p: string) => m === 'POST' && p === '/composite/sobjects';
    await scenario(ws, {
      contactEmail: 'lost@sfco.test',
      loseNextWrites: () => app.sf.failures.push({ status: 503, match: composite, afterCommit: true }),
      written: () =>
        [...app.sf.all('Task'), ...app.sf.all('Event')]
          .filter((r) => r.WhoId === who)
          .map((r) => ({ id: String(r.Id) })),
    });
  });
});
